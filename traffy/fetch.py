"""Fetching tickets from Traffy Fondue's public statistics API (issue 16 item 3).

The API (`teamchadchart-stat-api`, GeoJSON) has no district filter and answers at most
1,000 features a request, so a window is read one day at a time, page by page, and the
district is chosen here. Its `total` may be 0 when it was not computed, so a day ends
only when a page comes back shorter than asked, never on `total`. Offsets on a live
data set drift less over a day's few pages than over a month's hundreds, which is the
other reason for asking day by day.

Everything a run reads goes through `importer.import_rows` in one transaction: a run
that fails half-way (an HTTP error, a ticket that cannot be read) leaves neither tickets
nor a Batch behind, and the next run starts again from the same window.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import importer
from .models import Batch

# The API's own maximum (issue 16); asking for more is refused or silently capped.
PAGE_SIZE = 1000
# Never wait longer than this on one Retry-After: a command someone runs by hand should
# fail with a message rather than hang for an hour.
MAX_RETRY_AFTER_SECONDS = 300


class FetchError(Exception):
    """The API could not be read; the message says what to tell the person running it."""


def user_agent() -> str:
    return f"kpiplan-traffy-fetch/1.0 (+{settings.KPIPLAN_BASE_URL})"


def days(since: date, until: date) -> Iterator[date]:
    day = since
    while day <= until:
        yield day
        day += timedelta(days=1)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


@dataclass
class Client:
    """Reads pages of the API politely: a User-Agent naming kpiplan, a pause between
    requests, and a few retries with growing waits on timeouts, 5xx and 429."""

    base_url: str
    timeout: float = field(default_factory=lambda: settings.TRAFFY_API_TIMEOUT)
    attempts: int = field(default_factory=lambda: settings.TRAFFY_API_ATTEMPTS)
    backoff: float = field(default_factory=lambda: settings.TRAFFY_API_BACKOFF)
    pause: float = field(default_factory=lambda: settings.TRAFFY_API_PAUSE)
    requests: int = 0

    def url(self, params: dict) -> str:
        separator = "&" if "?" in self.base_url else "?"
        return self.base_url + separator + urllib.parse.urlencode(params)

    def get(self, params: dict) -> dict:
        url = self.url(params)
        request = urllib.request.Request(url, headers={"User-Agent": user_agent(), "Accept": "application/json"})
        reason = ""
        for attempt in range(1, self.attempts + 1):
            if self.requests and self.pause:
                time.sleep(self.pause)
            self.requests += 1
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only, checked by the command)
                    body = response.read()
            except urllib.error.HTTPError as exc:
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(
                        _("The Traffy API refused the request with HTTP %(status)s (%(reason)s): %(url)s")
                        % {"status": exc.code, "reason": exc.reason, "url": url}
                    ) from None
                reason = f"HTTP {exc.code} {exc.reason}"
                told = _retry_after(exc.headers.get("Retry-After"))
                if told is not None:
                    wait = max(wait, min(told, MAX_RETRY_AFTER_SECONDS))
            except TimeoutError:
                reason = _("no answer within %(seconds)s seconds") % {"seconds": self.timeout}
            except urllib.error.URLError as exc:
                reason = str(exc.reason)
            else:
                return self._parse(body, url)
            if attempt < self.attempts:
                time.sleep(wait)
        raise FetchError(
            _("The Traffy API did not answer after %(attempts)s attempts (last: %(reason)s): %(url)s")
            % {"attempts": self.attempts, "reason": reason, "url": url}
        )

    @staticmethod
    def _parse(body: bytes, url: str) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(
                _("The Traffy API answered something that is not JSON (%(problem)s): %(url)s") % {"problem": exc, "url": url}
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise FetchError(_("The Traffy API's answer has no list of features: %(url)s") % {"url": url})
        return data

    def features(self, since: date, until: date) -> Iterator[dict]:
        """Every feature of the window, day by day and page by page."""
        for day in days(since, until):
            offset = 0
            while True:
                page = self.get(
                    {
                        "start": day.isoformat(),
                        "end": day.isoformat(),
                        "limit": PAGE_SIZE,
                        "offset": offset,
                        "sort": settings.TRAFFY_API_SORT,
                    }
                )["features"]
                yield from page
                if len(page) < PAGE_SIZE:
                    break
                offset += PAGE_SIZE


def bangkok_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock.min), timezone.get_default_timezone())


def source_text(base_url: str, since: date, until: date) -> str:
    return f"{base_url} start={since.isoformat()} end={until.isoformat()}"[:500]


def fetch_tickets(organization, since: date, until: date, *, base_url: str | None = None, by=None) -> tuple[Batch, int]:
    """Fetch the window [since, until] (Bangkok days, both included) for one organization;
    returns the Batch recorded and the number of HTTP requests made.

    A feature of another district is counted and dropped before it is parsed: the city
    sends every district's tickets, and a malformed ticket elsewhere must not stop ours.
    """
    base_url = base_url or settings.TRAFFY_API_URL
    client = Client(base_url)
    read = skipped = 0

    # The city has some fifty districts, written a few ways each: asking once per
    # spelling, not once per ticket, keeps a month's fetch from a query per ticket.
    matches: dict[str, bool] = {}

    def ours() -> Iterator[importer.TicketRow]:
        nonlocal read, skipped
        for feature in client.features(since, until):
            read += 1
            district = str(((feature or {}).get("properties") or {}).get("district") or "")
            if district not in matches:
                matches[district] = importer.district_matches(organization, district)
            if not matches[district]:
                skipped += 1
                continue
            try:
                row = importer.row_from_feature(feature)
            except importer.RowError as exc:
                ticket = (feature.get("properties") or {}).get("ticket_id") or "?"
                raise FetchError(_("Ticket %(ticket)s: %(problem)s") % {"ticket": ticket, "problem": exc}) from None
            yield row

    with transaction.atomic():
        importer.lock_organization(organization)  # before the batch row: see lock_organization
        batch = Batch.objects.create(
            organization=organization,
            kind=Batch.Kind.API,
            source=source_text(base_url, since, until),
            window_start=bangkok_midnight(since),
            # The end is the midnight after the last day, so a window holds exactly the
            # tickets reported before it, as the KPI's months do.
            window_end=bangkok_midnight(until + timedelta(days=1)),
            by=by,
        )
        batch = importer.import_rows(organization, ours(), batch=batch)
        # Counted here, not by the importer, since the importer never saw them.
        batch.read = read
        batch.other_districts += skipped
        if batch.finished_at is None:
            batch.finished_at = timezone.now()
        batch.save(update_fields=["read", "other_districts", "finished_at"])
    return batch, client.requests
