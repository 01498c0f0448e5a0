"""The whole-plan workbook: export, import back (round trip, idempotent), preview,
all-or-nothing, bad input and access."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import roles
from indicators.models import Baseline, Indicator, IndicatorTarget, Rubric, RubricCondition, RubricLevel
from plans.models import Division, Plan, PlanStatement, PrintedTotal, StrategyNode, Variant, WorkGroup
from plans.workbook import export_workbook, import_workbook
from projects.models import KeyResultLink, Project, ProjectIndicator, WorkStep
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def snapshot(plan):
    """The plan's data by keys and names, without database ids."""
    def key(obj, attr):
        target = getattr(obj, attr)
        return None if target is None else (getattr(target, "key", None) or getattr(target, "short_name", None)
                                            or getattr(target, "name", None))

    data = {"plan": (plan.title, plan.area_km2, plan.source, plan.report_due_days)}
    data["divisions"] = sorted((d.order, d.name, d.short_name, tuple(d.aliases))
                               for d in Division.objects.filter(organization=plan.organization))
    data["work_groups"] = sorted((w.division.name, w.order, w.name)
                                 for w in WorkGroup.objects.filter(division__organization=plan.organization))
    data["statements"] = sorted((s.order, s.kind, s.title, s.text) for s in PlanStatement.objects.filter(plan=plan))
    data["nodes"] = sorted((n.key, n.level, key(n, "parent"), n.code, n.title, n.order, n.notes)
                           for n in StrategyNode.objects.filter(plan=plan))
    data["indicators"] = sorted(
        (i.key, i.kind, i.code, i.name, key(i, "node"), key(i, "parent"), i.unit, i.direction, i.measure_type,
         i.starred, key(i, "lead_agency"), key(i, "lead_division"), key(i, "division"), i.reporting_frequency,
         i.cumulative, i.target_text, str(sorted(i.target_year_text.items())), i.definition, i.formula, i.evidence,
         i.projects_text, i.weight, i.component, i.component_title, i.summary_order, i.order, i.notes,
         tuple(sorted(a.short_name for a in i.supporting_agencies.all())))
        for i in Indicator.objects.filter(plan=plan))
    data["targets"] = sorted((t.indicator.key, t.order, t.value, t.unit, t.label, key(t, "agency"), t.fiscal_year or 0)
                             for t in IndicatorTarget.objects.filter(indicator__plan=plan))
    data["baselines"] = sorted((b.indicator.key, b.year, b.label, b.value or 0, b.unit, b.text)
                               for b in Baseline.objects.filter(indicator__plan=plan))
    data["rubrics"] = sorted((r.indicator.key, r.title, r.note) for r in Rubric.objects.filter(indicator__plan=plan))
    data["levels"] = sorted((lv.rubric.indicator.key, lv.level, lv.threshold_text, lv.threshold_percent or 0,
                             lv.description, lv.points or 0)
                            for lv in RubricLevel.objects.filter(rubric__indicator__plan=plan))
    data["conditions"] = sorted((c.level.rubric.indicator.key, c.level.level, c.order, c.kind, c.measure, c.operator,
                                 c.value or 0, c.unit, c.text)
                                for c in RubricCondition.objects.filter(level__rubric__indicator__plan=plan))
    data["projects"] = sorted(
        (p.key, p.section, key(p, "parent"), p.sequence, p.number, p.name, p.budget or 0, p.budget_text,
         key(p, "division"), p.division_text, key(p, "work_group"), p.strategy_code, p.policy_codes, p.policy_text,
         key(p, "node"), key(p, "same_as"), p.order, p.notes)
        for p in Project.objects.filter(plan=plan))
    data["project_indicators"] = sorted((x.project.key, x.indicator.key, x.printed)
                                        for x in ProjectIndicator.objects.filter(project__plan=plan))
    data["links"] = sorted((k.order, key(k, "objective"), key(k, "indicator"), k.kr_text, k.unit, k.target_text,
                            key(k, "project"), k.project_text, k.budget or 0, k.budget_text, k.project_kpi_target,
                            k.notes) for k in KeyResultLink.objects.filter(plan=plan))
    data["steps"] = sorted((s.project.key, s.number, s.name, s.weight or 0, s.cumulative_percent or 0,
                            tuple(s.months), s.notes) for s in WorkStep.objects.filter(project__plan=plan))
    data["totals"] = sorted((t.section, t.label, t.amount or 0, t.count or 0, t.text, t.source)
                            for t in PrintedTotal.objects.filter(plan=plan))
    data["variants"] = sorted((v.field, v.value, v.source) for v in Variant.objects.filter(plan=plan))
    return data


def wipe(plan):
    """An organization with no plan data: the plan, its divisions and work groups gone."""
    organization = plan.organization
    Plan.objects.filter(organization=organization).delete()
    Division.objects.filter(organization=organization).delete()


def problems(preview):
    out = list(preview.errors)
    for sheet in preview.sheets:
        out += [f"{sheet.name}: {e}" for e in sheet.errors]
        out += [f"{sheet.name} row {r.number}: {c}: {m}" for r in sheet.rows for c, m in r.errors]
    return out


@pytest.fixture
def planner(real_plan):
    return make_user("planner", roles.PLANNER, real_plan.organization)


def test_round_trip_of_the_real_plan(real_plan, planner):
    plan = real_plan
    before = snapshot(plan)
    budget = {s: sum((p.budget or 0) for p in Project.objects.filter(plan=plan, section=s).budget_lines())
              for s in (1, 2, 3)}
    data = export_workbook(plan)
    wipe(plan)
    assert not Project.objects.filter(plan__organization=plan.organization).exists()
    started = time.perf_counter()
    preview = import_workbook(data, "plan-2567.xlsx", user=planner, dry_run=False)
    elapsed = time.perf_counter() - started
    assert problems(preview) == []
    print(f"real plan workbook: {len(data)} bytes, imported in {elapsed:.1f}s, "
          f"{sum(len(s.rows) for s in preview.sheets)} rows")
    new_plan = Plan.objects.get(organization=plan.organization, fiscal_year=2567)
    after = snapshot(new_plan)
    for name in before:
        assert after[name] == before[name], name
    assert {s: sum((p.budget or 0) for p in Project.objects.filter(plan=new_plan, section=s).budget_lines())
            for s in (1, 2, 3)} == budget
    assert budget[3] == Decimal("59752455")
    assert all(r.action == "new" for s in preview.sheets for r in s.rows
               if s.name not in ("หน่วยงานที่เกี่ยวข้อง", "นโยบาย"))  # city-wide, kept


def history_count():
    return sum(m.history.model.objects.count() for m in (
        Plan, Division, WorkGroup, PlanStatement, StrategyNode, Variant, PrintedTotal, Indicator, IndicatorTarget,
        Baseline, Rubric, RubricLevel, RubricCondition, Project, ProjectIndicator, KeyResultLink, WorkStep))


def test_reimporting_the_export_unchanged_changes_nothing(real_plan, planner):
    data = export_workbook(real_plan)
    before, history = snapshot(real_plan), history_count()
    with CaptureQueriesContext(connection) as queries:
        preview = import_workbook(data, "plan-2567.xlsx", user=planner, dry_run=False)
    assert problems(preview) == []
    actions = {r.action for s in preview.sheets for r in s.rows}
    assert actions == {"skip"}
    assert history_count() == history
    assert snapshot(real_plan) == before
    # Nothing per row: loading what exists is a constant number of queries per sheet.
    assert len(queries) < 80, len(queries)  # 63 when written: ~3 per sheet, none per row
