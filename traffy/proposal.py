"""The value Traffy proposes for table ค indicator 1.2 in a reporting period (issue 16
item 4): the counts behind it and the import they were read from, so the report can
cite its source. progress shows it on the entry page and keeps the one a result was
confirmed against; the person reporting decides.

Which indicator is computed from Traffy is decided here alone: settings.TRAFFY_INDICATOR_KEYS
(the plan's seed keys, default "pa:1.2"). A setting rather than a field on Indicator
because the plan is reloaded from the document every year under the same keys, and the
choice is the city's, not something a planner edits per plan.

The window follows kpi's rules: a period reported as the total to date (the indicator's
and the report's "cumulative") counts the tickets received from the fiscal year's first
day to the period's end, and of them those finished by its end; a period reported alone
counts the tickets received in it. A quarter is its three months (cumulative: to the
quarter's end)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q

from . import kpi
from .models import FINISHED, Batch

DEFAULT_INDICATOR_KEYS = ("pa:1.2",)


def indicator_keys() -> tuple[str, ...]:
    return tuple(getattr(settings, "TRAFFY_INDICATOR_KEYS", DEFAULT_INDICATOR_KEYS))


def is_computed_from_traffy(indicator) -> bool:
    return bool(indicator.key) and indicator.key in indicator_keys()


@dataclass(frozen=True)
class Proposal:
    value: Decimal  # resolved × 100 / received, two decimals
    received: int
    resolved: int
    cumulative: bool
    start: datetime.date  # the first and last day counted (Bangkok)
    end: datetime.date
    batch: Batch | None  # the organization's latest import when it was computed

    @property
    def as_of(self) -> datetime.datetime | None:
        return (self.batch.finished_at or self.batch.started_at) if self.batch else None

    @property
    def source(self) -> str:
        return self.batch.source if self.batch else ""

    @property
    def month_param(self) -> str:
        """?month= of the Traffy page for the tickets behind it (the period's last month)."""
        return f"{self.end.year:04d}-{self.end.month:02d}"


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(settings.TIME_ZONE))


def proposal_for(indicator, period, *, cumulative: bool) -> Proposal | None:
    """What Traffy's tickets say for the indicator in the period; None when the indicator
    is not computed from Traffy, the period is not a month or a quarter, or no ticket
    was received in the window (a rate of nothing is no proposal). Two queries."""
    if not is_computed_from_traffy(indicator) or period.kind not in ("month", "quarter"):
        return None
    organization_id = indicator.plan.organization_id
    first = period.fiscal_year.start if cumulative else period.start
    start, end = _aware(first), _aware(period.end + datetime.timedelta(days=1))
    counts = kpi.tickets_of(organization_id).order_by().aggregate(
        received=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
        resolved=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end, state=FINISHED, finished_at__lt=end)),
    )
    value = kpi.resolution_rate(counts["resolved"], counts["received"])
    if value is None:
        return None
    batch = Batch.objects.filter(organization_id=organization_id).order_by("-started_at", "-pk").first()
    return Proposal(value, counts["received"], counts["resolved"], cumulative, first, period.end, batch)
