"""Report builders: plain contexts with every query done up front and every number from
the domain functions (progress.status, projects.selectors)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from plans.models import Division, Period
from progress.models import ProgressEntry
from progress.status import IndicatorStatus, indicator_statuses
from projects.selectors import ExecutionRow, budget_execution


@dataclass
class IndicatorLine:
    status: IndicatorStatus
    entry: ProgressEntry | None


@dataclass
class ProjectLine:
    execution: ExecutionRow
    entry: ProgressEntry | None


@dataclass
class DivisionSection:
    division: Division
    indicators: list[IndicatorLine] = field(default_factory=list)
    projects: list[ProjectLine] = field(default_factory=list)
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)


def quarterly_progress(plan, quarter: int, division: Division | None = None) -> dict:
    """Quarterly progress of an organization (or one division): numbers to the end of the
    quarter's last month, the latest submitted report of each item up to then."""
    month_number = quarter * 3
    month = Period.objects.get(fiscal_year_id=plan.fiscal_year_id, kind=Period.Kind.MONTH, number=month_number)
    statuses = indicator_statuses(plan, month)
    execution = budget_execution(plan, month_number)
    latest: dict[tuple[str, int], ProgressEntry] = {}
    entries = (
        ProgressEntry.objects.filter(plan=plan, period__fiscal_year_id=plan.fiscal_year_id, period__kind=Period.Kind.MONTH,
                                     period__number__lte=month_number)
        .official().annotate(n_evidence=Count("evidence")).select_related("period").order_by("period__number")
    )
    for e in entries:
        latest[("indicator", e.indicator_id) if e.indicator_id else ("project", e.project_id)] = e
    sections: dict[int, DivisionSection] = {}
    divisions = {d.pk: d for d in Division.objects.filter(organization_id=plan.organization_id)}

    def section(division_id):
        if division_id not in sections:
            sections[division_id] = DivisionSection(divisions[division_id])
        return sections[division_id]

    for s in statuses:
        section(s.indicator.division_id).indicators.append(IndicatorLine(s, latest.get(("indicator", s.indicator.pk))))
    for row in execution["projects"]:
        p = row.project
        if p.division_id is None:
            continue
        sec = section(p.division_id)
        sec.projects.append(ProjectLine(row, latest.get(("project", p.pk))))
        sec.allocated += row.execution.allocated
        sec.disbursed += row.execution.disbursed
    ordered = sorted(sections.values(), key=lambda s: s.division.order)
    if division is not None:
        ordered = [s for s in ordered if s.division.pk == division.pk]
    counts = defaultdict(int)
    for sec in ordered:
        for line in sec.indicators:
            counts[line.status.status.value] += 1
    return {
        "plan": plan, "quarter": quarter, "month": month, "division": division, "sections": ordered,
        "status_counts": dict(counts), "budget": execution["plan"] if division is None else None,
    }
