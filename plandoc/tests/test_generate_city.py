"""generate_city at small scale: synthetic districts with the real plan's structure and a
year of plausible reports that stay inside their own organization."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F, Q

from indicators.models import Indicator, IndicatorTarget
from plans.models import Organization, Period, Plan, StrategyNode
from progress.models import ProgressEntry, State
from progress.plausibility import is_share
from projects.models import KeyResultLink, Project, ProjectIndicator, WorkStep

pytestmark = pytest.mark.django_db


def _synthetic():
    return Organization.objects.filter(short_name__startswith="สนข.จำลอง")


def _counts(plan):
    return (StrategyNode.objects.filter(plan=plan).count(), Indicator.objects.filter(plan=plan).count(),
            Project.objects.filter(plan=plan).count(), KeyResultLink.objects.filter(plan=plan).count())


def test_two_districts_copy_the_real_plan_with_a_year_of_reports(real_plan):
    before = Organization.objects.count()
    call_command("generate_city", organizations=2, years=1, seed=7, stdout=open(os.devnull, "w"))

    orgs = list(_synthetic())
    assert len(orgs) == 2 and Organization.objects.count() == before + 2
    real = _counts(real_plan)
    assert real[1] >= 70 and real[2] >= 90  # the real plan is loaded, not an empty one
    for org in orgs:
        plan = Plan.objects.get(organization=org)
        assert plan.fiscal_year_id == real_plan.fiscal_year_id
        assert _counts(plan) == real
        # the copied structure refers only to the copy's own rows
        assert not StrategyNode.objects.filter(plan=plan).exclude(Q(parent__isnull=True) | Q(parent__plan=plan)).exists()
        assert not Indicator.objects.filter(plan=plan).exclude(Q(node__isnull=True) | Q(node__plan=plan)).exists()
        assert not Indicator.objects.filter(plan=plan).exclude(Q(division__isnull=True) | Q(division__organization=org)).exists()
        assert not Project.objects.filter(plan=plan).exclude(Q(division__isnull=True) | Q(division__organization=org)).exists()
        assert not Project.objects.filter(plan=plan).exclude(Q(parent__isnull=True) | Q(parent__plan=plan)).exists()
        assert not ProjectIndicator.objects.filter(project__plan=plan).exclude(indicator__plan=plan).exists()
        assert not IndicatorTarget.objects.filter(indicator__plan=plan, agency=real_plan.organization).exists()
        assert IndicatorTarget.objects.filter(indicator__plan=plan).count() == IndicatorTarget.objects.filter(
            indicator__plan=real_plan).count()
        # every budget line has work steps, so a schedule can be judged
        lines = Project.objects.filter(plan=plan, division__isnull=False).budget_lines()
        assert not lines.filter(work_steps__isnull=True).exists()
        assert WorkStep.objects.filter(project__plan=plan).count() > 3 * lines.count()

        entries = ProgressEntry.objects.filter(plan=plan)
        months = set(entries.values_list("period__number", flat=True).filter(period__kind=Period.Kind.MONTH))
        assert months == set(range(1, 13))
        assert set(entries.values_list("period__fiscal_year", flat=True)) == {real_plan.fiscal_year_id}
        # no report of one organization points at another's items, division or plan
        assert not entries.exclude(division__organization=org).exists()
        assert not entries.filter(indicator__isnull=False).exclude(indicator__plan=plan).exists()
        assert not entries.filter(project__isnull=False).exclude(project__plan=plan).exists()
        assert not entries.exclude(
            Q(indicator__division_id=F("division_id")) | Q(project__division_id=F("division_id"))).exists()

        # plausible: mostly approved, some on the way or back, a few items missing
        states = list(entries.values_list("state", flat=True))
        assert states.count(State.APPROVED) > 0.6 * len(states)
        assert {State.SUBMITTED, State.DRAFT} <= set(states)
        reportable = (Indicator.objects.filter(plan=plan, division__isnull=False).count() + lines.count()) * 12
        assert 0.75 * reportable < len(states) < reportable
        assert not entries.filter(Q(value__lt=0) | Q(disbursed__lt=0) | Q(percent_complete__lt=0)
                                  | Q(percent_complete__gt=100)).exists()
        assert not entries.filter(project__isnull=False, disbursed__gt=F("project__budget")).exists()
        assert entries.filter(project__isnull=False, disbursed__gt=0).exists()
        shares = [(e.value, e.indicator.unit) for e in entries.filter(indicator__isnull=False).select_related("indicator")]
        assert all(v is not None for v, _unit in shares)
        assert all(v <= 100 for v, unit in shares if is_share(unit))
        assert any(v > 0 for v, _unit in shares)

    # the real district's own plan and reports are untouched
    assert _counts(real_plan) == real
    assert not ProgressEntry.objects.filter(plan=real_plan).exists()


def test_a_second_run_refuses_and_replace_replaces(real_plan):
    quiet = open(os.devnull, "w")
    call_command("generate_city", organizations=2, years=1, stdout=quiet)
    first = set(_synthetic().values_list("pk", flat=True))
    entries = ProgressEntry.objects.filter(plan__organization__in=first).count()

    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_city", organizations=2, years=1, stdout=quiet)
    assert set(_synthetic().values_list("pk", flat=True)) == first

    call_command("generate_city", organizations=1, years=1, replace=True, stdout=quiet)
    now = set(_synthetic().values_list("pk", flat=True))
    assert len(now) == 1 and not now & first
    assert not Plan.objects.filter(organization__in=first).exists()
    assert not ProgressEntry.objects.filter(plan__organization__in=first).exists()
    assert 0 < ProgressEntry.objects.filter(plan__organization__in=now).count() < entries
    assert Plan.objects.filter(pk=real_plan.pk).exists() and _counts(real_plan)[1] >= 70


def test_the_same_seed_gives_the_same_numbers(real_plan):
    quiet = open(os.devnull, "w")

    def numbers():
        return list(ProgressEntry.objects.filter(plan__organization__in=_synthetic()).order_by(
            "plan__organization__short_name", "period__number", "indicator__order", "project__order", "project__pk")
            .values_list("state", "value", "percent_complete", "disbursed"))

    call_command("generate_city", organizations=1, years=1, seed=3, stdout=quiet)
    first = numbers()
    call_command("generate_city", organizations=1, years=1, seed=3, replace=True, stdout=quiet)
    assert numbers() == first
    call_command("generate_city", organizations=1, years=1, seed=4, replace=True, stdout=quiet)
    assert numbers() != first


def test_it_refuses_the_embedded_sqlite_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'city.sqlite3'}"
    env["SECRET_KEY"] = "sqlite-test"
    run = subprocess.run([sys.executable, "manage.py", "generate_city", "--organizations", "1", "--years", "1"],
                         cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert "SQLite" in run.stderr and "--allow-sqlite" in run.stderr
