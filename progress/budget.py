"""Read-side assembly for project pages and budget execution."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

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
from projects.models import Project, WorkStep

from .models import ProgressEntry


def official_month_entries(plan, projects):
    """Submitted or later monthly reports of these projects (drafts are the division's own)."""
    return (
        ProgressEntry.objects.filter(plan=plan, project__in=projects, period__kind=Period.Kind.MONTH)
        .official().select_related("period").prefetch_related("steps_done")
    )


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


def s_curve(project: Project, user=None) -> SCurve:
    """Planned curve from the work steps; the actual curve from submitted reports (the
    steps done, or without steps the percent complete reported), shown only to those who
    may see the project's progress (its division, planners, executives)."""
    from .services import Item, can_view_item

    visible = user is None or can_view_item(user, project.plan, Item("project", project))
    return _curve(project, list(project.work_steps.all()), official_month_entries(project.plan, [project]) if visible else [])


def _curve(project: Project, steps: list, entries) -> SCurve:
    """The S-curve of one project from its work steps and its official monthly reports."""
    planned = planned_cumulative([Step(s.weight or Decimal(0), tuple(s.months)) for s in steps])
    by_month: list[Decimal | None] = [None] * 12
    weight = {s.pk: s.weight or Decimal(0) for s in steps}
    for entry in entries:
        if steps:
            by_month[entry.period.number - 1] = sum((weight.get(s.pk, Decimal(0)) for s in entry.steps_done.all()), Decimal(0))
        else:
            by_month[entry.period.number - 1] = entry.percent_complete
    actual = actual_cumulative(by_month) if steps else reported_curve(by_month)
    labels = [m.abbr_th for m in fiscal_months(project.plan.fiscal_year_id)]
    return SCurve(planned, actual, slippage(planned, actual) if steps else [], labels,
                  sum((s.weight or Decimal(0) for s in steps), Decimal(0)), reported=not steps)


def behind_schedule(curve: SCurve, up_to_month: int) -> bool:
    """Behind schedule at `up_to_month`: the last month reported by then is one of the
    curve's slipping months (more than 10 points behind the work plan)."""
    reported = [m for m, v in enumerate(curve.actual[:up_to_month], start=1) if v is not None]
    return bool(reported) and reported[-1] in curve.slipping


def schedules(plan, projects: list[Project]) -> dict[int, SCurve]:
    """The S-curve of each project (as s_curve draws it), in a fixed number of queries:
    for lists of many projects. The caller shows only projects the user may see."""
    steps: dict[int, list] = defaultdict(list)
    for step in WorkStep.objects.filter(project__in=[p.pk for p in projects]).order_by("project_id", "number"):
        steps[step.project_id].append(step)
    entries: dict[int, list] = defaultdict(list)
    for entry in official_month_entries(plan, [p.pk for p in projects]):
        entries[entry.project_id].append(entry)
    return {p.pk: _curve(p, steps[p.pk], entries[p.pk]) for p in projects}


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
