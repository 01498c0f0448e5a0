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

from .models import ProgressEntry, counted_measures, due_date

STATUS_LABELS = {
    Status.ON_TRACK: "on_track",
    Status.AT_RISK: "at_risk",
    Status.OFF_TRACK: "off_track",
    Status.NOT_REPORTED: "not_reported",
    Status.NO_TARGET: "no_target",
}


@dataclass
class MeasureStatus:
    """One measure of an indicator whose target has several (OKR 1.4.07), judged on its
    own against the district's target for that measure."""
    label: str
    unit: str
    target: Decimal | None
    result: Decimal | None
    achievement: Decimal | None
    status: Status
    city_target: Decimal | None = None

    @property
    def city_target_shown(self) -> bool:
        return self.city_target is not None and self.city_target != self.target


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
    # An indicator with several measures has no single target or result: each measure is
    # judged on its own and the indicator's status is the worst of theirs (roll_up).
    measures: list[MeasureStatus] = field(default_factory=list)

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


@dataclass(frozen=True)
class MeasureTarget:
    label: str
    unit: str
    target: Decimal | None  # the district's
    city_target: Decimal  # as printed in the plan


def measure_targets(indicators) -> dict[int, list[MeasureTarget]]:
    """The measures of indicators whose target has several, each with the district's
    target for it: the table ง rows whose project text names the measure (six dredging
    rows of OKR 1.4.07 make 2.454 km, its one clearing row 73.751 km), else the printed
    target by the rule of indicators.calculations.district_target. Two queries."""
    from indicators.calculations import measure_of
    from indicators.models import measures_of
    from kpiplan.lib.thai import first_number
    from projects.models import KeyResultLink

    from .plausibility import is_share

    measures = measures_of(indicators)
    if not measures:
        return {}
    rows: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for indicator_id, text, target_text in (KeyResultLink.objects.filter(indicator__in=list(measures))
                                            .order_by("order", "pk")
                                            .values_list("indicator_id", "project_text", "project_kpi_target")):
        label = measure_of(text, [m.label for m in measures[indicator_id]])
        value = first_number(target_text)
        if label is not None and value is not None:
            rows[(indicator_id, label)].append(value)
    by_pk = {ind.pk: ind for ind in indicators}
    out = {}
    for pk, targets in measures.items():
        ind = by_pk[pk]
        out[pk] = [MeasureTarget(t.label, t.unit or ind.unit,
                                 district_target(city_target=t.value, city_wide=_is_city_wide(ind),
                                                 share=is_share(t.unit or ind.unit),
                                                 table_d_targets=rows.get((pk, t.label), ())),
                                 t.value) for t in targets]
    return out


def main_target(indicator: Indicator) -> Decimal | None:
    """The target the achievement is measured against: the district's own
    (indicators.calculations.district_target)."""
    return _main_targets([indicator]).get(indicator.pk)


def _numbers_to_date(period, kind: str) -> range:
    """Numbers of the periods of `kind` from the year's start to `period`'s end."""
    return range(1, period.last_month // MONTHS_IN[kind] + 1)


Series = dict[tuple[str, int], Reported]


def _official_values(indicators, period, *, with_measures: bool = True) -> tuple[dict[int, Series], dict[tuple[int, str], Series]]:
    """Submitted-or-later results (verified when verified) from the year's start to the
    end of `period`, per indicator and reporting period, and per (indicator, measure) for
    indicators reported by measure: drafts are the division's own and count nowhere.
    One query."""
    values: dict[int, Series] = defaultdict(dict)
    measures: dict[tuple[int, str], Series] = defaultdict(dict)
    within = Q()
    for kind in KINDS_WITHIN[period.kind]:
        within |= Q(period__kind=kind, period__number__in=list(_numbers_to_date(period, kind)))
    fields = ["indicator_id", "period__kind", "period__number", "value", "verified_value", "value_is_cumulative"]
    if with_measures:  # (the city view counts totals only: no JSON to read)
        fields += ["measure_values", "verified_measure_values"]
    entries = ProgressEntry.objects.filter(
        within, indicator__in=indicators, period__fiscal_year_id=period.fiscal_year_id,
    ).official().values(*fields)
    for e in entries:
        at = (e["period__kind"], e["period__number"])
        value = e["verified_value"] if e["verified_value"] is not None else e["value"]
        if value is not None:
            values[e["indicator_id"]][at] = Reported(value, e["value_is_cumulative"])
        for label, number in counted_measures(e.get("measure_values"), e.get("verified_measure_values")).items():
            measures[(e["indicator_id"], label)][at] = Reported(number, e["value_is_cumulative"])
    return values, measures


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


def is_city_wide(indicator: Indicator) -> bool:
    return _is_city_wide(indicator)


def main_targets(indicators) -> dict[int, Decimal]:
    """The district's target of each of `indicators` (those it has one for)."""
    return _main_targets(indicators)


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


def _judge(ind: Indicator, values: Series, period, target: Decimal | None):
    """Result to date, achievement, planned pace and status of one series of results."""
    kind = ind.reporting_frequency
    to_date = period_result({n: r for (k, n), r in values.items() if k == kind}, _numbers_to_date(period, kind))
    pct = achievement(to_date, target, lower_is_better=ind.direction == Indicator.Direction.LOWER)
    # A ceiling (lower is better) is met or not at any time; it has no pace. Others are
    # planned at an even pace over the year's months.
    planned = Decimal(100) if ind.direction == Indicator.Direction.LOWER else planned_pace(period.last_month, 12)
    return to_date, pct, planned, status(pct, planned, reported=to_date is not None)


def _compute(ind: Indicator, values: Series, period, target: Decimal | None,
             city_target: Decimal | None = None, measures: list[MeasureTarget] = (),
             measure_values: dict[tuple[int, str], Series] | None = None) -> IndicatorStatus:
    city_target = city_target if _is_city_wide(ind) else None
    if measures:
        lines = []
        for m in measures:
            to_date, pct, planned, judged = _judge(ind, (measure_values or {}).get((ind.pk, m.label), {}), period, m.target)
            lines.append(MeasureStatus(m.label, m.unit, m.target, to_date, pct, judged,
                                       m.city_target if _is_city_wide(ind) else None))
        return IndicatorStatus(ind, None, None, None, planned, roll_up(line.status for line in lines), None, lines)
    to_date, pct, planned, judged = _judge(ind, values, period, target)
    return IndicatorStatus(ind, target, to_date, pct, planned, judged, city_target)


def indicator_status(indicator: Indicator, period) -> IndicatorStatus:
    """One indicator's status (the API's detail); the same numbers as the status page."""
    values, measure_values = _official_values([indicator], period)
    return _compute(indicator, values[indicator.pk], period, main_target(indicator),
                    _city_targets([indicator]).get(indicator.pk), measure_targets([indicator]).get(indicator.pk, ()),
                    measure_values)


def _judged_indicators(plan, kind: str) -> list[Indicator]:
    """The indicators a period of `kind` judges: the divisions' own, reported at a
    frequency that ends within such a period."""
    return list(
        Indicator.objects.filter(plan=plan, division__isnull=False, reporting_frequency__in=KINDS_WITHIN[kind])
        .select_related("node", "node__parent")
        .order_by("order")
    )


@dataclass
class DistrictFigures:
    """An indicator's district target, its city-wide printed target and its result to
    date: the status page's numbers. An indicator reported by measure (OKR 1.4.07) counts
    as the total of its measures: its result as its reports store it, its city target
    the sum of its measures' printed targets."""
    target: Decimal | None
    city_target: Decimal | None
    result: Decimal | None


def district_figures(indicators, period) -> dict[int, DistrictFigures]:
    """The figures of many indicators, of any plans (the city view): four queries."""
    from indicators.models import measures_of

    indicators = list(indicators)
    values, _measures = _official_values(indicators, period, with_measures=False)
    city = _city_targets(indicators)
    targets = _main_targets(indicators, city)
    measured = {pk: sum((t.value for t in found), Decimal(0)) for pk, found in measures_of(indicators).items()}
    out = {}
    for ind in indicators:
        kind = ind.reporting_frequency
        series = {n: r for (k, n), r in values.get(ind.pk, {}).items() if k == kind}
        result = period_result(series, _numbers_to_date(period, kind)) if kind in MONTHS_IN else None
        out[ind.pk] = DistrictFigures(targets.get(ind.pk), measured.get(ind.pk, city.get(ind.pk)), result)
    return out


def indicator_statuses(plan, period) -> list[IndicatorStatus]:
    indicators = _judged_indicators(plan, period.kind)
    values, measure_values = _official_values(indicators, period)
    city = _city_targets(indicators)
    targets = _main_targets(indicators, city)
    measures = measure_targets(indicators)
    return [_compute(ind, values[ind.pk], period, targets.get(ind.pk), city.get(ind.pk), measures.get(ind.pk, ()),
                     measure_values) for ind in indicators]


def indicator_statuses_by_month(plan, months) -> dict[int, list[IndicatorStatus]]:
    """indicator_statuses(plan, month) for each of `months` (months of the plan's year),
    keyed by month number: the same answer as the status page gives for each month, in
    the queries of one month (the results up to the last month are read once; each month
    is judged on those up to its own end)."""
    months = list(months)
    if not months:
        return {}
    last = max(months, key=lambda m: m.number)
    indicators = _judged_indicators(plan, last.kind)
    values, measure_values = _official_values(indicators, last)
    city = _city_targets(indicators)
    targets = _main_targets(indicators, city)
    measures = measure_targets(indicators)
    return {month.number: [_compute(ind, values[ind.pk], month, targets.get(ind.pk), city.get(ind.pk),
                                    measures.get(ind.pk, ()), measure_values) for ind in indicators]
            for month in months}


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


def indicator_timeline(indicator: Indicator, periods) -> list[IndicatorStatus]:
    """The indicator's status at the end of each of `periods` (its reporting periods of
    one fiscal year, in order): the same numbers indicator_status gives for each, read
    in a fixed number of queries however many periods there are."""
    periods = list(periods)
    if not periods:
        return []
    last = max(periods, key=lambda p: (p.last_month, p.number))
    # Reports of the whole span up to the last period: a period's judgement counts only
    # those up to its own end (_judge reads the numbers to date).
    values, measure_values = _official_values([indicator], last)
    target = main_target(indicator)
    city = _city_targets([indicator]).get(indicator.pk)
    measures = measure_targets([indicator]).get(indicator.pk, ())
    return [_compute(indicator, values[indicator.pk], period, target, city, measures, measure_values) for period in periods]
