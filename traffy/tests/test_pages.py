"""The Traffy page of an organization: who reads it, what it shows, and that its queries
do not grow with the tickets."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from kpiplan.lib.fiscal import fiscal_year_of
from tests.factories import make_user
from traffy.models import FINISHED, Ticket

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")
SUBS = ["บางหว้า", "บางจาก", "ปากคลองภาษีเจริญ", "คูหาสวรรค์"]


def make_tickets(org, n: int, *, prefix="T"):
    """n tickets of the current fiscal year: every third finished, every fifth re-opened,
    every other one urgent (น้ำท่วม), spread over four sub-districts; bulk_create, as a
    large import would leave them."""
    now = timezone.now()
    rows = []
    for i in range(n):
        reported = now - datetime.timedelta(days=1 + i % 40, hours=i % 7)
        finished = i % 3 == 0
        rows.append(Ticket(
            organization=org, ticket_id=f"{prefix}{i:05d}", problem_types=["น้ำท่วม"] if i % 2 else ["ถนน", "ทางเท้า"],
            description=f"เรื่องที่ {i}", photo_url=f"https://storage.traffy.in.th/photo/{prefix}{i}.jpg",
            subdistrict=SUBS[i % 4], state=FINISHED if finished else "รอรับเรื่อง", reported_at=reported,
            finished_at=reported + datetime.timedelta(days=2) if finished else None, count_reopen=1 if i % 5 == 0 else 0,
            latitude=Decimal("13.71") + Decimal(i % 17) / 1000, longitude=Decimal("100.43") + Decimal(i % 13) / 1000))
    Ticket.objects.bulk_create(rows)


def this_year() -> dict:
    """The tickets make_tickets writes are this fiscal year's; the page opens on the year of
    the organization's plan (FY 2567 for the fixture plan), so ask for this one."""
    return {"year": fiscal_year_of(timezone.localdate())}


def page(client, user, org, **params):
    client.force_login(user)
    return client.get(reverse("traffy:organization", args=[org.pk]), {**this_year(), **params})


def test_every_role_of_the_organization_reads_it_others_do_not(client, cast):
    make_tickets(cast.org, 5)
    for user in (cast.staff, cast.other_staff, cast.head, cast.planner, cast.executive, cast.administrator,
                 make_user("city", roles.CITY_EXECUTIVE)):
        assert page(client, user, cast.org).status_code == 200, user
    assert page(client, cast.other_planner, cast.org).status_code == 404  # Bang Khae's planner
    client.logout()
    response = client.get(reverse("traffy:organization", args=[cast.org.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_index_leads_to_ones_own_organization(client, cast):
    client.force_login(cast.staff)
    assert client.get(reverse("traffy:index")).headers["Location"] == reverse("traffy:organization", args=[cast.org.pk])
    client.force_login(make_user("city", roles.CITY_EXECUTIVE))
    body = client.get(reverse("traffy:index")).content.decode()
    assert reverse("traffy:organization", args=[cast.org.pk]) in body and cast.other_org.name in body
    client.force_login(make_user("nobody"))
    assert client.get(reverse("traffy:index")).status_code == 404


def test_the_page_shows_the_rate_the_work_lists_and_the_map(client, cast):
    now = timezone.now()

    def add(ticket_id, days_ago, state, **kw):
        reported = now - datetime.timedelta(days=days_ago)
        Ticket.objects.create(organization=cast.org, ticket_id=ticket_id, reported_at=reported, state=state,
                              finished_at=reported + datetime.timedelta(hours=5) if state == FINISHED else None,
                              subdistrict="บางหว้า", problem_types=["ถนน"], latitude=Decimal("13.72"),
                              longitude=Decimal("100.44"), **kw)

    add("2024-OLDOPEN", 20, "รอรับเรื่อง", photo_url="https://storage.traffy.in.th/p/old.jpg")
    add("2024-NEWOPEN", 1, "กำลังดำเนินการ")
    add("2024-DONE", 1, FINISHED, count_reopen=3)
    Ticket.objects.create(organization=cast.other_org, ticket_id="2024-BANGKHAE", reported_at=now, state="รอรับเรื่อง")
    body = page(client, cast.head, cast.org).content.decode()
    overdue = body.split('id="overdue"')[1].split("</section>")[0]
    assert "2024-OLDOPEN" in overdue and "2024-NEWOPEN" not in overdue
    assert 'href="https://storage.traffy.in.th/p/old.jpg"' in overdue
    reopened = body.split('id="reopened"')[1].split("</section>")[0]
    assert "2024-DONE" in reopened and "2024-OLDOPEN" not in reopened
    assert "2024-BANGKHAE" not in body
    # Thai digits: at least 1 of 3 received is resolved, the year's rate is on the page
    assert re.search(r'id="rate-to-date".*?<strong>[๐-๙.]+ %</strong>', body, re.S)
    the_map = body.split('id="map"')[1].split("</section>")[0]
    assert the_map.count('class="ticket"') == 2  # the two open tickets
    assert "convex hull" in the_map  # the outlines say what they are
    assert page(client, cast.head, cast.org, year="x").status_code == 200  # a bad year: the current one


def test_the_page_speaks_english_with_arabic_digits(client, cast):
    make_tickets(cast.org, 6)
    client.force_login(cast.planner)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("traffy:organization", args=[cast.org.pk]), this_year()).content.decode()
    assert "Open for more than 15 days" in body
    assert not re.search(r"[๐-๙]", body.split('id="kpi"')[1].split("</section>")[0])


def test_the_pages_queries_do_not_grow_with_the_tickets(client, cast):
    client.force_login(cast.planner)
    url = reverse("traffy:organization", args=[cast.org.pk])
    client.get(url)  # sessions and caches warmed
    counts = []
    for n, prefix in ((10, "S"), (490, "L")):  # 10, then 500
        make_tickets(cast.org, n, prefix=prefix)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, this_year()).status_code == 200
        counts.append(len(queries))
    # 18: the session, the user, the organization, the user's groups and profile (5); the
    # months (1); the open-over-15-days list (rows, count, by type, by sub-district: 4);
    # the urgent and the re-opened lists (rows and count each: 4); the resolution times
    # (1); the map's dots and outlines (2); the header's unread notices (1); the year of
    # the organization's latest plan (1)
    assert counts == [19, 19]


def test_the_page_opens_on_the_year_of_the_organizations_plan(client, cast):
    client.force_login(cast.planner)
    body = client.get(reverse("traffy:organization", args=[cast.org.pk])).content.decode()
    assert "ปีงบประมาณ ๒๕๖๗" in body
