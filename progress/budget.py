"""Read-side assembly for project pages and budget execution."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language

from kpiplan.lib.fiscal import fiscal_months
from plans.models import Period
from projects.calculations import (
    Execution,
    Step,
    actual_cumulative,
    execution,
    planned_cumulative,
    repeated_lines,
    reported_curve,
    slippage,
)
from projects.models import Project

from .models import ProgressEntry


@dataclass
class SCurve:
    planned: list[Decimal]
    actual: list[Decimal | None]
    slipping: list[int]
    labels: list[str]
    weights_total: Decimal
    # True: the project has no work steps, and `actual` is the percent complete its
    # reports give (the only measure of progress it has); False: the weight of the steps done.
    reported: bool = False

    @property
    def latest(self) -> Decimal | None:
        """The last reported point of the actual curve."""
        return next((v for v in reversed(self.actual) if v is not None), None)

    def behind_at(self, month: int) -> bool:
        """Behind schedule at the end of fiscal month `month`: its latest report up to
        then is in a month of `slipping` (behind the planned curve by more than the
        tolerance). A project without work steps has no plan to be behind."""
        reported = [i + 1 for i, v in enumerate(self.actual[:month]) if v is not None]
        return bool(reported) and reported[-1] in self.slipping


def s_curve(project: Project, user=None) -> SCurve:
    """Planned curve from the work steps; the actual curve from submitted reports (the
    steps done, or without steps the percent complete reported), shown only to those who
    may see the project's progress (its division, planners, executives)."""
    from .services import Item, can_view_item

    visible = user is None or can_view_item(user, project.plan, Item("project", project))
    reports = _month_reports(project.plan, [project]).get(project.pk, []) if visible else []
    return _curve(project, list(project.work_steps.all()), reports)


def s_curves(plan, projects) -> dict[int, SCurve]:
    """s_curve(project) of many projects of `plan` (as planners and executives see them),
    by project pk, in three queries."""
    from projects.models import WorkStep

    projects = list(projects)
    steps: dict[int, list] = defaultdict(list)
    for step in WorkStep.objects.filter(project__in=projects).order_by("project_id", "number"):
        steps[step.project_id].append(step)
    reports = _month_reports(plan, projects)
    return {p.pk: _curve(p, steps.get(p.pk, []), reports.get(p.pk, []), plan.fiscal_year_id) for p in projects}


@dataclass(frozen=True)
class _MonthReport:
    month: int
    percent_complete: Decimal | None
    steps_done: tuple[int, ...]


def _month_reports(plan, projects) -> dict[int, list[_MonthReport]]:
    """The official monthly reports of these projects as the S-curve reads them (month,
    percent complete, steps done), by project: two queries of plain values, however many
    reports (a city-sized plan's dashboard reads a thousand)."""
    rows = list(ProgressEntry.objects.filter(plan=plan, project__in=projects, period__kind=Period.Kind.MONTH).official()
                .values_list("pk", "project_id", "period__number", "percent_complete"))
    done: dict[int, list[int]] = defaultdict(list)
    through = ProgressEntry.steps_done.through
    for entry_id, step_id in through.objects.filter(progressentry_id__in=[r[0] for r in rows]).values_list(
            "progressentry_id", "workstep_id"):
        done[entry_id].append(step_id)
    reports: dict[int, list[_MonthReport]] = defaultdict(list)
    for pk, project_id, month, percent in rows:
        reports[project_id].append(_MonthReport(month, percent, tuple(done.get(pk, ()))))
    return reports


def _curve(project: Project, steps: list, reports: list[_MonthReport], fiscal_year: int | None = None) -> SCurve:
    """The S-curve of one project from its work steps and its official monthly reports."""
    planned = planned_cumulative([Step(s.weight or Decimal(0), tuple(s.months)) for s in steps])
    by_month: list[Decimal | None] = [None] * 12
    weight = {s.pk: s.weight or Decimal(0) for s in steps}
    for report in reports:
        if steps:
            by_month[report.month - 1] = sum((weight.get(pk, Decimal(0)) for pk in report.steps_done), Decimal(0))
        else:
            by_month[report.month - 1] = report.percent_complete
    actual = actual_cumulative(by_month) if steps else reported_curve(by_month)
    labels = [m.abbr_in(get_language()) for m in fiscal_months(fiscal_year or project.plan.fiscal_year_id)]
    return SCurve(planned, actual, slippage(planned, actual) if steps else [], labels,
                  sum((s.weight or Decimal(0) for s in steps), Decimal(0)), reported=not steps)


@dataclass
class ExecutionRow:
    label: str
    execution: Execution
    quarters: list[Decimal | None] = field(default_factory=list)  # disbursement % at each quarter end
    project: Project | None = None


def _quarter_pct(allocated: Decimal, disbursed_at: list[Decimal]) -> list[Decimal | None]:
    return [execution([(allocated, d)]).percent for d in disbursed_at]


class _Disbursements:
    """Latest official disbursement of every budget line of a plan, by month."""

    def __init__(self, plan):
        self.latest: dict[int, dict[int, Decimal]] = defaultdict(dict)  # project -> month -> disbursed
        # Plain tuples, not model instances: a city-sized plan has tens of thousands of reports.
        for project_id, month, disbursed in (
            ProgressEntry.objects.filter(plan=plan, project__isnull=False, period__kind=Period.Kind.MONTH, disbursed__isnull=False)
            .official().values_list("project_id", "period__number", "disbursed")
        ):
            self.latest[project_id][month] = disbursed

    def at(self, project_id: int, month: int) -> Decimal:
        """Disbursed to date at the end of `month`: the latest report up to then."""
        months = [m for m in self.latest.get(project_id, ()) if m <= month]
        return self.latest[project_id][max(months)] if months else Decimal(0)

    def row(self, label: str, members: list[tuple[int, Decimal | None]], up_to_month: int, quarter_ends: list[int]) -> ExecutionRow:
        """Allocated vs disbursed of (project id, budget) pairs, with the % at each quarter end."""
        ex = execution([(budget, self.at(pk, up_to_month)) for pk, budget in members])
        quarters = [execution([(ex.allocated, sum((self.at(pk, q) for pk, _b in members), Decimal(0)))]).percent for q in quarter_ends]
        return ExecutionRow(label, ex, quarters)


def disbursements(plan) -> _Disbursements:
    """The plan's disbursements to date (`.at(project_id, month)`), in one query."""
    return _Disbursements(plan)


def _quarter_ends(up_to_month: int) -> list[int]:
    return [m for m in (3, 6, 9, 12) if m <= up_to_month] or [up_to_month]


def budget_execution(plan, up_to_month: int) -> dict:
    """Allocated vs disbursed per project, division, section and plan, from the latest
    official monthly report up to `up_to_month`, with disbursement % at each quarter end."""
    projects = list(Project.objects.filter(plan=plan).budget_lines().select_related("division").order_by("section", "order"))
    paid = _Disbursements(plan)
    quarter_ends = _quarter_ends(up_to_month)
    rows, groups = [], defaultdict(list)
    section_labels = dict(Project.Section.choices)
    # A project the plan lists in two sections is in both sections' totals (as the document
    # prints them) but counted once in its division's and the plan's.
    repeats = repeated_lines((p.pk, p.same_as_id) for p in projects)
    by_pk = {p.pk: p for p in projects}
    for p in projects:
        ex = execution([(p.budget, paid.at(p.pk, up_to_month))])
        row = ExecutionRow(str(p), ex, _quarter_pct(p.budget or Decimal(0), [paid.at(p.pk, q) for q in quarter_ends]), p)
        rows.append(row)
        if p.pk not in repeats:
            groups[("division", p.division.name if p.division else "-")].append((p.pk, p.budget))
        groups[("section", str(section_labels[p.section]))].append((p.pk, p.budget))
    return {
        "projects": rows,
        "divisions": [paid.row(label, m, up_to_month, quarter_ends) for (kind, label), m in groups.items() if kind == "division"],
        "sections": [paid.row(label, m, up_to_month, quarter_ends) for (kind, label), m in groups.items() if kind == "section"],
        "plan": paid.row(plan.title, [(p.pk, p.budget) for p in projects if p.pk not in repeats], up_to_month, quarter_ends),
        "repeats": [Repeat(by_pk[pk], by_pk[counted]) for pk, counted in repeats.items()],
        "quarters": quarter_ends,
    }


@dataclass(frozen=True)
class Repeat:
    """A budget line that repeats `counted` (the same project in another section): left out
    of the plan's and its division's totals, which say so in a note."""

    line: Project
    counted: Project


@dataclass
class BudgetTotals:
    sections: list[ExecutionRow]
    plan: ExecutionRow
    project_count: int
    paid: _Disbursements
    up_to_month: int
    repeated: int = 0  # budget lines that repeat another (same project, two sections): not in the plan's total

    def row_of(self, project: Project) -> ExecutionRow:
        """One project's row, as budget_execution gives it (without quarter figures)."""
        return ExecutionRow(str(project), execution([(project.budget, self.paid.at(project.pk, self.up_to_month))]), [], project)


def budget_totals(plan, up_to_month: int) -> BudgetTotals:
    """The section and plan rows of budget_execution (the same numbers), without a row
    per project: for summaries of plans with thousands of budget lines."""
    lines = list(Project.objects.filter(plan=plan).budget_lines().order_by("section", "order")
                 .values_list("pk", "section", "budget", "same_as_id"))
    paid = _Disbursements(plan)
    quarter_ends = _quarter_ends(up_to_month)
    section_labels = dict(Project.Section.choices)
    by_section: dict[int, list[tuple[int, Decimal | None]]] = defaultdict(list)
    for pk, section, budget, _same in lines:
        by_section[section].append((pk, budget))
    repeats = repeated_lines((pk, same) for pk, _sec, _budget, same in lines)  # counted once in the plan's total
    return BudgetTotals(
        [paid.row(str(section_labels[sec]), members, up_to_month, quarter_ends) for sec, members in by_section.items()],
        paid.row(plan.title, [(pk, budget) for pk, _sec, budget, _same in lines if pk not in repeats], up_to_month, quarter_ends),
        len(lines) - len(repeats), paid, up_to_month, len(repeats),
    )


@dataclass(frozen=True)
class MonthDisbursement:
    """The plan's budget at the end of one fiscal month: disbursed to date (budget_totals'
    plan row for that month) against the disbursement planned to date."""
    month: int
    execution: Execution  # allocated, disbursed to date, percent
    planned: Decimal  # baht planned to be disbursed by the month's end

    @property
    def planned_percent(self) -> Decimal | None:
        return execution([(self.execution.allocated, self.planned)]).percent


def planned_share(curve: SCurve, month: int) -> Decimal:
    """The share (0-1) of a budget line planned to be spent by the end of fiscal `month`:
    its work steps' planned curve (scaled to their total weight); without steps, an even
    pace over the year's twelve months."""
    from indicators.calculations import planned_pace

    if curve.weights_total:
        return curve.planned[month - 1] / curve.weights_total
    return planned_pace(month, 12) / 100


def disbursement_by_month(plan, up_to_month: int, curves: dict[int, SCurve] | None = None) -> list[MonthDisbursement]:
    """For each fiscal month 1..`up_to_month`: the plan's disbursement to date (the same
    as budget_totals(plan, month).plan) and the disbursement planned by then: every
    budget line's budget times its planned_share. A fixed number of queries (`curves`:
    the budget lines' s_curves when the caller has them already)."""
    lines = list(Project.objects.filter(plan=plan).budget_lines().order_by("section", "order"))
    repeats = repeated_lines((p.pk, p.same_as_id) for p in lines)
    counted = [p for p in lines if p.pk not in repeats]
    paid = _Disbursements(plan)
    curves = curves if curves is not None else s_curves(plan, counted)
    result = []
    for month in range(1, up_to_month + 1):
        ex = execution([(p.budget, paid.at(p.pk, month)) for p in counted])
        planned = sum(((p.budget or Decimal(0)) * planned_share(curves[p.pk], month) for p in counted), Decimal(0))
        result.append(MonthDisbursement(month, ex, planned.quantize(Decimal("0.01"))))
    return result
