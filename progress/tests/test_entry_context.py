"""The entry page gives the context to answer well (issue 14): the item's target, unit
and baseline, the year's earlier results as the status page judges them, the planned
value to date, a table ค rubric with the level the saved result reaches, a project's
work plan with its S-curve, last period's «สิ่งที่ดำเนินการ» to start from, what the
cumulative box means for this item, and image evidence as thumbnails behind the same
access check as the download."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts import roles
from indicators.models import Indicator
from kpiplan.tests.test_images import phone_photo
from plans.models import Division, Period
from progress.services import Item, entry_save, entry_submit, evidence_add
from projects.models import Project
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def month(number):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=number)


def url_for(period, item):
    return reverse("progress:entry", args=[period.pk, item.kind, item.obj.pk])


def report(user, plan, item, number, value=None, narrative="", submit=True, **data):
    entry = entry_save(user=user, plan=plan, period=month(number), item=item,
                       data={"value": value, "narrative": narrative, **data}, version=None)
    return entry_submit(user=user, entry=entry, version=entry.version) if submit else entry


def page_of(client, user, period, item):
    client.force_login(user)
    response = client.get(url_for(period, item))
    assert response.status_code == 200
    return response.content.decode()


def test_an_indicator_entry_shows_target_unit_planned_value_and_earlier_results(client, cast, period, road_item):
    report(cast.staff, cast.plan, road_item, 1, Decimal(10), "ล้างท่อซอย ๑")
    report(cast.staff, cast.plan, road_item, 2, Decimal(25), "ล้างท่อซอย ๒ และ ๓")
    page = page_of(client, cast.staff, period, road_item)
    glance = page[page.index('id="glance"'):page.index('id="context"')]
    assert "เป้าหมายของเขต" in glance and "กม." in glance  # the district's target and the unit
    assert "ค่าตามแผนถึงงวดนี้" in glance and "ร้อยละ ๒๕ ของเป้าหมาย" in glance  # December: 3 of 12 months
    earlier = page[page.index('id="earlier"'):]
    earlier = earlier[:earlier.index("</details>")]
    # October and November, judged as on the status page: result to date and a status badge
    assert earlier.count("<tr data-period") == 2 and ">๒๕<" in earlier and 'class="status status-' in earlier
    assert "ธ.ค." not in earlier  # this period is the one being written


def test_the_planned_value_is_the_status_page_pace_of_the_district_target(client, cast, period, road_item):
    from progress.status import indicator_status

    status = indicator_status(road_item.obj, period)
    page = page_of(client, cast.staff, period, road_item)
    planned = page[page.index('id="planned"'):]
    from indicators.calculations import expected_value
    from kpiplan.templatetags.thai import baht

    assert baht(expected_value(status.target, status.planned), True) in planned[:400]


def test_a_table_c_indicator_shows_its_rubric_with_the_level_the_saved_result_reaches(client, cast, period):
    drains = Item("indicator", Indicator.objects.get(plan=cast.plan, key="pa:1.1.3"))  # ร้อยละ; level 3 at 60
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=drains, data={"value": Decimal(65)}, version=None)
    page = page_of(client, cast.staff, period, drains)
    rubric = page[page.index('id="rubric"'):]
    rubric = rubric[:rubric.index("</details>")]
    assert "ถึง<strong>ระดับ ๓</strong>" in rubric
    assert rubric.count('class="level reached current"') == 1
    reached = rubric[rubric.index('class="level reached current"'):]
    assert reached.index("<td>๓ ✓</td>") < 60
    assert "ไม่มีเกณฑ์การให้คะแนน" not in page and 'id="rubric"' not in page_of(
        client, cast.staff, period, Item("indicator", Indicator.objects.get(plan=cast.plan, key="okr:1.4.06")))


def test_a_project_entry_shows_its_steps_planned_and_done_and_its_s_curve(client, cast, period):
    clerk = make_user("clerk", roles.DIVISION_STAFF, cast.org, Division.objects.get(organization=cast.org, name="ฝ่ายปกครอง"))
    traffy = Project.objects.get(plan=cast.plan, key="p3:1.4")
    item = Item("project", traffy)
    step5 = traffy.work_steps.get(number=5)
    entry_save(user=clerk, plan=cast.plan, period=period, item=item,
               data={"percent_complete": Decimal(7), "narrative": "เริ่มงาน"}, steps_done=[step5], version=None)
    page = page_of(client, clerk, period, item)
    plan = page[page.index('id="work-plan"'):]
    plan = plan[:plan.index("</details>")]
    assert "<svg" in plan  # the S-curve
    assert plan.count("<tr class=") == traffy.work_steps.count()
    done = plan[plan.index('<tr class="done">'):]
    assert done.index("๕. ") < 60 and "✓" in done[:done.index("</tr>")]
    assert "ธ.ค." in done[:done.index("</tr>")]  # step 5 is planned in December
    assert "ตามแผนถึงงวดนี้ (แผนงาน)" in page and "เสร็จร้อยละ ๗" in page  # planned cumulative % by December


def test_last_periods_narrative_is_offered_with_a_button_that_copies_it(client, cast, period, road_item):
    report(cast.staff, cast.plan, road_item, 2, Decimal(5), "ล้างท่อซอยเพชรเกษม ๔๘\nลอกท่อช่วงตลาด")
    page = page_of(client, cast.staff, period, road_item)
    previous = page[page.index('id="previous"'):]
    assert 'id="previous-narrative">ล้างท่อซอยเพชรเกษม ๔๘\nลอกท่อช่วงตลาด</div>' in previous
    assert 'data-copy-from="previous-narrative" data-copy-to="id_narrative"' in previous and "ใช้ข้อความงวดก่อน" in previous
    assert previous.index('id="previous"') < previous.index('name="narrative"')  # just above the box it fills


def test_another_divisions_words_are_not_offered(client, cast, period, road_item):
    """An earlier draft is the division's own: a planner reading the page sees no words of it."""
    report(cast.staff, cast.plan, road_item, 2, Decimal(5), "ร่างที่ยังไม่ส่ง", submit=False)
    page = page_of(client, cast.staff, period, road_item)
    assert "ร่างที่ยังไม่ส่ง" in page  # the division's own staff start from their draft
    client.force_login(cast.planner)
    assert "ร่างที่ยังไม่ส่ง" not in client.get(url_for(period, road_item)).content.decode()


def test_the_cumulative_box_says_what_to_enter_with_this_items_unit_and_where_the_default_comes_from(
        client, cast, period, road_item):
    page = page_of(client, cast.staff, period, road_item)
    help_text = page[page.index('id="cumulative-help"'):]
    help_text = help_text[:help_text.index("</div>")]
    assert "กรอกยอดรวมตั้งแต่ ๑ ต.ค. ถึงสิ้นงวดนี้" in help_text and "๕ กม." in help_text
    assert "เฉพาะงวดนี้" in help_text
    assert "แผนกำหนดให้ตัวชี้วัดนี้รายงานเป็นยอดสะสม" in help_text
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
               data={"value": Decimal(5), "value_is_cumulative": False}, version=None)
    page = page_of(client, cast.staff, period, road_item)
    assert "ตามที่บันทึกไว้ในรายงานนี้ครั้งล่าสุด" in page


def test_image_evidence_shows_as_a_thumbnail_the_wrong_division_cannot_fetch(client, cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data={"value": Decimal(5)},
                       version=None)
    photo = evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("หน้างาน.jpg", phone_photo((1600, 1200))))
    pdf = evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("หนังสือ.pdf", b"%PDF-1.4 x"))
    page = page_of(client, cast.staff, period, road_item)
    thumb = reverse("progress:evidence-thumbnail", args=[photo.pk])
    assert f'<img src="{thumb}"' in page and reverse("progress:evidence-thumbnail", args=[pdf.pk]) not in page
    response = client.get(thumb)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG" and max(image.size) == 160 and len(response.content) < 20_000
    assert client.get(reverse("progress:evidence-thumbnail", args=[pdf.pk])).status_code == 404
    client.force_login(cast.other_staff)
    assert client.get(thumb).status_code in (403, 404)
    client.force_login(cast.other_planner)
    assert client.get(thumb).status_code in (403, 404)
    client.logout()
    assert client.get(thumb).status_code == 302  # to the login page


def test_the_entry_page_reads_in_the_same_queries_however_many_earlier_periods_and_files(client, cast, road_item):
    def queries(number):
        client.force_login(cast.staff)
        client.get(url_for(month(number), road_item))  # warm caches (sessions, translations)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url_for(month(number), road_item)).status_code == 200
        return len(captured)

    report(cast.staff, cast.plan, road_item, 1, Decimal(1), "งวด ๑")
    entry = entry_save(user=cast.staff, plan=cast.plan, period=month(2), item=road_item, data={"value": Decimal(2), "narrative": "งวด ๒"},
                       version=None)
    evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("a.jpg", phone_photo((300, 200))))
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=road_item, data={"value": Decimal(3)},
                       version=None)
    evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("b.jpg", phone_photo((300, 200))))
    few = queries(3)
    for number in range(4, 9):
        entry = report(cast.staff, cast.plan, road_item, number, Decimal(number), f"งวด {number}", submit=False)
        for i in range(3):
            evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4 x"))
        entry_submit(user=cast.staff, entry=entry, version=entry.version)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=month(9), item=road_item, data={"value": Decimal(9)},
                       version=None)
    for i in range(4):
        evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile(f"{i}.jpg", phone_photo((300, 200))))
    assert queries(9) <= few
