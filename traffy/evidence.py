"""The line of evidence the reports print under table ค indicator 1.2 (issue 16 item 6):
the tickets received and resolved from the fiscal year's start to a month's end, the rate,
and where the tickets came from (the organization's latest import). The counts are
kpi.monthly_figures' "to date" figures, so the reports say what the Traffy page says."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from kpiplan.lib.fiscal import fiscal_months

from .kpi import month_bounds, monthly_figures, tickets_of
from .models import Batch, Ticket
from .proposal import is_computed_from_traffy


@dataclass(frozen=True)
class Evidence:
    received: int
    resolved: int
    rate: Decimal | None
    # The last day the counts cover: the month's last day, or the day of the latest
    # import when that came earlier (tickets cannot be known past their import).
    as_of: datetime.date
    batch: Batch

    @property
    def imported_on(self) -> datetime.date:
        return timezone.localdate(self.batch.finished_at or self.batch.started_at)


def is_traffy_indicator(indicator) -> bool:
    """The indicator the tickets measure: decided in traffy.proposal alone (its setting)."""
    return is_computed_from_traffy(indicator)


def indicator_evidence(organization, fiscal_year: int, month_number: int) -> Evidence | None:
    """The counts to the end of fiscal month `month_number` (1 = October) of `fiscal_year`
    (B.E.); None while the organization has imported no Traffy tickets (the report then
    prints no line rather than "received 0"). Two queries, whatever the number of tickets."""
    batch = Batch.objects.filter(organization=organization).order_by("-started_at", "-pk").first()
    if batch is None:
        return None
    figures = monthly_figures(tickets_of(organization), fiscal_year)[month_number - 1]
    month_end = month_bounds(fiscal_months(fiscal_year)[month_number - 1])[1] - datetime.timedelta(days=1)
    imported = timezone.localdate(batch.finished_at or batch.started_at)
    return Evidence(received=figures.received_to_date, resolved=figures.resolved_to_date, rate=figures.rate_to_date,
                    as_of=min(month_end.date(), imported), batch=batch)


def period_tickets(organization, start: datetime.date, end: datetime.date):
    """The organization's tickets reported from `start` to `end` (inclusive, Bangkok days),
    oldest first, read in chunks (a year of a district is tens of thousands)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return (Ticket.objects.filter(organization=organization, reported_at__gte=lo, reported_at__lt=hi)
            .order_by("reported_at", "pk"))
