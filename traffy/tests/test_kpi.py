"""Indicator 1.2 from tickets, hand-computed for FY 2567 (October 2023 - September 2024).

The tickets of Phasi Charoen (Bangkok times):

| ticket | reported          | state now        | finished        | re-opened | types          |
|--------|-------------------|------------------|-----------------|-----------|----------------|
| G      | 20 Sep 2023 (FY66)| finished         | 5 Oct 2023      |           | ความสะอาด      |
| H      | 15 Oct 2023       | forwarded        |                 |           | น้ำท่วม         |
| A      | 5 Nov 2023        | finished         | 3 Dec 2023      |           | ถนน            |
| B      | 10 Nov 2023       | finished         | 20 Nov 2023     |           | น้ำท่วม, ทางเท้า |
| C      | 30 Nov 2023 23:30 | waiting          |                 |           | น้ำท่วม         |
| D      | 1 Dec 2023 00:10  | in progress      |                 |           | (none)         |
| E      | 2 Dec 2023        | finished (again) | 10 Dec 2023     | 1         | ไฟฟ้า           |
| F      | 6 Dec 2023        | in progress      | 7 Dec 2023 (old)| 2         | ถนน            |

and one of Bang Khae (received and finished in November), which never counts here.

C (23:30 Bangkok, 16:30 UTC) is November's; D (00:10 Bangkok, 30 Nov 17:10 UTC) December's.

| month | received | of them resolved by month end | rate   | resolved in month | open at end | to date   | rate to date |
|-------|----------|-------------------------------|--------|-------------------|-------------|-----------|--------------|
| Oct   | 1 (H)    | 0                             | 0.00   | 1 (G)             | 1 (H)       | 0 / 1     | 0.00         |
| Nov   | 3 (A,B,C)| 1 (B; A finished in Dec)      | 33.33  | 1 (B)             | 3 (H,A,C)   | 1 / 4     | 25.00        |
| Dec   | 3 (D,E,F)| 1 (E; F re-opened and open)   | 33.33  | 2 (A,E)           | 4 (H,C,D,F) | 3 / 7     | 42.86        |
| Jan   | 0        | 0                             | -      | 0                 | 4           | 3 / 7     | 42.86        |
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OrganizationFactory
from traffy import kpi
from traffy.models import FINISHED, Ticket

BKK = ZoneInfo("Asia/Bangkok")


def at(y, m, d, hh=10, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=BKK)


def ticket(org, ticket_id, reported, state, finished=None, *, reopen=0, types=(), sub="บางหว้า", lat=None, lon=None):
    return Ticket.objects.create(organization=org, ticket_id=ticket_id, reported_at=reported, state=state,
                                 finished_at=finished, count_reopen=reopen, problem_types=list(types), subdistrict=sub,
                                 latitude=lat, longitude=lon)


@pytest.fixture
def tickets(organization):
    ticket(organization, "G", at(2023, 9, 20), FINISHED, at(2023, 10, 5), types=["ความสะอาด"])
    ticket(organization, "H", at(2023, 10, 15), "ส่งต่อ", types=["น้ำท่วม"], sub="ปากคลองภาษีเจริญ")
    ticket(organization, "A", at(2023, 11, 5), FINISHED, at(2023, 12, 3), types=["ถนน"])
    ticket(organization, "B", at(2023, 11, 10), FINISHED, at(2023, 11, 20), types=["น้ำท่วม", "ทางเท้า"])
    ticket(organization, "C", at(2023, 11, 30, 23, 30), "รอรับเรื่อง", types=["น้ำท่วม"])
    ticket(organization, "D", at(2023, 12, 1, 0, 10), "กำลังดำเนินการ", types=[])
    ticket(organization, "E", at(2023, 12, 2), FINISHED, at(2023, 12, 10), reopen=1, types=["ไฟฟ้า"])
    ticket(organization, "F", at(2023, 12, 6), "กำลังดำเนินการ", at(2023, 12, 7), reopen=2, types=["ถนน"])
    other = OrganizationFactory(short_name="สนข.บางแค", name="สำนักงานเขตบางแค")
    ticket(other, "X", at(2023, 11, 10), FINISHED, at(2023, 11, 11), types=["ถนน"])
    return kpi.tickets_of(organization)


def _row(f):
    return (f.received, f.resolved_of_received, f.rate, f.resolved_in_month, f.open_at_end,
            f.resolved_to_date, f.received_to_date, f.rate_to_date)


@pytest.mark.django_db
def test_it_counts_the_months_by_hand(tickets):
    with CaptureQueriesContext(connection) as queries:
        figures = kpi.monthly_figures(tickets, 2567)
    assert len(queries) == 1  # one aggregate over the organization's tickets
    assert [f.month.month for f in figures] == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    oct_, nov, dec, jan = figures[:4]
    assert _row(oct_) == (1, 0, Decimal("0.00"), 1, 1, 0, 1, Decimal("0.00"))
    assert _row(nov) == (3, 1, Decimal("33.33"), 1, 3, 1, 4, Decimal("25.00"))
    assert _row(dec) == (3, 1, Decimal("33.33"), 2, 4, 3, 7, Decimal("42.86"))
    assert _row(jan) == (0, 0, None, 0, 4, 3, 7, Decimal("42.86"))
    assert figures[-1].rate_to_date == Decimal("42.86")  # the year's figure


@pytest.mark.django_db
def test_it_keeps_a_months_rate_when_its_tickets_are_finished_later(tickets):
    """November's rate is November's as of its last day: C finished in January moves the
    figure to date from January on, not November's."""
    Ticket.objects.filter(ticket_id="C").update(state=FINISHED, finished_at=at(2024, 1, 8))
    figures = kpi.monthly_figures(tickets, 2567)
    assert figures[1].rate == Decimal("33.33")
    assert figures[2].rate_to_date == Decimal("42.86")
    assert figures[3].resolved_in_month == 1 and figures[3].rate_to_date == Decimal("57.14")  # 4 / 7


@pytest.mark.django_db
def test_the_selection_rules(tickets, settings):
    now = at(2023, 12, 20, 12)
    assert sorted(kpi.open_longer_than(tickets, now).values_list("ticket_id", flat=True)) == ["C", "D", "H"]  # F: 14 days
    assert sorted(kpi.reopened(tickets).values_list("ticket_id", flat=True)) == ["E", "F"]
    settings.TRAFFY_URGENT_TYPES = ["น้ำท่วม"]
    assert sorted(kpi.of_types(tickets, kpi.urgent_types()).values_list("ticket_id", flat=True)) == ["B", "C", "H"]
    assert list(kpi.of_types(tickets, [])) == []
    overdue = kpi.open_longer_than(tickets, now)
    assert kpi.counts_by_type(overdue) == [("น้ำท่วม", 2), ("", 1)]
    assert kpi.counts_by_subdistrict(overdue) == [("บางหว้า", 2), ("ปากคลองภาษีเจริญ", 1)]


@pytest.mark.django_db
def test_resolution_times_per_type(organization):
    # ถนน: 1, 2, 3, 4 and 10 days -> median 3, 90th percentile 4 + 0.6 × 6 = 7.6
    for i, d in enumerate([1, 2, 3, 4, 10]):
        ticket(organization, f"R{i}", at(2024, 1, 1), FINISHED, at(2024, 1, 1) + datetime.timedelta(days=d),
               types=["ถนน", "ทางเท้า"] if i == 0 else ["ถนน"])
    ticket(organization, "OPEN", at(2024, 1, 1), "รอรับเรื่อง", types=["ถนน"])  # not finished: not timed
    times = kpi.resolution_times(kpi.tickets_of(organization))
    assert times == [kpi.TypeTimes("ถนน", 5, Decimal("3.0"), Decimal("7.6")),
                     kpi.TypeTimes("ทางเท้า", 1, Decimal("1.0"), Decimal("1.0"))]
    assert kpi.percentile([1, 2, 3, 4, 10], 0.9) == pytest.approx(7.6)  # the pure answer agrees


def test_resolution_rate():
    assert kpi.resolution_rate(1, 3) == Decimal("33.33")
    assert kpi.resolution_rate(2, 3) == Decimal("66.67")
    assert kpi.resolution_rate(3, 3) == Decimal("100.00")
    assert kpi.resolution_rate(0, 0) is None


def test_convex_hull():
    square = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0)]
    assert kpi.convex_hull(square) == [(0, 0), (2, 0), (2, 2), (0, 2)]
    assert kpi.convex_hull([(1, 1), (1, 1)]) == [(1, 1)]


def test_month_bounds_are_bangkok_months():
    from kpiplan.lib.fiscal import fiscal_months

    start, end = kpi.month_bounds(fiscal_months(2567)[1])
    assert start == datetime.datetime(2023, 10, 31, 17, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2023, 11, 30, 17, tzinfo=datetime.UTC)
