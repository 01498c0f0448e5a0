"""Table ง across districts: for a city-wide key result shared by district offices, the
sum of the districts' targets and results against the city's target."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.models import Indicator
from kpiplan.lib.thai import first_number
from projects.models import KeyResultLink

from .models import ProgressEntry


@dataclass
class DistrictLine:
    organization: str
    target: Decimal | None
    result: Decimal | None


@dataclass
class CityKeyResult:
    code: str
    name: str
    unit: str
    city_target: Decimal | None
    districts: list[DistrictLine] = field(default_factory=list)

    @property
    def target_sum(self) -> Decimal:
        return sum((d.target or Decimal(0) for d in self.districts), Decimal(0))

    @property
    def result_sum(self) -> Decimal:
        return sum((d.result or Decimal(0) for d in self.districts), Decimal(0))


def city_rollup(fiscal_year: int, plans=None) -> list[CityKeyResult]:
    links = (
        KeyResultLink.objects.filter(plan__fiscal_year_id=fiscal_year, indicator__isnull=False)
        .select_related("plan__organization", "indicator").prefetch_related("indicator__targets")
        .order_by("order")
    )
    if plans is not None:
        links = links.filter(plan__in=plans)
    links = list(links)
    indicator_ids = {link.indicator_id for link in links}
    latest: dict[int, Decimal] = {}
    entries = (
        ProgressEntry.objects.filter(indicator_id__in=indicator_ids).official()
        .order_by("period__kind", "period__number").values("indicator_id", "value", "verified_value")
    )
    for e in entries:  # later periods overwrite earlier ones: cumulative results to date
        latest[e["indicator_id"]] = e["verified_value"] if e["verified_value"] is not None else e["value"]
    groups: dict[str, CityKeyResult] = {}
    per_district: dict[tuple[str, int], DistrictLine] = {}
    targets_seen: dict[tuple[str, int], set] = defaultdict(set)
    for link in links:
        ind: Indicator = link.indicator
        key = ind.code or ind.name
        group = groups.get(key)
        if group is None:
            city = next((t.value for t in ind.targets.all() if t.agency_id is None), None)
            group = groups[key] = CityKeyResult(ind.code, ind.name, link.unit or ind.unit, city)
        line_key = (key, link.plan.organization_id)
        line = per_district.get(line_key)
        if line is None:
            line = per_district[line_key] = DistrictLine(link.plan.organization.name, None, latest.get(ind.pk))
            group.districts.append(line)
        value = first_number(link.project_kpi_target)
        # One district may list several projects for one key result (e.g. 13 schools): they add up.
        if value is not None and link.pk not in targets_seen[line_key]:
            targets_seen[line_key].add(link.pk)
            line.target = (line.target or Decimal(0)) + value
    return list(groups.values())
