"""Achievement and status of every indicator for a period, rolled up the strategy tree.
Numbers come from indicators.calculations only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.calculations import Status, achievement, planned_pace, result_to_date, roll_up, status
from indicators.models import Indicator, IndicatorTarget
from plans.models import StrategyNode

from .models import ProgressEntry

STATUS_LABELS = {
    Status.ON_TRACK: "on_track",
    Status.AT_RISK: "at_risk",
    Status.OFF_TRACK: "off_track",
    Status.NOT_REPORTED: "not_reported",
}


@dataclass
class IndicatorStatus:
    indicator: Indicator
    target: Decimal | None
    result: Decimal | None
    achievement: Decimal | None
    planned: Decimal
    status: Status


@dataclass
class NodeStatus:
    node: StrategyNode
    status: Status
    counts: dict = field(default_factory=dict)
    indicators: list[IndicatorStatus] = field(default_factory=list)


def main_target(indicator: Indicator) -> Decimal | None:
    """The target the achievement is measured against: the first value that is not one
    agency's share (the document prints the district's own figure first)."""
    return _main_targets([indicator]).get(indicator.pk)


PERIODS_IN_YEAR = {"month": 12, "quarter": 4, "year": 1}


def _official_values(indicators, period) -> dict[int, dict[int, Decimal | None]]:
    """Submitted-or-later results (verified when verified) of the periods of the same kind
    up to `period`: drafts are the division's own and count nowhere."""
    values: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    entries = ProgressEntry.objects.filter(
        indicator__in=indicators, period__kind=period.kind, period__fiscal_year_id=period.fiscal_year_id,
        period__number__lte=period.number,
    ).official().values("indicator_id", "period__number", "value", "verified_value")
    for e in entries:
        values[e["indicator_id"]][e["period__number"]] = e["verified_value"] if e["verified_value"] is not None else e["value"]
    return values


def _main_targets(indicators) -> dict[int, Decimal]:
    """main_target of many indicators in one query (a prefetch would build a queryset per
    indicator, which a city-sized plan feels)."""
    targets: dict[int, Decimal] = {}
    for indicator_id, value in (IndicatorTarget.objects.filter(indicator__in=indicators, agency__isnull=True)
                                .order_by("indicator_id", "order", "pk").values_list("indicator_id", "value")):
        targets.setdefault(indicator_id, value)
    return targets


def _compute(ind: Indicator, values: dict[int, Decimal | None], period, target: Decimal | None) -> IndicatorStatus:
    series = [values.get(n) for n in range(1, period.number + 1)]
    to_date = result_to_date(series, ind.cumulative)
    pct = achievement(to_date, target, lower_is_better=ind.direction == Indicator.Direction.LOWER)
    # A ceiling (lower is better) is met or not at any time; it has no pace.
    pace = planned_pace(period.number, PERIODS_IN_YEAR[period.kind])
    planned = Decimal(100) if ind.direction == Indicator.Direction.LOWER else pace
    return IndicatorStatus(ind, target, to_date, pct, planned, status(pct, planned))


def indicator_status(indicator: Indicator, period) -> IndicatorStatus:
    """One indicator's status (the API's detail); the same numbers as the status page."""
    return _compute(indicator, _official_values([indicator], period)[indicator.pk], period, main_target(indicator))


def indicator_statuses(plan, period) -> list[IndicatorStatus]:
    indicators = list(
        Indicator.objects.filter(plan=plan, division__isnull=False, reporting_frequency=period.kind)
        .select_related("node", "node__parent")
        .order_by("order")
    )
    values = _official_values(indicators, period)
    targets = _main_targets(indicators)
    return [_compute(ind, values[ind.pk], period, targets.get(ind.pk)) for ind in indicators]


def rolled_up(plan, statuses: list[IndicatorStatus]) -> tuple[list[NodeStatus], Status]:
    """Status per objective / development area (or sub-strategy) and for the plan."""
    nodes = {n.pk: n for n in StrategyNode.objects.filter(plan=plan)}
    per_node: dict[int, list[IndicatorStatus]] = defaultdict(list)
    for s in statuses:
        node = s.indicator.node
        seen = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            per_node[node.pk].append(s)
            node = nodes.get(node.parent_id) if node.parent_id else None
    rows = []
    for node_id, items in per_node.items():
        node = nodes[node_id]
        if node.level not in (StrategyNode.Level.OBJECTIVE, StrategyNode.Level.DEVELOPMENT_AREA, StrategyNode.Level.SUB_STRATEGY):
            continue
        counts = defaultdict(int)
        for s in items:
            counts[s.status.value] += 1
        rows.append(NodeStatus(node, roll_up(s.status for s in items), dict(counts), items))
    rows.sort(key=lambda r: r.node.order)
    return rows, roll_up(s.status for s in statuses)
