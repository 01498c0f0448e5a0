"""The embedded quick start's demo year: only on the embedded database, only once, made
through the same services as real reports (so their history, evidence and late or
returned reports are real), and shown by the status page like any other year."""

import datetime
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from accounts.demo import create_demo_accounts, division_reporters
from kpiplan.lib.thai import to_ascii_digits
from plans.models import Period
from progress.demo import add_demo_year
from progress.models import Evidence, ProgressEntry, State, due_date
from progress.status import indicator_statuses, status_counts

pytestmark = pytest.mark.django_db


def test_demo_progress_is_refused_on_a_real_database(real_plan, settings):
    settings.EMBEDDED_MODE = False
    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("demo_progress", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("demo_progress", "--replace", stdout=StringIO())
    assert not ProgressEntry.objects.exists()
    assert not User.objects.filter(username__startswith="demo-colleague-").exists()


def test_demo_progress_makes_a_year_the_status_page_shows(real_plan, settings, client):
    settings.EMBEDDED_MODE = settings.DEMO_ACCOUNTS_ALLOWED = True
    out = StringIO()
    call_command("demo_progress", stdout=out)
    assert "12 months" in out.getvalue()  # FY 2567 ended long ago: the whole year
    september = Period.objects.get(fiscal_year_id=2567, kind="month", number=12)
    months = set(ProgressEntry.objects.values_list("period__number", flat=True))
    assert months == set(range(1, 13))

    # September's status, as the executive reads it on the status page, is not all "not reported".
    counts = status_counts(indicator_statuses(real_plan, september))
    assert counts["on_track"] > 0 and counts["off_track"] > 0 and counts["not_reported"] < sum(counts.values()) / 2
    client.force_login(User.objects.get(username="executive"))
    page = client.get(reverse("progress:status"), {"period": september.pk}).content.decode()
    listed = re.search(r'id="status-counts">(.*?)</ul>', page, re.S).group(1)
    shown = [int(re.search(r"\d+", to_ascii_digits(re.sub(r"<[^>]+>", " ", li))).group())
             for li in re.findall(r"<li>(.*?)</li>", listed, re.S)]
    assert shown[:4] == [counts["on_track"], counts["at_risk"], counts["off_track"], counts["not_reported"]]

    # Each step went through the services: their history reasons, in the site's language.
    reasons = set(ProgressEntry.history.values_list("history_change_reason", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        from django.utils.translation import gettext as _

        for reason in [_("Saved as draft"), _("Submitted"), _("Approved by the division head"), _("Verified and approved")]:
            assert reason in reasons
        returned = _("Returned: %(comment)s") % {"comment": ""}
    assert sum(1 for r in reasons if r and r.startswith(returned)) >= 2  # by a head and by the planner
    assert ProgressEntry.history.filter(history_user__username="head").exists()
    assert ProgressEntry.history.filter(history_user__username="planner", history_change_reason__startswith=returned).exists()
    # ... on the days they would have been taken: some after the due date.
    entries = list(ProgressEntry.objects.filter(submitted_at__isnull=False).select_related("period", "plan"))
    late = [e for e in entries if e.submitted_at.date() > due_date(real_plan, e.period)]
    assert 0 < len(late) < len(entries) / 4
    assert all(e.submitted_at.date() >= e.period.end for e in entries)
    assert ProgressEntry.history.order_by("history_date").first().history_date.year == 2023

    # The last month still has work in every queue; the months before are approved.
    last = set(ProgressEntry.objects.filter(period=september).values_list("state", flat=True))
    assert {State.DRAFT, State.SUBMITTED, State.ENDORSED, State.RETURNED, State.APPROVED} <= last
    assert set(ProgressEntry.objects.exclude(period=september).values_list("state", flat=True)) == {State.APPROVED}

    # Evidence images exist as files; budget lines have their disbursement.
    evidence = list(Evidence.objects.all()[:5])
    assert evidence and all(e.file.storage.exists(e.file.name) and e.content_type in ("image/png", "image/jpeg")
                            for e in evidence)
    assert ProgressEntry.objects.filter(project__isnull=False, disbursed__gt=0).exists()
    # Traffy, the one project with a work plan, ticks its steps as the plan schedules them.
    traffy = ProgressEntry.objects.filter(project__work_steps__isnull=False).distinct().order_by("period__number")
    steps = [e.steps_done.count() for e in traffy]
    assert steps == sorted(steps) and steps[-1] > steps[0]

    count = ProgressEntry.objects.count()
    call_command("demo_progress", stdout=StringIO())  # a second start adds nothing
    assert ProgressEntry.objects.count() == count


def test_the_demo_year_is_the_same_every_time(real_plan, settings):
    settings.EMBEDDED_MODE = settings.DEMO_ACCOUNTS_ALLOWED = True
    create_demo_accounts(real_plan.organization)
    reporters = division_reporters(real_plan.organization)
    planner = User.objects.get(username="planner")
    november = datetime.date(2023, 11, 15)  # only October has ended

    def made():
        return sorted(ProgressEntry.objects.values_list("indicator__key", "project__key", "period__number", "value",
                                                        "percent_complete", "state", "submitted_at"), key=str)

    year = add_demo_year(real_plan, planner=planner, reporters=reporters, today=november)
    assert year.months == 1 and year.reports == ProgressEntry.objects.count()
    first = made()
    ProgressEntry.objects.all().delete()
    add_demo_year(real_plan, planner=planner, reporters=reporters, today=november)
    assert made() == first
    # Every division has its writers: the demo accounts, else made-up colleagues who cannot sign in.
    assert reporters[User.objects.get(username="staff").profile.division_id][0].username == "staff"
    colleague = User.objects.filter(username__startswith="demo-colleague-").first()
    assert colleague and not colleague.has_usable_password()


def test_a_quarterly_indicator_gets_its_quarters_and_a_monthly_one_its_months(real_plan, settings):
    from indicators.models import Indicator
    from projects.models import Project

    settings.EMBEDDED_MODE = settings.DEMO_ACCOUNTS_ALLOWED = True
    create_demo_accounts(real_plan.organization)
    reporters = division_reporters(real_plan.organization)
    kept = list(Indicator.objects.filter(plan=real_plan, division__name="ฝ่ายโยธา").order_by("pk")[:4])
    Indicator.objects.filter(plan=real_plan).exclude(pk__in=[i.pk for i in kept]).update(division=None)
    Project.objects.filter(plan=real_plan).update(division=None)
    quarterly = kept[0]
    Indicator.objects.filter(pk=quarterly.pk).update(reporting_frequency="quarter")

    add_demo_year(real_plan, planner=User.objects.get(username="planner"), reporters=reporters,
                  today=datetime.date(2024, 1, 20))  # October to December, the first quarter
    assert list(ProgressEntry.objects.filter(indicator=quarterly).values_list("period__kind", "period__number")) \
        == [(Period.Kind.QUARTER, 1)]
    monthly = ProgressEntry.objects.filter(indicator__in=kept[1:]).values_list("period__kind", "period__number")
    assert {kind for kind, _n in monthly} == {Period.Kind.MONTH} and {n for _k, n in monthly} == {1, 2, 3}
