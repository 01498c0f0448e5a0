r"""Table ง across districts, and the districts side by side: the city view.

For a fiscal year and a reporting period (a month or a quarter):

- every city-wide key result that districts share (a `KeyResultLink` of a district's
  plan pointing at the plan's copy of the key-result indicator, grouped by the
  indicator's code, or its name when it has none) with each district's **own target**
  and **result to date** exactly as its status page has them
  (`progress.status.district_figures`: the table ง rows' project KPI targets added up,
  else the printed target where it applies to a district; the result by
  `indicators.calculations.combined_result` over the submitted reports of the
  indicator's frequency up to the period, verified values where given), their sum
  (their mean for a key result given as a share, a percentage) against the **city
  target** (the indicator's first target of no agency; the sum of its measures' for one
  reported by measure), and the share of it reached;
- a league of districts per key result, ranked by result against own target;
- a league of districts by completeness: the share of the reports due within the
  period (the rows of `progress.selectors.completeness`) submitted or later.

Queries: a constant number whatever the number of organizations (links; results,
targets, table ง rows and measures of `district_figures`; periods, indicator counts, budget-line
counts, submitted counts; plans).

The same per-key-result numbers in **one aggregate SQL statement** (PostgreSQL) are
`city_totals()`, which benchmarks compare the page against::

    WITH link AS (    -- table ง rows of the year's plans, each row's first number
        SELECT COALESCE(NULLIF(i.code, ''), i.name) AS kr, p.organization_id AS org, l.indicator_id,
               l."order" AS ord, l.id AS link_id, l.project_kpi_target AS text,
               REPLACE(SUBSTRING(TRANSLATE(l.project_kpi_target, '๐๑๒๓๔๕๖๗๘๙', '0123456789')
                                 FROM '[0-9][0-9,]*(?:\.[0-9]+)?'), ',', '')::numeric AS number
        FROM projects_keyresultlink l
        JOIN plans_plan p ON p.id = l.plan_id
        JOIN indicators_indicator i ON i.id = l.indicator_id
        WHERE p.fiscal_year_id = %(year)s),
    ind AS (          -- each key-result indicator: a share? led by a city agency?
        SELECT i.id, i.reporting_frequency AS kind,
               (LOWER(BTRIM(i.unit)) = ANY(%(share_units)s) OR LOWER(BTRIM(i.unit)) LIKE 'ร้อยละ%%') AS share,
               (i.lead_agency_id IS NOT NULL AND i.lead_division_id IS NULL) AS city_wide
        FROM indicators_indicator i WHERE i.id IN (SELECT indicator_id FROM link)),
    city AS (         -- each indicator's printed target: its first of no agency (first); the
                      -- city's: the sum of its measures' when it has several labelled ones
        SELECT t.indicator_id, (ARRAY_AGG(t.value ORDER BY t."order", t.id))[1] AS first,
               CASE WHEN COUNT(*) FILTER (WHERE t.label <> '') >= 2 THEN SUM(t.value) FILTER (WHERE t.label <> '')
                    ELSE (ARRAY_AGG(t.value ORDER BY t."order", t.id))[1] END AS value
        FROM indicators_indicatortarget t
        WHERE t.indicator_id IN (SELECT id FROM ind) AND t.agency_id IS NULL
        GROUP BY t.indicator_id),
    table_d AS (      -- the district's own target: its table ง numbers (a share's only when a percentage)
        SELECT link.indicator_id, SUM(link.number) AS value FROM link JOIN ind ON ind.id = link.indicator_id
        WHERE link.number IS NOT NULL AND (NOT ind.share OR STRPOS(link.text, 'ร้อยละ') > 0 OR STRPOS(link.text, '%%') > 0)
        GROUP BY link.indicator_id),
    target AS (
        SELECT ind.id AS indicator_id, ind.share, city.value AS city_target,
               COALESCE(table_d.value, CASE WHEN NOT ind.city_wide OR ind.share THEN city.first END) AS value
        FROM ind LEFT JOIN city ON city.indicator_id = ind.id LEFT JOIN table_d ON table_d.indicator_id = ind.id),
    rep AS (          -- submitted reports of the indicator's own frequency, up to the period
        SELECT e.indicator_id, pe.number, COALESCE(e.verified_value, e.value) AS value, e.value_is_cumulative AS cum
        FROM progress_progressentry e
        JOIN plans_period pe ON pe.id = e.period_id
        JOIN ind ON ind.id = e.indicator_id AND ind.kind = pe.kind
        JOIN UNNEST(%(kinds)s::varchar[], %(upto)s::int[]) AS w(kind, upto) ON w.kind = pe.kind AND pe.number <= w.upto
        WHERE pe.fiscal_year_id = %(year)s AND e.state NOT IN ('not_started', 'draft', 'returned')
          AND COALESCE(e.verified_value, e.value) IS NOT NULL),
    rep_last AS (SELECT *, MAX(CASE WHEN cum THEN number END) OVER (PARTITION BY indicator_id) AS last_cum FROM rep),
    result AS (       -- combined_result: the last cumulative total plus the per-period values after it
        SELECT indicator_id, COALESCE(MAX(value) FILTER (WHERE cum AND number = last_cum), 0)
               + COALESCE(SUM(value) FILTER (WHERE NOT cum AND number > COALESCE(last_cum, 0)), 0) AS value
        FROM rep_last GROUP BY indicator_id),
    district AS (     -- one line per key result and district
        SELECT d.kr, d.org, SUM(target.value) AS target, SUM(result.value) AS result,
               MAX(target.city_target) AS city_target, BOOL_OR(target.share) AS share
        FROM (SELECT DISTINCT kr, org, indicator_id FROM link) d
        JOIN target ON target.indicator_id = d.indicator_id
        LEFT JOIN result ON result.indicator_id = d.indicator_id
        GROUP BY d.kr, d.org)
    SELECT district.kr, MAX(city_target),
           CASE WHEN BOOL_OR(share) THEN AVG(target) ELSE SUM(target) END,
           CASE WHEN BOOL_OR(share) THEN AVG(result) ELSE SUM(result) END, COUNT(*)
    FROM district JOIN (SELECT kr, MIN(ord) AS ord, MIN(link_id) AS first_link FROM link GROUP BY kr) o
         ON o.kr = district.kr
    GROUP BY district.kr ORDER BY MIN(o.ord), MIN(o.first_link);
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q

from indicators.models import Indicator
from kpiplan.lib.fiscal import KINDS_WITHIN, MONTHS_IN
from plans.models import Period, Plan
from projects.models import KeyResultLink, Project

from .models import ProgressEntry, State

HUNDRED = Decimal(100)


def _percent(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def _total(values, mean: bool = False) -> Decimal | None:
    """The sum of the figures given (their mean when `mean`); None when none is."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = sum(present, Decimal(0))
    return total / len(present) if mean else total


def _rank(rows: list, score) -> list:
    """Rows by score, best first (no score last, by name), each given its rank: equal
    scores share one (1, 2, 2, 4); rows without a score get none."""
    rows = sorted(rows, key=lambda r: (score(r) is None, -(score(r) or 0), r.organization))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        value = score(row)
        if value is None:
            row.rank = None
            continue
        if value != previous:
            rank, previous = position, value
        row.rank = rank
    return rows


@dataclass
class DistrictLine:
    organization: str
    organization_id: int
    plan_id: int
    target: Decimal | None
    result: Decimal | None
    rank: int | None = None

    @property
    def reached(self) -> Decimal | None:
        """Result against the district's own target, in percent."""
        return _percent(self.result, self.target)


@dataclass
class CityKeyResult:
    key: str
    code: str
    name: str
    unit: str
    city_target: Decimal | None
    districts: list[DistrictLine] = field(default_factory=list)
    share: bool = False  # given as a percentage: the districts' figures are averaged, not added

    @property
    def target_sum(self) -> Decimal | None:
        return _total((d.target for d in self.districts), self.share)

    @property
    def result_sum(self) -> Decimal | None:
        return _total((d.result for d in self.districts), self.share)

    @property
    def reached(self) -> Decimal | None:
        """The districts' results together against the city target, in percent."""
        return _percent(self.result_sum, self.city_target)

    @property
    def league(self) -> list[DistrictLine]:
        return _rank(list(self.districts), lambda d: d.reached)


@dataclass
class DistrictCompleteness:
    organization: str
    organization_id: int
    plan_id: int
    due: int = 0
    submitted: int = 0
    rank: int | None = None

    @property
    def share(self) -> Decimal | None:
        """Reports due within the period that are submitted (or endorsed, approved), in percent."""
        return _percent(self.submitted, self.due)


def _plans(fiscal_year: int, plans) -> list[Plan]:
    if plans is not None:
        return [p for p in plans if p.fiscal_year_id == fiscal_year]
    return list(Plan.objects.filter(fiscal_year_id=fiscal_year).select_related("organization")
                .order_by("organization__name", "pk"))


def city_rollup(fiscal_year: int, period: Period, plans=None) -> list[CityKeyResult]:
    """The key results of table ง the plans of the year share, with every district's
    line (only `plans`' districts when given). Five queries."""
    from .plausibility import is_share
    from .status import district_figures

    links = (
        KeyResultLink.objects.filter(plan__fiscal_year_id=fiscal_year, indicator__isnull=False)
        .select_related("plan__organization", "indicator").order_by("order", "pk")
        # the columns read here and by district_figures (thousands of rows at 50 districts)
        .only("order", "unit", "project_kpi_target", "plan__organization__name", "indicator__code", "indicator__name",
              "indicator__unit", "indicator__reporting_frequency", "indicator__lead_agency_id",
              "indicator__lead_division_id")
    )
    if plans is not None:
        links = links.filter(plan__in=[p.pk for p in plans])
    links = list(links)
    figures = district_figures({link.indicator_id: link.indicator for link in links}.values(), period)
    groups: dict[str, CityKeyResult] = {}
    lines: dict[tuple[str, int], DistrictLine] = {}
    counted: set[tuple[str, int, int]] = set()
    for link in links:
        ind: Indicator = link.indicator
        key = ind.code or ind.name
        group = groups.get(key)
        if group is None:
            group = groups[key] = CityKeyResult(key, ind.code, ind.name, link.unit or ind.unit, None)
        line_key = (key, link.plan.organization_id)
        line = lines.get(line_key)
        if line is None:
            line = lines[line_key] = DistrictLine(link.plan.organization.name, link.plan.organization_id, link.plan_id,
                                                  None, None)
            group.districts.append(line)
        if (*line_key, ind.pk) in counted:  # several rows (projects) of one indicator: its figures once
            continue
        counted.add((*line_key, ind.pk))
        group.share = group.share or is_share(ind.unit)
        figure = figures[ind.pk]
        if figure.city_target is not None and (group.city_target is None or figure.city_target > group.city_target):
            group.city_target = figure.city_target
        if figure.target is not None:
            line.target = (line.target or Decimal(0)) + figure.target
        if figure.result is not None:
            line.result = (line.result or Decimal(0)) + figure.result
    for group in groups.values():
        group.districts.sort(key=lambda d: d.organization)
    return list(groups.values())


def city_completeness(fiscal_year: int, period: Period, plans=None) -> list[DistrictCompleteness]:
    """Per district, the reports due within the period (as progress.selectors.completeness
    counts them: every indicator and budget line with a division, once per reporting
    period of its frequency within `period`) and how many of them are submitted or
    later; ranked by that share. Four queries (five without `plans`)."""
    plans = _plans(fiscal_year, plans)
    plan_ids = [p.pk for p in plans]
    due_periods = list(Period.objects.within(period).filter(kind__in=KINDS_WITHIN[period.kind]))
    per_kind: dict[str, int] = defaultdict(int)
    for p in due_periods:
        per_kind[p.kind] += 1
    rows = {p.pk: DistrictCompleteness(p.organization.name, p.organization_id, p.pk) for p in plans}
    indicators = (Indicator.objects.filter(plan_id__in=plan_ids, division__isnull=False, reporting_frequency__in=list(per_kind))
                  .values("plan_id", "reporting_frequency").annotate(n=Count("pk")).order_by())
    for row in indicators:
        rows[row["plan_id"]].due += row["n"] * per_kind[row["reporting_frequency"]]
    months = per_kind.get(Period.Kind.MONTH, 0)
    budget_lines = Project.objects.filter(plan_id__in=plan_ids, division__isnull=False).budget_lines()
    if months:
        for row in budget_lines.values("plan_id").annotate(n=Count("pk", distinct=True)).order_by():
            rows[row["plan_id"]].due += row["n"] * months
    submitted = (
        ProgressEntry.objects.filter(plan_id__in=plan_ids, period__in=due_periods,
                                     state__in=[State.SUBMITTED, State.ENDORSED, State.APPROVED])
        .filter(Q(indicator__division__isnull=False, indicator__reporting_frequency=F("period__kind"))
                | Q(project__in=budget_lines.values("pk"), period__kind=Period.Kind.MONTH))
        .values("plan_id").annotate(n=Count("pk")).order_by()
    )
    for row in submitted:
        rows[row["plan_id"]].submitted += row["n"]
    return _rank(list(rows.values()), lambda r: r.share)


@dataclass
class CityTotal:
    key: str
    city_target: Decimal | None
    target_sum: Decimal | None
    result_sum: Decimal | None
    districts: int


_TOTALS_SQL = __doc__[__doc__.index("WITH link AS"):__doc__.rindex(";")]


def city_totals(fiscal_year: int, period: Period) -> list[CityTotal]:
    """The city view's sums per key result in one aggregate SQL statement (PostgreSQL;
    the statement is the module's docstring's): what the benchmark compares the page
    with. Every organization's plans."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("city_totals is written for PostgreSQL")
    from .plausibility import SHARE_UNITS

    kinds = list(KINDS_WITHIN[period.kind])
    params = {"year": fiscal_year, "share_units": sorted(SHARE_UNITS), "kinds": kinds,
              "upto": [period.last_month // MONTHS_IN[kind] for kind in kinds]}
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, params)
        return [CityTotal(*row) for row in cursor.fetchall()]

