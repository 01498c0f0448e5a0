"""Achievement and status of every indicator for a period, rolled up the strategy tree.
Numbers come from indicators.calculations only.

A period of any kind is judged at its end: a quarter's (or the year's) status of a
monthly indicator is its status at the quarter's last month, from the months reported
up to then; a quarterly indicator counts its quarters up to then. So Q1 agrees with
December, and the year with September."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from indicators.calculations import (
    Reported,
    Status,
    achievement,
    district_target,
    period_result,
    planned_pace,
    roll_up,
    status,
)
from indicators.models import Indicator, IndicatorTarget
from kpiplan.lib.fiscal import KINDS_WITHIN, MONTHS_IN
from plans.models import StrategyNode

from .models import ProgressEntry, due_date

STATUS_LABELS = {
    Status.ON_TRACK: "on_track",
    Status.AT_RISK: "at_risk",
    Status.OFF_TRACK: "off_track",
    Status.NOT_REPORTED: "not_reported",
    Status.NO_TARGET: "no_target",
}


@dataclass
class IndicatorStatus:
    indicator: Indicator
    target: Decimal | None
    result: Decimal | None
    achievement: Decimal | None
    planned: Decimal
    status: Status
    # The city's target of a city-wide key result, shown beside the district's own
    # (`target`) and never used to judge the district; None for the district's own indicators.
    city_target: Decimal | None = None

    @property
    def city_target_shown(self) -> bool:
        """The city's target goes beside the district's only where it is another figure."""
        return self.city_target is not None and self.city_target != self.target


@dataclass
class NodeStatus:
    node: StrategyNode
    status: Status
    counts: dict = field(default_factory=dict)
    indicators: list[IndicatorStatus] = field(default_factory=list)


def targets_of(indicator: Indicator) -> tuple[Decimal | None, Decimal | None]:
    """The district's target of one indicator, and the city's where it is another figure
    (what the entry page shows beside the result being typed)."""
    city = _city_targets([indicator])
    district = _main_targets([indicator], city).get(indicator.pk)
    city_target = city.get(indicator.pk) if _is_city_wide(indicator) else None
    return district, city_target if city_target is not None and city_target != district else None


def main_target(indicator: Indicator) -> Decimal | None:
    """The target the achievement is measured against: the district's own
    (indicators.calculations.district_target)."""
    return _main_targets([indicator]).get(indicator.pk)


def _numbers_to_date(period, kind: str) -> range:
    """Numbers of the periods of `kind` from the year's start to `period`'s end."""
    return range(1, period.last_month // MONTHS_IN[kind] + 1)


def _official_values(indicators, period) -> dict[int, dict[tuple[str, int], Reported]]:
    """Submitted-or-later results (verified when verified) from the year's start to the
    end of `period`, per indicator and reporting period: drafts are the division's own
    and count nowhere. One query."""
    values: dict[int, dict[tuple[str, int], Reported]] = defaultdict(dict)
    within = Q()
    for kind in KINDS_WITHIN[period.kind]:
        within |= Q(period__kind=kind, period__number__in=list(_numbers_to_date(period, kind)))
    entries = ProgressEntry.objects.filter(
        within, indicator__in=indicators, period__fiscal_year_id=period.fiscal_year_id,
    ).official().values("indicator_id", "period__kind", "period__number", "value", "verified_value", "value_is_cumulative")
    for e in entries:
        value = e["verified_value"] if e["verified_value"] is not None else e["value"]
        if value is not None:
            values[e["indicator_id"]][(e["period__kind"], e["period__number"])] = Reported(value, e["value_is_cumulative"])
    return values


def _city_targets(indicators) -> dict[int, Decimal]:
    """Each indicator's own printed target: the first value that is not one agency's share."""
    targets: dict[int, Decimal] = {}
    for indicator_id, value in (IndicatorTarget.objects.filter(indicator__in=indicators, agency__isnull=True)
                                .order_by("indicator_id", "order", "pk").values_list("indicator_id", "value")):
        targets.setdefault(indicator_id, value)
    return targets


def _is_city_wide(indicator: Indicator) -> bool:
    """A key result of the city's plan led by a city agency, not by one of the district's
    divisions: its printed target is the city's (all districts and agencies together)."""
    return indicator.lead_agency_id is not None and indicator.lead_division_id is None


def _main_targets(indicators, city: dict[int, Decimal] | None = None) -> dict[int, Decimal]:
    """The district's target of many indicators in two queries (a prefetch would build a
    queryset per indicator, which a city-sized plan feels)."""
    from kpiplan.lib.thai import first_number
    from projects.models import KeyResultLink

    from .plausibility import is_share

    city = _city_targets(indicators) if city is None else city
    shares = {ind.pk for ind in indicators if is_share(ind.unit)}
    table_d: dict[int, list[Decimal]] = defaultdict(list)
    for indicator_id, text in (KeyResultLink.objects.filter(indicator__in=indicators).order_by("order", "pk")
                               .values_list("indicator_id", "project_kpi_target")):
        value = first_number(text)
        # A project KPI in another measure than its key result's share (baht paid for a
        # percentage of the fund spent) is not the district's target for it.
        if value is not None and (indicator_id not in shares or "ร้อยละ" in text or "%" in text):
            table_d[indicator_id].append(value)
    targets = {}
    for ind in indicators:
        value = district_target(city_target=city.get(ind.pk), city_wide=_is_city_wide(ind), share=is_share(ind.unit),
                                table_d_targets=table_d.get(ind.pk, ()))
        if value is not None:
            targets[ind.pk] = value
    return targets


def _compute(ind: Indicator, values: dict[tuple[str, int], Reported], period, target: Decimal | None,
             city_target: Decimal | None = None) -> IndicatorStatus:
    kind = ind.reporting_frequency
    to_date = period_result({n: r for (k, n), r in values.items() if k == kind}, _numbers_to_date(period, kind))
    pct = achievement(to_date, target, lower_is_better=ind.direction == Indicator.Direction.LOWER)
    # A ceiling (lower is better) is met or not at any time; it has no pace. Others are
    # planned at an even pace over the year's months.
    planned = Decimal(100) if ind.direction == Indicator.Direction.LOWER else planned_pace(period.last_month, 12)
    return IndicatorStatus(ind, target, to_date, pct, planned, status(pct, planned, reported=to_date is not None),
                           city_target if _is_city_wide(ind) else None)


def indicator_status(indicator: Indicator, period) -> IndicatorStatus:
    """One indicator's status (the API's detail); the same numbers as the status page."""
    return _compute(indicator, _official_values([indicator], period)[indicator.pk], period, main_target(indicator),
                    _city_targets([indicator]).get(indicator.pk))


def indicator_statuses(plan, period) -> list[IndicatorStatus]:
    indicators = list(
        Indicator.objects.filter(plan=plan, division__isnull=False, reporting_frequency__in=KINDS_WITHIN[period.kind])
        .select_related("node", "node__parent")
        .order_by("order")
    )
    values = _official_values(indicators, period)
    city = _city_targets(indicators)
    targets = _main_targets(indicators, city)
    return [_compute(ind, values[ind.pk], period, targets.get(ind.pk), city.get(ind.pk)) for ind in indicators]


def is_overdue(plan, period, today: datetime.date | None = None) -> bool:
    """The period's reports were due (its end plus the plan's days to report) and the
    day has passed: from then on a missing report counts against its group."""
    return (today or timezone.localdate()) > due_date(plan, period)


def status_counts(statuses: list[IndicatorStatus]) -> dict[str, int]:
    counts = dict.fromkeys((s.value for s in Status), 0)
    for s in statuses:
        counts[s.status.value] += 1
    return counts


def rolled_up(plan, statuses: list[IndicatorStatus], *, overdue: bool = False) -> tuple[list[NodeStatus], Status]:
    """Status per objective / development area (or sub-strategy) and for the plan, by
    indicators.calculations.roll_up (`overdue`: the period's deadline has passed)."""
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
        rows.append(NodeStatus(node, roll_up((s.status for s in items), overdue=overdue), status_counts(items), items))
    rows.sort(key=lambda r: r.node.order)
    return rows, roll_up((s.status for s in statuses), overdue=overdue)
