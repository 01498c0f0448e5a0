"""Read-side assembly for project pages and budget execution."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from kpiplan.lib.fiscal import fiscal_months
from plans.models import Period
from progress.models import ProgressEntry

from .calculations import Execution, Step, actual_cumulative, execution, planned_cumulative, slippage
from .models import Project


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


def s_curve(project: Project, user=None) -> SCurve:
    """Planned curve from the work steps; the actual curve from submitted reports, shown
    only to those who may see the project's progress (its division, planners, executives)."""
    from progress.services import Item, can_view_item

    steps = list(project.work_steps.all())
    planned = planned_cumulative([Step(s.weight or Decimal(0), tuple(s.months)) for s in steps])
    by_month: list[Decimal | None] = [None] * 12
    weight = {s.pk: s.weight or Decimal(0) for s in steps}
    visible = user is None or can_view_item(user, project.plan, Item("project", project))
    for entry in official_month_entries(project.plan, [project]) if visible else []:
        by_month[entry.period.number - 1] = sum((weight.get(s.pk, Decimal(0)) for s in entry.steps_done.all()), Decimal(0))
    actual = actual_cumulative(by_month) if steps else [None] * 12
    labels = [m.abbr_th for m in fiscal_months(project.plan.fiscal_year_id)]
    return SCurve(planned, actual, slippage(planned, actual) if steps else [], labels,
                  sum((s.weight or Decimal(0) for s in steps), Decimal(0)))


@dataclass
class ExecutionRow:
    label: str
    execution: Execution
    quarters: list[Decimal | None] = field(default_factory=list)  # disbursement % at each quarter end
    project: Project | None = None


def _quarter_pct(allocated: Decimal, disbursed_at: list[Decimal]) -> list[Decimal | None]:
    return [execution([(allocated, d)]).percent for d in disbursed_at]


def budget_execution(plan, up_to_month: int) -> dict:
    """Allocated vs disbursed per project, division, section and plan, from the latest
    official monthly report up to `up_to_month`, with disbursement % at each quarter end."""
    projects = list(Project.objects.filter(plan=plan).budget_lines().select_related("division").order_by("section", "order"))
    latest: dict[int, dict[int, Decimal]] = defaultdict(dict)  # project -> month -> disbursed
    for entry in ProgressEntry.objects.filter(plan=plan, project__in=projects, period__kind=Period.Kind.MONTH,
                                              disbursed__isnull=False).official().select_related("period"):
        latest[entry.project_id][entry.period.number] = entry.disbursed

    def disbursed_at(project_id: int, month: int) -> Decimal:
        months = [m for m in latest.get(project_id, {}) if m <= month]
        return latest[project_id][max(months)] if months else Decimal(0)

    quarter_ends = [m for m in (3, 6, 9, 12) if m <= up_to_month] or [up_to_month]
    rows, groups = [], defaultdict(list)
    for p in projects:
        ex = execution([(p.budget, disbursed_at(p.pk, up_to_month))])
        row = ExecutionRow(str(p), ex, _quarter_pct(p.budget or Decimal(0), [disbursed_at(p.pk, q) for q in quarter_ends]), p)
        rows.append(row)
        groups[("division", p.division.name if p.division else "-")].append(p)
        groups[("section", p.get_section_display())].append(p)

    def summary(label, members):
        ex = execution([(p.budget, disbursed_at(p.pk, up_to_month)) for p in members])
        allocated = ex.allocated
        quarters = [execution([(allocated, sum((disbursed_at(p.pk, q) for p in members), Decimal(0)))]).percent for q in quarter_ends]
        return ExecutionRow(label, ex, quarters)

    return {
        "projects": rows,
        "divisions": [summary(label, m) for (kind, label), m in groups.items() if kind == "division"],
        "sections": [summary(label, m) for (kind, label), m in groups.items() if kind == "section"],
        "plan": summary(plan.title, projects),
        "quarters": quarter_ends,
    }
