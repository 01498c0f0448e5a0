"""A report's history as people read it: per version who, when, why and each changed
field by its label, old → new (progress.history)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kpiplan.lib.changes import format_when
from progress.selectors import histories_for, history_for
from progress.services import entry_endorse, entry_return, entry_save, entry_submit, entry_verify

pytestmark = pytest.mark.django_db


def lines(version):
    return [str(c) for c in version.changes]


def cycle(cast, period, item):
    """Saved, submitted, returned with a comment, corrected, submitted, endorsed, verified."""
    cast.staff.first_name, cast.staff.last_name = "สมศรี", "ใจดี"
    cast.staff.save()
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item,
                       data={"value": Decimal("10"), "narrative": "ล้างท่อ ๒ กม."}, version=0)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    entry = entry_return(user=cast.head, entry=entry, comment="ตัวเลขไม่ตรงกับหลักฐาน", version=entry.version)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item,
                       data={"value": Decimal("12"), "narrative": "ล้างท่อ ๒ กม.\nลอกคลองอีก ๑ สาย"}, version=entry.version)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    return entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("12"), comment="ตรงกับภาพถ่าย", version=entry.version)


def when(entry, index, thai):
    """The date-time of the index-th version (oldest first) as the history prints it."""
    record = entry.history.order_by("history_date", "history_id")[index]
    return format_when(timezone.localtime(record.history_date), thai=thai)


def local(value, thai):
    return format_when(timezone.localtime(value), thai=thai)


def test_it_shows_each_version_with_who_why_and_each_change_old_to_new_in_thai(cast, period, road_item):
    entry = cycle(cast, period, road_item)
    with translation.override("th"):
        versions = history_for(entry)
    assert [(v.who, v.reason, v.state, v.created) for v in versions] == [
        ("planner", "ตรวจสอบและอนุมัติแล้ว", "อนุมัติแล้ว", False),
        ("head", "หัวหน้าฝ่ายรับรองแล้ว", "หัวหน้าฝ่ายรับรองแล้ว", False),
        ("สมศรี ใจดี", "ส่งรายงานแล้ว", "ส่งหัวหน้าฝ่ายแล้ว", False),
        ("สมศรี ใจดี", "บันทึกร่าง", "ร่าง", False),
        ("head", "ส่งกลับแก้ไข: ตัวเลขไม่ตรงกับหลักฐาน", "ส่งกลับแก้ไข", False),
        ("สมศรี ใจดี", "ส่งรายงานแล้ว", "ส่งหัวหน้าฝ่ายแล้ว", False),
        ("สมศรี ใจดี", "บันทึกร่าง", "ร่าง", True),
    ]
    assert [v.when_text for v in versions] == [when(entry, i, thai=True) for i in reversed(range(7))]
    assert re.fullmatch(r"[๐-๙]+ ธันวาคม [๐-๙]{4} [๐-๙]{2}:[๐-๙]{2}", versions[0].when_text)
    verified, endorsed, resubmitted, corrected, returned, submitted, created = versions
    assert lines(created) == ["สถานะ: - → ร่าง", "ผลการดำเนินงาน: - → ๑๐", "สิ่งที่ดำเนินการ: - → ล้างท่อ ๒ กม."]
    assert lines(submitted) == ["สถานะ: ร่าง → ส่งหัวหน้าฝ่ายแล้ว",
                                f"วันเวลาที่ส่งรายงาน: - → {local(submitted.when, thai=True)}"]
    assert lines(returned) == ["สถานะ: ส่งหัวหน้าฝ่ายแล้ว → ส่งกลับแก้ไข", "เหตุผลที่ส่งกลับ: - → ตัวเลขไม่ตรงกับหลักฐาน"]
    assert lines(corrected) == ["สถานะ: ส่งกลับแก้ไข → ร่าง", "ผลการดำเนินงาน: ๑๐ → ๑๒",
                                "สิ่งที่ดำเนินการ: ล้างท่อ ๒ กม. → ล้างท่อ ๒ กม.\nลอกคลองอีก ๑ สาย"]
    assert corrected.changes[2].long  # shown in full, old above new
    assert lines(resubmitted)[0] == "สถานะ: ร่าง → ส่งหัวหน้าฝ่ายแล้ว"
    assert lines(endorsed) == ["สถานะ: ส่งหัวหน้าฝ่ายแล้ว → หัวหน้าฝ่ายรับรองแล้ว"]
    assert lines(verified) == ["สถานะ: หัวหน้าฝ่ายรับรองแล้ว → อนุมัติแล้ว", "ผลที่ตรวจสอบแล้ว: - → ๑๒",
                               "ความเห็นผู้ประเมิน: - → ตรงกับภาพถ่าย",
                               f"วันเวลาที่อนุมัติ: - → {local(entry.approved_at, thai=True)}"]
    # bookkeeping is never a change
    assert not any(c.label in {"version", "updated at", "updated by", "รุ่น"} for v in versions for c in v.changes)


def test_english_mode_shows_english_labels_and_arabic_digits(cast, period, road_item):
    entry = cycle(cast, period, road_item)
    with translation.override("en"):
        versions = history_for(entry)
    verified, _endorsed, _resubmitted, corrected, returned, _submitted, created = versions
    assert lines(corrected)[:2] == ["State: Returned for correction → Draft", "Result: 10 → 12"]
    assert lines(verified)[:2] == ["State: Endorsed by the head → Approved", "Verified result: - → 12"]
    assert (verified.who, verified.reason) == ("planner", "Verified and approved")
    assert returned.reason == "Returned: ตัวเลขไม่ตรงกับหลักฐาน"
    assert lines(created)[0] == "State: - → Draft"
    assert re.fullmatch(r"\d+ Dec 25\d\d \d\d:\d\d", verified.when_text)


def test_a_result_by_measure_shows_each_measure_old_to_new(cast, period, real_plan):
    from indicators.models import Indicator
    from progress.services import Item

    canal = Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:1.4.07"))
    dredge, clear = "ขุดลอกคลอง", "เปิดทางน้ำไหล"
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=canal,
                       data={"measures": {dredge: Decimal("1.2"), clear: Decimal("10")}, "narrative": "ขุดลอก"}, version=0)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=canal,
                       data={"measures": {dredge: Decimal("1.5"), clear: Decimal("12.5")}, "narrative": "ขุดลอก"},
                       version=entry.version)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    entry = entry_verify(user=cast.planner, entry=entry, verified_value=None, comment="", version=entry.version,
                         verified_measures={clear: Decimal("1200")})
    with translation.override("th"):
        verified, _endorsed, _submitted, corrected, created = history_for(entry)
    assert "ผลการดำเนินงานแยกตามตัววัด — ขุดลอกคลอง: - → ๑.๒" in lines(created)
    assert "ผลการดำเนินงานแยกตามตัววัด — เปิดทางน้ำไหล: - → ๑๐" in lines(created)
    assert lines(corrected) == ["ผลการดำเนินงาน: ๑๑.๒ → ๑๔",
                                "ผลการดำเนินงานแยกตามตัววัด — ขุดลอกคลอง: ๑.๒ → ๑.๕",
                                "ผลการดำเนินงานแยกตามตัววัด — เปิดทางน้ำไหล: ๑๐ → ๑๒.๕"]
    assert "ผลที่ตรวจสอบแล้วแยกตามตัววัด — เปิดทางน้ำไหล: - → ๑,๒๐๐" in lines(verified)
    assert "ผลที่ตรวจสอบแล้วแยกตามตัววัด — ขุดลอกคลอง: - → ๑.๕" in lines(verified)


def test_work_steps_done_are_listed_by_name_added_and_removed(cast, real_plan, period):
    from accounts import roles
    from plans.models import Division
    from progress.services import Item
    from projects.models import Project
    from tests.factories import make_user

    traffy = Project.objects.get(plan=real_plan, key="p3:1.4")
    clerk = make_user("clerk", roles.DIVISION_STAFF, cast.org, Division.objects.get(organization=cast.org, name="ฝ่ายปกครอง"))
    one, two, three = traffy.work_steps.order_by("number")[:3]
    data = {"percent_complete": Decimal("29"), "narrative": "ดำเนินการตามแผน"}
    entry = entry_save(user=clerk, plan=real_plan, period=period, item=Item("project", traffy), data=data,
                       steps_done=[one, two], version=0)
    entry = entry_save(user=clerk, plan=real_plan, period=period, item=Item("project", traffy), data=data,
                       steps_done=[one, three], version=entry.version)
    with translation.override("th"):
        versions = history_for(entry)
    changed, created = versions
    [steps] = [c for c in changed.changes if c.is_set]
    assert steps.label == "ขั้นตอนการปฏิบัติงานที่ดำเนินการแล้ว"
    assert (one.number, two.number, three.number) == (4, 5, 6)
    assert steps.added == (f"๖. {three.name}",) and steps.removed == (f"๕. {two.name}",)
    assert changed.reason == "บันทึกร่าง" and changed.who == "clerk"
    [initial] = [c for c in created.changes if c.is_set]
    assert initial.added == (f"๔. {one.name}", f"๕. {two.name}")


def test_the_history_takes_the_same_queries_for_two_versions_or_seven(cast, period, road_item, django_assert_num_queries):
    short = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("1"), "narrative": "ล้างท่อ"}, version=0)
    short = entry_submit(user=cast.staff, entry=short, version=short.version)
    # the versions (with who), their work steps, their evidence's versions
    with django_assert_num_queries(3):
        assert len(histories_for([short])[short.pk]) == 2
    long = cycle(cast, period.__class__.objects.get(fiscal_year_id=2567, kind="month", number=4), road_item)
    with django_assert_num_queries(3):
        result = histories_for([short, long])
    assert [len(result[short.pk]), len(result[long.pk])] == [2, 7]


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_entry_page_and_the_indicator_page_show_the_history_in_words(client, cast, period, road_item):
    entry = cycle(cast, period, road_item)
    client.force_login(cast.staff)
    text = page_text(client.get(reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])))
    assert "ผลการดำเนินงาน : ๑๐ → ๑๒" in text
    assert "สถานะ : ร่าง → ส่งหัวหน้าฝ่ายแล้ว" in text
    assert "สมศรี ใจดี" in text and "เหตุผล: ตรวจสอบและอนุมัติแล้ว" in text
    assert "approved_at" not in text and "evaluation_comment" not in text
    client.force_login(cast.executive)
    text = page_text(client.get(reverse("progress:indicator", args=[road_item.obj.pk])))
    assert "ผลการดำเนินงาน : ๑๐ → ๑๒" in text and "ผลที่ตรวจสอบแล้ว : - → ๑๒" in text
    client.cookies["django_language"] = "en"
    text = page_text(client.get(reverse("progress:indicator", args=[road_item.obj.pk])))
    assert "Result : 10 → 12" in text and "State : Draft → Submitted to the head" in text
    assert local(entry.approved_at, thai=False) in text
