"""Table ค indicator 1.2 computed from Traffy's tickets: the entry page proposes the value
with the counts behind it, the person reporting confirms it or overrides it with a
reason, and the report keeps the proposal it was confirmed against (issue 16 item 4).

The hand-built tickets of Phasi Charoen (Bangkok times), FY 2567:

| ticket | reported    | state now   | finished    |
|--------|-------------|-------------|-------------|
| O1     | 15 Oct 2023 | finished    | 20 Oct 2023 |
| N1     | 5 Nov 2023  | finished    | 10 Nov 2023 |
| N2     | 20 Nov 2023 | waiting     |             |
| D1     | 1 Dec 2023  | finished    | 5 Dec 2023  |
| D2     | 8 Dec 2023  | finished    | 10 Dec 2023 |
| D3     | 12 Dec 2023 | in progress |             |
| D4     | 28 Dec 2023 | finished    | 2 Jan 2024  |

and one of Bang Khae in December, which never counts here.

December 2566 (fiscal month 3), to date: received 7, finished by 31 Dec 4 (O1 N1 D1 D2)
= 57.14 %; December alone: received 4, finished by its end 2 (D1 D2) = 50.00 %. The
first quarter is the same window as December to date. The rubric's levels are read from
«ได้ร้อยละ ๗๕ ขึ้นไป» … (60/65/70/75 %): 57.14 reaches level 1, 60 level 2."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts import roles
from indicators.models import Indicator, Rubric
from indicators.scoring import level_reached, main_measure
from plans.models import Period
from progress.models import ProgressEntry
from progress.services import Item, NeedsProposalReason, entry_save
from tests.factories import make_user
from traffy.models import FINISHED, Batch, Ticket

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")


def at(y, m, d, hh=10):
    return datetime.datetime(y, m, d, hh, tzinfo=BKK)


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def traffy_item(cast):
    return Item("indicator", Indicator.objects.get(plan=cast.plan, key="pa:1.2"))


@pytest.fixture
def reporter(cast, traffy_item):
    """Staff of the division that reports 1.2 (ฝ่ายปกครอง)."""
    return make_user("traffy_staff", roles.DIVISION_STAFF, cast.org, traffy_item.obj.division)


@pytest.fixture
def batch(cast):
    return Batch.objects.create(organization=cast.org, kind=Batch.Kind.CSV, source="traffy-ธันวาคม.csv",
                                finished_at=datetime.datetime(2024, 1, 3, 9, 30, tzinfo=BKK))


@pytest.fixture
def tickets(cast, batch):
    def add(org, ticket_id, reported, state, finished=None):
        Ticket.objects.create(organization=org, ticket_id=ticket_id, reported_at=reported, state=state,
                              finished_at=finished, batch=batch if org == cast.org else None)

    add(cast.org, "O1", at(2023, 10, 15), FINISHED, at(2023, 10, 20))
    add(cast.org, "N1", at(2023, 11, 5), FINISHED, at(2023, 11, 10))
    add(cast.org, "N2", at(2023, 11, 20), "รอรับเรื่อง")
    add(cast.org, "D1", at(2023, 12, 1), FINISHED, at(2023, 12, 5))
    add(cast.org, "D2", at(2023, 12, 8), FINISHED, at(2023, 12, 10))
    add(cast.org, "D3", at(2023, 12, 12), "กำลังดำเนินการ")
    add(cast.org, "D4", at(2023, 12, 28), FINISHED, at(2024, 1, 2))
    add(cast.other_org, "BK1", at(2023, 12, 3), FINISHED, at(2023, 12, 4))


def level_of(item, value: str) -> int:
    """The level any indicator's result reaches (indicators.scoring), for the expected page text."""
    rubric = Rubric.objects.get(indicator=item.obj)
    return level_reached(rubric, main_measure(rubric), Decimal(value))


def url_for(period, item):
    return reverse("progress:entry", args=[period.pk, item.kind, item.obj.pk])


def save(client, period, item, **fields):
    return client.post(url_for(period, item), {"action": "save", "version": "0", "value_is_cumulative": "on",
                                               "narrative": "ติดตามเรื่องร้องเรียน", **fields})


def test_the_entry_page_proposes_the_months_figure_with_its_counts_and_source(client, cast, period, traffy_item,
                                                                             reporter, tickets):
    client.force_login(reporter)
    response = client.get(url_for(period, traffy_item))
    assert response.status_code == 200
    page = text(response)
    assert "Traffy เสนอ ๕๗.๑๔ % (ได้รับ ๗ เรื่อง แก้ไขเสร็จ ๔ เรื่อง, ข้อมูล ณ ๓ มกราคม ๒๕๖๗ ๐๙:๓๐ น., " \
           "แหล่งที่มา traffy-ธันวาคม.csv)" in page, page[:3000]
    assert "(ผลสะสม)" in page
    # The button fills the value box with the proposal; the link opens December's tickets.
    html = response.content.decode()
    assert '<span id="traffy-proposed-value" hidden>57.14</span>' in html
    assert 'data-copy-to="id_value"' in html
    link = re.search(r'href="([^"]+)" id="traffy-list"', html).group(1).replace("&amp;", "&")
    assert link == reverse("traffy:organization", args=[cast.org.pk]) + "?year=2567&month=2023-12#month"
    listing = client.get(link)
    assert listing.status_code == 200
    month = text(listing)
    assert "เรื่องที่ได้รับในเดือนธันวาคม ๒๕๖๖ (๔ เรื่อง)" in month
    assert "เสร็จสิ้นภายในสิ้นเดือน ๒ จาก ๔ เรื่อง" in month
    section = listing.content.decode().split('id="month"')[1].split("</section>")[0]
    assert all(t in section for t in ("D1", "D2", "D3", "D4")) and "N1" not in section and "BK1" not in section


def test_a_quarter_proposes_the_figure_to_its_end(client, traffy_item, reporter, tickets):
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(reporter)
    assert "Traffy เสนอ ๕๗.๑๔ % (ได้รับ ๗ เรื่อง แก้ไขเสร็จ ๔ เรื่อง" in text(client.get(url_for(quarter, traffy_item)))


def test_a_report_of_the_period_alone_is_proposed_the_months_own_rate(cast, period, traffy_item, reporter, tickets):
    saved = entry_save(user=reporter, plan=cast.plan, period=period, item=traffy_item,
                       data={"value": Decimal("50"), "value_is_cumulative": False, "narrative": "x"}, version=0)
    assert (saved.proposed_value, saved.proposed_received, saved.proposed_resolved) == (Decimal("50.00"), 4, 2)
    assert saved.proposal_note == ""


def test_confirming_keeps_the_value_and_the_source_and_the_rubric_follows(client, period, traffy_item, reporter,
                                                                          tickets, batch):
    client.force_login(reporter)
    assert save(client, period, traffy_item, value="๕๗.๑๔").status_code == 302
    entry = ProgressEntry.objects.get(indicator=traffy_item.obj, period=period)
    assert entry.value == Decimal("57.14")
    assert (entry.proposed_value, entry.proposed_received, entry.proposed_resolved) == (Decimal("57.14"), 7, 4)
    assert entry.proposed_batch == batch and entry.proposed_source == "traffy-ธันวาคม.csv"
    assert entry.proposed_as_of == batch.finished_at and entry.proposal_note == ""
    assert entry.history.first().proposed_value == Decimal("57.14")  # the history keeps it too
    page = text(client.get(url_for(period, traffy_item)))
    assert level_of(traffy_item, "57.14") == 1
    assert "ผลการดำเนินงานที่บันทึกไว้ (๕๗.๑๔) ถึง ระดับ ๑ ตามเกณฑ์" in page


def test_overriding_needs_a_reason_in_thai_and_keeps_what_was_typed(client, period, traffy_item, reporter, tickets):
    client.force_login(reporter)
    response = save(client, period, traffy_item, value="๖๐", obstacles="ฝนตกหนัก")
    assert response.status_code == 400
    page = text(response)
    assert ("เหตุผลที่ต่างจากค่าของ Traffy: เรื่องร้องเรียนใน Traffy ให้ค่าร้อยละ ๕๗.๑๔ กรุณาเขียนเหตุผลที่"
            "ผลการดำเนินงานเป็น ๖๐ หรือใช้ค่าที่ Traffy เสนอ ระบบยังไม่ได้บันทึกข้อมูล") in page
    assert re.search(r'name="value"[^>]*value="๖๐"', response.content.decode())
    assert "ฝนตกหนัก" in page and "ติดตามเรื่องร้องเรียน" in page
    assert not ProgressEntry.objects.exists()

    reason = "เรื่อง D3 ส่งต่อการไฟฟ้านครหลวงแล้ว ไม่อยู่ในอำนาจเขต"
    assert save(client, period, traffy_item, value="๖๐", proposal_note=reason).status_code == 302
    entry = ProgressEntry.objects.get(indicator=traffy_item.obj, period=period)
    assert entry.value == Decimal(60) and entry.proposed_value == Decimal("57.14") and entry.proposal_note == reason
    page = text(client.get(url_for(period, traffy_item)))
    assert level_of(traffy_item, "60") == 2
    assert "ผลการดำเนินงานที่บันทึกไว้ (๖๐) ถึง ระดับ ๒ ตามเกณฑ์" in page  # the confirmed (overridden) value decides the level
    assert reason in page  # the reason stays in the box for the next save


def test_the_service_refuses_an_override_without_a_reason(cast, period, traffy_item, reporter, tickets):
    with pytest.raises(NeedsProposalReason):
        entry_save(user=reporter, plan=cast.plan, period=period, item=traffy_item,
                   data={"value": Decimal("80"), "value_is_cumulative": True, "narrative": "x"}, version=0)
    assert not ProgressEntry.objects.exists()


def test_no_tickets_no_proposal(client, cast, period, traffy_item, reporter):
    client.force_login(reporter)
    response = client.get(url_for(period, traffy_item))
    assert "traffy-proposal" not in response.content.decode()
    assert save(client, period, traffy_item, value="๗๐").status_code == 302  # typed by hand, as before
    entry = ProgressEntry.objects.get()
    assert entry.proposed_value is None and entry.proposed_batch is None


def test_other_indicators_are_never_proposed(client, cast, period, tickets):
    drains = Item("indicator", Indicator.objects.get(plan=cast.plan, key="pa:1.1.3"))  # ร้อยละ, ฝ่ายโยธา
    client.force_login(cast.staff)
    assert "traffy-proposal" not in client.get(url_for(period, drains)).content.decode()


def test_the_indicator_is_chosen_by_the_setting(client, cast, period, traffy_item, reporter, tickets, settings):
    settings.TRAFFY_INDICATOR_KEYS = ["pa:9.9"]
    client.force_login(reporter)
    assert "traffy-proposal" not in client.get(url_for(period, traffy_item)).content.decode()


def test_others_do_not_see_the_proposal_or_its_tickets(client, cast, period, traffy_item, reporter, tickets):
    # Staff of another division: the item is not theirs (not even shown to exist).
    client.force_login(cast.staff)
    assert client.get(url_for(period, traffy_item)).status_code == 404
    # Another organization: neither the report nor the month's tickets.
    client.force_login(cast.other_planner)
    assert client.get(url_for(period, traffy_item)).status_code == 404
    listing = reverse("traffy:organization", args=[cast.org.pk]) + "?year=2567&month=2023-12"
    assert client.get(listing).status_code == 404
    # The planner of the district reads the submitted report with the proposal it was confirmed against.
    client.force_login(reporter)
    save(client, period, traffy_item, value="๕๗.๑๔", action="submit")
    client.force_login(cast.planner)
    page = text(client.get(url_for(period, traffy_item)))
    assert "ค่าที่ Traffy เสนอ ๕๗.๑๔ % (ได้รับ ๗ เรื่อง แก้ไขเสร็จ ๔ เรื่อง" in page
    assert "ยืนยันตามค่าที่ Traffy เสนอ" in page
