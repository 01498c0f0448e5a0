"""Plausibility on the entry form and in the service: impossible results refused with a
Thai message naming the field, unusual ones saved only with a written confirmation and
flagged on the planner's review page until verified. Pages are served in Thai."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from plans.models import Period
from progress.models import ProgressEntry, State
from progress.services import (
    ImpossibleValue,
    Item,
    NeedsExplanation,
    entry_endorse,
    entry_save,
    entry_submit,
    entry_verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def road_item(real_plan):
    """OKR 4.1.10 'พัฒนาถนนสวย ๕๐ เขต' (ฝ่ายโยธา): the district's 1.53 km of the city's 123.598 km."""
    from indicators.models import Indicator
    from progress.services import Item

    return Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:4.1.10"))


def url_for(period, item):
    return reverse("progress:entry", args=[period.pk, item.kind, item.obj.pk])


def month(number):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=number)


def text(response):
    """The page's text without tags, spaces squeezed: what a user reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def input_value(response, name):
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', response.content.decode())
    return match and match.group(1)


def test_negative_lamps_are_refused_naming_the_field_and_the_typing_is_kept(client, cast, period, lamp_item):
    client.force_login(cast.staff)
    response = client.post(url_for(period, lamp_item), {
        "action": "save", "version": "0", "value": "-๕", "value_is_cumulative": "on",
        "narrative": "ติดตั้งโคมไฟริมคลองบางจาก", "obstacles": "ฝนตก",
    })
    assert response.status_code == 400
    page = text(response)
    assert "ผลการดำเนินงาน (ดวง): -๕ ดวง ติดลบ" in page  # the field, the value in Thai digits, why
    assert input_value(response, "value") == "-๕"  # as typed, in the page's digits
    assert "ติดตั้งโคมไฟริมคลองบางจาก" in page and "ฝนตก" in page
    assert not ProgressEntry.objects.exists()


def test_a_share_over_100_is_refused(client, cast, period):
    drains = Item("indicator", Indicator.objects.get(plan=cast.plan, key="pa:1.1.3"))  # ร้อยละ, ฝ่ายโยธา
    client.force_login(cast.staff)
    response = client.post(url_for(period, drains), {"action": "submit", "version": "0", "value": "๑๒๐",
                                                      "narrative": "ล้างท่อ"})
    assert response.status_code == 400
    assert "ผลการดำเนินงาน (ร้อยละ): ร้อยละ ๑๒๐ เกิน ๑๐๐" in text(response)
    assert not ProgressEntry.objects.exists()
    # A share of 100 itself is fine.
    response = client.post(url_for(period, drains), {"action": "save", "version": "0", "value": "๑๐๐", "narrative": "ล้างท่อ"})
    assert response.status_code == 302


def test_an_unusual_result_needs_a_written_confirmation_then_is_flagged_until_verified(client, cast, period, road_item):
    """1,250 km of roads against the district's 1.53 km (the city's 123.598 km): the case seen on the real plan."""
    url = url_for(period, road_item)
    typed = {"action": "save", "version": "0", "value": "๑,๒๕๐", "value_is_cumulative": "on",
             "narrative": "ปรับปรุงถนนสวยทั้งเขต"}
    client.force_login(cast.staff)
    first = client.post(url, typed)
    assert first.status_code == 400 and not ProgressEntry.objects.exists()
    page = text(first)
    assert "ผลนี้ดูผิดปกติ" in page
    assert "ผลสะสมถึงงวดนี้ ๑,๒๕๐ กม. มากกว่า ๓ เท่าของเป้าหมายทั้งปี ๑.๕๓ กม." in page
    assert "ร้อยละ ๘๑,๖๙๙.๓๕" in page
    assert input_value(first, "value") == "๑,๒๕๐" and "ปรับปรุงถนนสวยทั้งเขต" in page
    assert 'name="implausible_confirmed"' in first.content.decode() and 'name="implausible_note"' in first.content.decode()
    seen = input_value(first, "implausible_seen")
    assert seen

    # Ticked but not explained: still refused, the explanation is asked for.
    second = client.post(url, {**typed, "implausible_seen": seen, "implausible_confirmed": "on"})
    assert second.status_code == 400 and not ProgressEntry.objects.exists()
    assert "กรุณาเขียนคำชี้แจง" in text(second)
    # Explained but not ticked: refused too.
    note = "รวมถนนซอยที่ปรับปรุงร่วมกับสำนักการโยธา ซึ่งเป้าหมายไม่ได้นับรวม"
    third = client.post(url, {**typed, "implausible_seen": seen, "implausible_note": note})
    assert third.status_code == 400 and "กรุณาทำเครื่องหมายเพื่อยืนยัน" in text(third)

    response = client.post(url, {**typed, "action": "submit", "implausible_seen": seen, "implausible_confirmed": "on",
                                 "implausible_note": note})
    assert response.status_code == 302
    entry = ProgressEntry.objects.get(indicator=road_item.obj, period=period)
    assert entry.value == Decimal("1250") and entry.state == State.SUBMITTED
    assert "๑,๒๕๐ กม." in entry.implausible_reason and entry.implausible_note == note
    assert all(h.implausible_note == note for h in entry.history.all())  # kept in the history

    client.force_login(cast.planner)
    review = reverse("progress:review")
    page = text(client.get(review, {"period": period.pk}))
    assert "ค่าผิดปกติ (๑)" in page and "รอตรวจสอบ" in page and note in page and "๑.๕๓ กม." in page
    only = client.get(review, {"period": period.pk, "unusual": "1"})
    assert [r.item.obj for r in only.context["rows"]] == [road_item.obj]
    assert "รอตรวจสอบ" in text(client.get(url))  # and on the report itself

    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    assert "รอตรวจสอบ" in text(client.get(review, {"period": period.pk}))
    entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("1.53"), comment="ตรวจแล้ว",
                 version=entry.version)
    page = text(client.get(review, {"period": period.pk}))
    assert "รอตรวจสอบ" not in page and "ค่าผิดปกติ (๐)" in page
    assert client.get(review, {"period": period.pk, "unusual": "1"}).context["rows"] == []


def test_a_tick_given_for_another_warning_confirms_nothing(client, cast, period, road_item):
    url = url_for(period, road_item)
    client.force_login(cast.staff)
    first = client.post(url, {"action": "save", "version": "0", "value": "1250", "narrative": "x"})
    seen = input_value(first, "implausible_seen")
    response = client.post(url, {"action": "save", "version": "0", "value": "2500", "narrative": "x",
                                 "implausible_seen": seen, "implausible_confirmed": "on", "implausible_note": "ตรวจแล้ว"})
    assert response.status_code == 400 and "๒,๕๐๐ กม." in text(response)
    assert not ProgressEntry.objects.exists()


def test_a_cumulative_total_going_down_needs_an_explanation(cast, flood_item):
    november = entry_save(user=cast.staff, plan=cast.plan, period=month(2), item=flood_item,
                          data={"value": Decimal(6), "narrative": "แก้ไขแล้ว ๖ จุด"}, version=0)
    entry_submit(user=cast.staff, entry=november, version=november.version)
    with pytest.raises(NeedsExplanation) as refused:
        entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=flood_item,
                   data={"value": Decimal(4), "narrative": "x"}, version=0)
    assert "4 จุด" in refused.value.shown and "6 จุด" in refused.value.shown
    assert "๔ จุด" in refused.value.reason  # stored in the site's language, Thai
    entry = entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=flood_item,
                       data={"value": Decimal(4), "narrative": "x", "implausible_confirmed": True,
                             "implausible_note": "พฤศจิกายนนับซ้ำ ๒ จุด"}, version=0)
    assert entry.implausible_note == "พฤศจิกายนนับซ้ำ ๒ จุด"
    # 999,999 flood points against the district's 3 (the city's 112), and -3, as seen on the real plan.
    with pytest.raises(NeedsExplanation):
        entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=flood_item,
                   data={"value": Decimal(999999)}, version=entry.version)
    with pytest.raises(ImpossibleValue) as refused:
        entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=flood_item,
                   data={"value": Decimal(-3)}, version=entry.version)
    assert refused.value.message.startswith("Result (จุด): -3 จุด is less than zero")


def test_per_period_values_are_judged_by_their_sum(cast, flood_item):
    Indicator.objects.filter(pk=flood_item.obj.pk).update(cumulative=False)
    flood_item.obj.refresh_from_db()
    for number, value in ((1, 4), (2, 4)):
        entry_save(user=cast.staff, plan=cast.plan, period=month(number), item=flood_item,
                   data={"value": Decimal(value), "value_is_cumulative": False, "narrative": "x"}, version=0)
    # 4 + 4 + 2 = 10 > 3 x 3 = 9 (the district's 3 points), although 2 alone is small.
    with pytest.raises(NeedsExplanation) as refused:
        entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=flood_item,
                   data={"value": Decimal(2), "value_is_cumulative": False, "narrative": "x"}, version=0)
    assert "10 จุด" in refused.value.shown


def test_a_confirmation_holds_while_the_result_stays_and_goes_when_it_is_corrected(cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal(1250), "narrative": "x", "implausible_confirmed": True,
                             "implausible_note": "ถนนซอยรวมด้วย"}, version=0)
    reason = entry.implausible_reason
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"narrative": "เพิ่มรายละเอียด"}, version=entry.version)
    assert (entry.implausible_reason, entry.implausible_note) == (reason, "ถนนซอยรวมด้วย")
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("1.25")}, version=entry.version)
    assert entry.implausible_reason == "" and entry.implausible_note == ""
    entry.refresh_from_db()
    assert entry.implausible_reason == ""


def test_the_form_keeps_a_confirmation_when_saved_again(client, cast, period, road_item):
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
               data={"value": Decimal(1250), "narrative": "x", "implausible_confirmed": True,
                     "implausible_note": "ถนนซอยรวมด้วย"}, version=0)
    client.force_login(cast.staff)
    page = client.get(url_for(period, road_item))
    form = page.context["form"]
    assert form.initial["implausible_confirmed"] and form.initial["implausible_note"] == "ถนนซอยรวมด้วย"
    assert "ผลนี้ดูผิดปกติ" in text(page)
    response = client.post(url_for(period, road_item), {
        "action": "save", "version": "1", "value": "1,250", "value_is_cumulative": "on", "narrative": "y",
        "implausible_confirmed": "on", "implausible_note": "ถนนซอยรวมด้วย",
        "implausible_seen": form.initial["implausible_seen"]})
    assert response.status_code == 302
    assert ProgressEntry.objects.get().narrative == "y"


def test_the_review_page_query_count_does_not_grow_with_flags(client, cast, period, road_item, lamp_item, flood_item):
    def submit(item, value, **extra):
        entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item,
                           data={"value": Decimal(value), "narrative": "x", **extra}, version=0)
        entry_submit(user=cast.staff, entry=entry, version=entry.version)

    submit(lamp_item, 70)
    client.force_login(cast.planner)
    url = reverse("progress:review")
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"period": period.pk})
    confirm = {"implausible_confirmed": True, "implausible_note": "ตรวจนับแล้ว"}
    submit(road_item, 1250, **confirm)
    submit(flood_item, 999999, **confirm)
    for params in ({"period": period.pk}, {"period": period.pk, "unusual": "1"}):
        with CaptureQueriesContext(connection) as after:
            response = client.get(url, params)
        assert len(after) == len(before)
    assert len(response.context["rows"]) == 2


def test_the_multiple_is_a_setting(cast, period, road_item, settings):
    settings.PROGRESS_PLAUSIBLE_MULTIPLE = "20"
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal(25), "narrative": "x"}, version=0)
    assert entry.value == Decimal(25) and entry.implausible_reason == ""
    settings.PROGRESS_PLAUSIBLE_MULTIPLE = "2"
    with pytest.raises(NeedsExplanation) as refused:
        entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                   data={"value": Decimal(4)}, version=entry.version)
    assert "more than 2 times" in refused.value.shown
