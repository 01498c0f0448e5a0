"""Table ค indicator 1.2 computed from the tickets: "complaints the district resolved × 100 /
complaints it received (24 problem types)", and the selection rules of its definition
(item 4.2: urgent problems, tickets not acted on for more than 15 days, re-opened tickets).

How a ticket counts (the document gives the formula only; these are our readings):

- **Received in a month**: reported (Traffy's `timestamp`) in that Bangkok month. Every
  problem type counts: "the 24 types" is Traffy's whole list, which the document does not
  print, so no type is left out. A ticket of several types is one ticket.
- **Resolved**: in the state "เสร็จสิ้น" (finished) now, with its finish time. Any other
  state (waiting, in progress, forwarded, …) is not resolved.
- **The rate of a month** is the month's own tickets: of those received in the month, how
  many were finished by the month's end, × 100 / received. A ticket received in November
  and finished in December is received in November, not resolved in November's rate, and
  resolved in the figure to date from December on. So a month's rate never exceeds 100 %
  and does not change when later months are finished (it is what the Traffy site showed
  for that month on its last day, which is what the district prints as evidence).
- **To date** (cumulative): the tickets received from the fiscal year's first day to the
  month's end, and of them those finished by the month's end. The year's figure is the
  last month's to-date figure.
- **Resolved in the month** (the chart's flow, not the rate): tickets whose finish time falls
  in the month, whenever they were received.
- **Re-opened tickets** count by their state now: one finished again counts as resolved at
  its last finish time; one still open after re-opening is not resolved, although it was
  finished once (Traffy keeps the last finish only). Re-opening does not add a ticket.
- **Open at a month's end**: reported by then and not finished by then (tickets from before
  the year included: the backlog).

The counts are single SQL queries (conditional aggregates), so a page's query count does
not grow with the tickets; the percentages are pure functions of the counts."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from kpiplan.lib.fiscal import FiscalMonth, fiscal_months

from .models import FINISHED

# Definition item 4.2 (2): "not acted on for more than 15 days".
OPEN_DAYS = 15

# Definition item 4.2 (1) names urgent problems ("needing urgent action, or affecting life
# and property") but no Traffy type; these are the types that match it until the city says
# otherwise (settings.TRAFFY_URGENT_TYPES overrides them).
DEFAULT_URGENT_TYPES = ("น้ำท่วม", "ความปลอดภัย", "สายไฟ", "ไฟฟ้า", "ต้นไม้", "ถนน")

NO_TYPE = ""  # a ticket without a type is counted under this key (the page says "not given")


def urgent_types() -> tuple[str, ...]:
    return tuple(getattr(settings, "TRAFFY_URGENT_TYPES", DEFAULT_URGENT_TYPES))


# -- pure functions ---------------------------------------------------------------------

def resolution_rate(resolved: int, received: int) -> Decimal | None:
    """resolved × 100 / received, to two decimals (half up); None when nothing was received."""
    if received <= 0:
        return None
    return (Decimal(resolved) * 100 / Decimal(received)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def month_bounds(month: FiscalMonth) -> tuple[datetime.datetime, datetime.datetime]:
    """The Bangkok month as [start, end) aware datetimes."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime(month.year, month.month, 1, tzinfo=tz)
    nxt = datetime.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start, nxt


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th quantile (0..1) by linear interpolation between closest ranks: PostgreSQL's
    percentile_cont, so the pure answer and the SQL answer agree."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def days(seconds: float | None) -> Decimal | None:
    """A duration in days to one decimal."""
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def convex_hull(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """The smallest convex polygon around the points (Andrew's monotone chain), counter-
    clockwise without repeating the first point; fewer than three distinct points come
    back as they are."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


@dataclass(frozen=True)
class MonthFigures:
    """One fiscal month of the KPI (see the module's notes for what each count is)."""

    month: FiscalMonth
    received: int
    resolved_of_received: int  # of the month's received, finished by the month's end
    resolved_in_month: int  # finished in the month, whenever received
    open_at_end: int
    received_to_date: int
    resolved_to_date: int

    @property
    def rate(self) -> Decimal | None:
        return resolution_rate(self.resolved_of_received, self.received)

    @property
    def rate_to_date(self) -> Decimal | None:
        return resolution_rate(self.resolved_to_date, self.received_to_date)


@dataclass(frozen=True)
class TypeTimes:
    """How long one problem type's finished tickets took, report to finish."""

    problem_type: str
    finished: int
    median_days: Decimal | None
    p90_days: Decimal | None


# -- queries (constant in number; the counting is PostgreSQL's) ---------------------------

def tickets_of(organization) -> QuerySet:
    from .models import Ticket

    return Ticket.objects.filter(organization=organization)


def _finished_by(end) -> Q:
    return Q(state=FINISHED, finished_at__lt=end)


def monthly_figures(tickets: QuerySet, fiscal_year: int) -> list[MonthFigures]:
    """The twelve months of a fiscal year (B.E.), in one query."""
    months = fiscal_months(fiscal_year)
    year_start = month_bounds(months[0])[0]
    aggregates = {}
    for m in months:
        start, end = month_bounds(m)
        n = m.number
        in_month = Q(reported_at__gte=start, reported_at__lt=end)
        to_date = Q(reported_at__gte=year_start, reported_at__lt=end)
        aggregates[f"received_{n}"] = Count("pk", filter=in_month)
        aggregates[f"resolved_of_received_{n}"] = Count("pk", filter=in_month & _finished_by(end))
        aggregates[f"resolved_in_month_{n}"] = Count("pk", filter=Q(state=FINISHED, finished_at__gte=start, finished_at__lt=end))
        aggregates[f"open_at_end_{n}"] = Count("pk", filter=Q(reported_at__lt=end) & ~_finished_by(end))
        aggregates[f"received_to_date_{n}"] = Count("pk", filter=to_date)
        aggregates[f"resolved_to_date_{n}"] = Count("pk", filter=to_date & _finished_by(end))
    row = tickets.order_by().aggregate(**aggregates)
    fields = ("received", "resolved_of_received", "resolved_in_month", "open_at_end", "received_to_date", "resolved_to_date")
    return [MonthFigures(m, **{f: row[f"{f}_{m.number}"] for f in fields}) for m in months]


def open_longer_than(tickets: QuerySet, now: datetime.datetime, days: int = OPEN_DAYS) -> QuerySet:
    """Not finished and reported more than `days` days before `now` (definition 4.2 (2))."""
    return tickets.exclude(state=FINISHED).filter(reported_at__lt=now - datetime.timedelta(days=days))


def reopened(tickets: QuerySet) -> QuerySet:
    """Tickets re-opened at least once (definition 4.2 (3)), whatever their state now."""
    return tickets.filter(count_reopen__gt=0)


def of_types(tickets: QuerySet, types: Iterable[str]) -> QuerySet:
    """Tickets with at least one of the types (urgent_types() for definition 4.2 (1))."""
    types = list(types)
    if not types:
        return tickets.none()
    # Through the types' rows rather than JSON containment, which SQLite lacks.
    join, type_ = _TYPES_OF[connection.vendor]
    marks = ", ".join(["%s"] * len(types))
    return tickets.filter(pk__in=RawSQL(f"SELECT tt.id FROM traffy_ticket tt {join} WHERE {type_} IN ({marks})", types))


def _subquery(tickets: QuerySet) -> tuple[str, tuple]:
    return tickets.order_by().values("pk").query.sql_with_params()


# A ticket's types, one row each (a ticket without a type gives one row of ""), in the SQL
# of each database: PostgreSQL's jsonb functions, or SQLite's json_each on the embedded
# default, where the quick start runs.
_TYPES_OF = {
    "postgresql": ("CROSS JOIN LATERAL jsonb_array_elements_text("
                   "  CASE WHEN jsonb_typeof(tt.problem_types) = 'array' AND jsonb_array_length(tt.problem_types) > 0"
                   "  THEN tt.problem_types ELSE '[\"\"]'::jsonb END) AS t(type)", "t.type"),
    "sqlite": (", json_each(CASE WHEN json_type(tt.problem_types) = 'array' AND json_array_length(tt.problem_types) > 0"
               "  THEN tt.problem_types ELSE '[\"\"]' END) AS t", "t.value"),
}


def counts_by_type(tickets: QuerySet) -> list[tuple[str, int]]:
    """(type, tickets) most first: a ticket of two types counts once under each."""
    sql, params = _subquery(tickets)
    join, type_ = _TYPES_OF[connection.vendor]
    with connection.cursor() as cur:
        cur.execute(f"SELECT {type_}, count(*) FROM traffy_ticket tt {join}"
                    f" WHERE tt.id IN ({sql}) GROUP BY {type_} ORDER BY count(*) DESC, {type_}", params)
        return [(t, n) for t, n in cur.fetchall()]


def counts_by_subdistrict(tickets: QuerySet) -> list[tuple[str, int]]:
    rows = tickets.order_by().values("subdistrict").annotate(n=Count("pk")).order_by("-n", "subdistrict")
    return [(r["subdistrict"], r["n"]) for r in rows]


def resolution_times(tickets: QuerySet) -> list[TypeTimes]:
    """Per type, the finished tickets' time from report to finish: median and 90th
    percentile (percentile_cont, see percentile()), most tickets first. SQLite has no
    percentile_cont: there the durations are read and percentile() computes the same."""
    sql, params = _subquery(tickets.filter(state=FINISHED, finished_at__isnull=False))
    join, type_ = _TYPES_OF[connection.vendor]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT {type_}, count(*),"
                " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM tt.finished_at - tt.reported_at)),"
                " percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM tt.finished_at - tt.reported_at))"
                f" FROM traffy_ticket tt {join} WHERE tt.id IN ({sql}) GROUP BY {type_} ORDER BY count(*) DESC, {type_}",
                params)
            return [TypeTimes(t, n, days(med), days(p90)) for t, n, med, p90 in cur.fetchall()]
        cur.execute(f"SELECT {type_}, (julianday(tt.finished_at) - julianday(tt.reported_at)) * 86400"
                    f" FROM traffy_ticket tt {join} WHERE tt.id IN ({sql})", params)
        by_type: dict[str, list[float]] = {}
        for t, seconds in cur.fetchall():
            by_type.setdefault(t, []).append(seconds)
    ordered = sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [TypeTimes(t, len(v), days(percentile(v, 0.5)), days(percentile(v, 0.9))) for t, v in ordered]


def outline_points(tickets: QuerySet) -> dict[str, list[tuple[float, float]]]:
    """Each sub-district's ticket positions on a grid of 0.001° (about 110 m), distinct:
    enough for its hull and bounded by the district's area rather than its tickets."""
    from django.db.models.functions import Round

    rows = (tickets.order_by().filter(latitude__isnull=False, longitude__isnull=False)
            .annotate(lat=Round("latitude", 3), lon=Round("longitude", 3))
            .values_list("subdistrict", "lon", "lat").distinct())
    points: dict[str, list[tuple[float, float]]] = {}
    for sub, lon, lat in rows:
        points.setdefault(sub, []).append((float(lon), float(lat)))
    return points


def year_window(fiscal_year: int) -> tuple[datetime.datetime, datetime.datetime]:
    months = fiscal_months(fiscal_year)
    return month_bounds(months[0])[0], month_bounds(months[-1])[1]
