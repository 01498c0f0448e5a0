"""The executive dashboard: the executive summary (reports.builders.executive_summary, the
same numbers as the summary PDF) on one screen, with the divisions' own words beside what
is behind or missing, and a link down from every figure. A quarter or the year is judged
at its end, as the status page judges it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kpiplan.lib.charts import ACTUAL_COLOUR, disbursement_columns_svg, stacked_bar_svg, status_columns_svg, swatch_svg
from kpiplan.lib.fiscal import fiscal_months
from plans.models import Division, Period, StrategyNode
from progress.budget import MonthDisbursement, SCurve, disbursement_by_month, s_curves
from progress.models import ProgressEntry
from progress.selectors import DivisionCompleteness, completeness_by_month
from progress.status import indicator_statuses_by_month, is_overdue, status_counts
from projects.models import Project

from .builders import CHART_WIDTH, STATUS_ORDER, AttentionLine, _safe, executive_summary


@dataclass
class AttentionRow:
    line: AttentionLine
    entry: ProgressEntry | None  # the latest submitted-or-later report up to the period's end

    @property
    def status(self):
        return self.line.status


def _latest_reports(indicators, month) -> dict[int, ProgressEntry]:
    """Each indicator's latest submitted-or-later report of the year up to `month`'s end,
    at the indicator's own reporting frequency. One query."""
    latest: dict[int, ProgressEntry] = {}
    entries = (ProgressEntry.objects.filter(indicator__in=indicators, period__fiscal_year_id=month.fiscal_year_id,
                                            period__end__lte=month.end).official()
               .select_related("period", "indicator").order_by("period__end", "period__kind"))
    for entry in entries:
        if entry.period.kind == entry.indicator.reporting_frequency:
            latest[entry.indicator_id] = entry
    return latest


@dataclass
class TrendMonth:
    """One month of the year to date: its indicator statuses as the status page judges
    that month, and the budget disbursed to its end against the plan."""
    month: Period
    label: str
    counts: dict[str, int]
    budget: MonthDisbursement
    values: list[int] = field(default_factory=list)  # the counts in the order of the table's columns


@dataclass
class HeatCell:
    month: Period
    summary: DivisionCompleteness | None  # None: nothing of the division's was due that month

    @property
    def percent(self) -> int | None:
        """Share of the due reports submitted or later, in whole %."""
        s = self.summary
        return round(s.submitted * 100 / s.due) if s and s.due else None

    @property
    def shade(self) -> str:
        """The cell's colour class: heat-0 (none) .. heat-4 (all), heat-na when nothing was due."""
        p = self.percent
        if p is None:
            return "heat-na"
        return "heat-4" if p == 100 else f"heat-{min(p // 34 + 1, 3)}" if p else "heat-0"


@dataclass
class HeatRow:
    division: Division
    cells: list[HeatCell] = field(default_factory=list)


@dataclass
class NodeLine:
    """Indicators under one objective of the plan (with descendants), by status."""
    node: StrategyNode | None
    area: StrategyNode | None  # the top-level element it belongs to
    counts: dict[str, int]
    total: int
    bar: str


@dataclass
class BehindLine:
    project: Project
    curve: SCurve
    month: int

    @property
    def planned(self) -> Decimal:
        return self.curve.planned[self.month - 1]

    @property
    def actual(self) -> Decimal | None:
        return next((v for v in reversed(self.curve.actual[:self.month]) if v is not None), None)


def _ancestry(nodes: dict[int, StrategyNode], node_id: int | None) -> list[StrategyNode]:
    """The node and its ancestors, the node first."""
    chain, seen = [], set()
    while node_id is not None and node_id in nodes and node_id not in seen:
        seen.add(node_id)
        chain.append(nodes[node_id])
        node_id = nodes[node_id].parent_id
    return chain


def _objective_lines(plan, statuses) -> list[NodeLine]:
    """Status counts per objective (the plan's level below the development areas; an
    indicator counts in its nearest objective up the tree), in the plan's order, the
    indicators under no objective last. One query."""
    nodes = {n.pk: n for n in StrategyNode.objects.filter(plan=plan)}
    per: dict[int | None, list] = {}
    for s in statuses:
        chain = _ancestry(nodes, s.indicator.node_id)
        objective = next((n for n in chain if n.level == StrategyNode.Level.OBJECTIVE), None)
        per.setdefault(objective.pk if objective else None, []).append(s)
    keys = sorted((pk for pk in per if pk is not None), key=lambda pk: nodes[pk].order) + ([None] if None in per else [])
    counted = {pk: status_counts(per[pk]) for pk in keys}
    widest = max((sum(c.values()) for c in counted.values()), default=0)
    return [NodeLine(nodes.get(pk) if pk else None, (_ancestry(nodes, pk)[-1] if pk else None), counted[pk],
                     sum(counted[pk].values()),
                     _safe(stacked_bar_svg([(k, counted[pk][k]) for k in STATUS_ORDER], widest, width=CHART_WIDTH)))
            for pk in keys]


def _heat_rows(by_month: dict[int, list[DivisionCompleteness]], months: list[Period]) -> list[HeatRow]:
    """Division × month of completeness_by_month: every division with something due in
    any of the months, in the divisions' order."""
    divisions: dict[int, Division] = {}
    cells: dict[tuple[int, int], DivisionCompleteness] = {}
    for number, summaries in by_month.items():
        for s in summaries:
            divisions.setdefault(s.division.pk, s.division)
            cells[(s.division.pk, number)] = s
    return [HeatRow(d, [HeatCell(m, cells.get((d.pk, m.number))) for m in months])
            for d in sorted(divisions.values(), key=lambda d: (d.order, d.pk))]


def behind_schedule(lines: list[Project], curves: dict[int, SCurve], month: int) -> list[BehindLine]:
    """The budget lines behind schedule at the end of fiscal `month` (SCurve.behind_at),
    in the given order."""
    return [BehindLine(p, curves[p.pk], month) for p in lines if curves[p.pk].behind_at(month)]


def executive_dashboard(plan, period) -> dict:
    """Everything the dashboard shows for `plan` at the end of `period` (a month, quarter
    or the year). The queries do not grow with the data, nor with the months of the year
    to date."""
    summary = executive_summary(plan, period.last_month, list_limit=10_000)
    month = summary["month"]
    months = list(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind=Period.Kind.MONTH,
                                        number__lte=month.number).order_by("number"))
    labels = [m.abbr_in(get_language()) for m in fiscal_months(plan.fiscal_year_id)]
    statuses_by_month = indicator_statuses_by_month(plan, months)
    lines = list(Project.objects.filter(plan=plan).budget_lines().select_related("division").order_by("section", "order"))
    curves = s_curves(plan, lines)
    disbursement = disbursement_by_month(plan, month.number, curves)
    trend = [TrendMonth(m, labels[m.number - 1], status_counts(statuses_by_month[m.number]), disbursement[m.number - 1])
             for m in months]
    trend_keys = [k for k in STATUS_ORDER if k != "no_target" or any(t.counts[k] for t in trend)]
    for t in trend:
        t.values = [t.counts[k] for k in trend_keys]
    behind = behind_schedule(lines, curves, month.number)
    lines = summary["attention"]
    latest = _latest_reports([line.status.indicator for line in lines], month)
    counts = summary["status_counts"]
    total = summary["indicator_count"]
    reported = total - counts.get("not_reported", 0)
    return {
        **summary,
        "period": period,
        "reported_count": reported,
        "reported_percent": round(reported * 100 / total) if total else 0,
        "overdue": is_overdue(plan, month),
        "attention_rows": [AttentionRow(line, latest.get(line.status.indicator.pk)) for line in lines],
        "legend": [(key, summary["swatches"][key]) for key in STATUS_ORDER],
        "trend": trend,
        "trend_keys": trend_keys,
        "planned_swatch": _safe(swatch_svg(ACTUAL_COLOUR, line=True)),
        "trend_chart": _safe(status_columns_svg(
            [(t.label, [(k, t.counts[k]) for k in STATUS_ORDER]) for t in trend],
            label=_("Indicator status by month, from October to %(month)s") % {"month": month})),
        "budget_now": disbursement[-1],
        "budget_chart": _safe(disbursement_columns_svg(
            [(t.label, t.budget.execution.percent, t.budget.planned_percent) for t in trend],
            label=_("Budget disbursed to date by month against the plan, from October to %(month)s") % {"month": month})),
        "behind": behind,
        "objectives": _objective_lines(plan, statuses_by_month[month.number]),
        "heat_rows": _heat_rows(completeness_by_month(plan, months), months),
    }
