"""What staff, heads and planners see, and what happens to what they type."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from progress.models import Evidence, ProgressEntry, State
from progress.selectors import items_for
from progress.services import entry_endorse, entry_save, entry_submit, period_lock
from tests.factories import one_pixel_png

pytestmark = pytest.mark.django_db


def url_for(period, item):
    return reverse("progress:entry", args=[period.pk, item.kind, item.obj.pk])


def test_staff_enter_thai_digits_and_evidence(client, cast, period, road_item):
    client.force_login(cast.staff)
    pdf = SimpleUploadedFile("หลักฐาน.pdf", b"%PDF-1.4 evidence", "application/pdf")
    response = client.post(url_for(period, road_item), {
        "action": "save", "version": "0", "value": "๒๒๓.๕", "value_is_cumulative": "on",
        "narrative": "ปรับปรุงทางเท้า", "evidence": [pdf],
    })
    assert response.status_code == 302
    entry = ProgressEntry.objects.get(indicator=road_item.obj, period=period)
    assert entry.value == Decimal("223.5") and entry.state == State.DRAFT
    assert entry.evidence.get().original_name == "หลักฐาน.pdf"
    page = client.get(url_for(period, road_item)).content.decode()
    assert "๒๒๓.๕" in page and "หลักฐาน.pdf" in page


def test_bad_input_keeps_everything_typed(client, cast, period, road_item):
    client.force_login(cast.staff)
    response = client.post(url_for(period, road_item), {
        "action": "save", "version": "0", "value": "หนึ่งพัน", "narrative": "ข้อความที่พิมพ์ยาว ๆ", "obstacles": "ฝนตก",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "หนึ่งพัน" in page and "ข้อความที่พิมพ์ยาว ๆ" in page and "ฝนตก" in page
    assert "กรอกตัวเลข" in page  # the Thai message names the problem
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("name, content, message", [
    ("virus.exe", b"MZ\x90\x00", "is not a PDF"),
    ("fake.pdf", b"<html>", "is not a PDF"),
])
def test_evidence_of_the_wrong_type_is_refused_and_nothing_lost(client, cast, period, road_item, name, content, message):
    client.force_login(cast.staff)
    from django.utils import translation

    response = client.post(url_for(period, road_item), {
        "action": "save", "version": "0", "value": "5", "narrative": "งานที่ทำ",
        "evidence": [SimpleUploadedFile(name, content)],
    }, HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        page = response.content.decode()
    assert response.status_code == 400
    assert name in page and "งานที่ทำ" in page
    assert not Evidence.objects.exists() and not ProgressEntry.objects.exists()


def test_evidence_over_the_size_limit_is_refused(client, cast, period, road_item, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(cast.staff)
    response = client.post(url_for(period, road_item), {
        "action": "save", "version": "0", "value": "5", "narrative": "งาน",
        "evidence": [SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2048)],
    })
    assert response.status_code == 400 and "big.pdf" in response.content.decode()


def test_a_concurrent_edit_is_refused_and_the_text_kept(client, cast, period, road_item):
    entry = entry_save(user=cast.head, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("1"), "narrative": "ของหัวหน้า"}, version=0)
    entry_save(user=cast.head, plan=cast.plan, period=period, item=road_item,
               data={"value": Decimal("2"), "narrative": "หัวหน้าแก้อีกครั้ง"}, version=entry.version)
    client.force_login(cast.staff)
    response = client.post(url_for(period, road_item), {
        "action": "save", "version": str(entry.version), "value": "๓", "narrative": "ที่เจ้าหน้าที่พิมพ์",
    })
    assert response.status_code == 409
    page = response.content.decode()
    assert "ที่เจ้าหน้าที่พิมพ์" in page
    entry.refresh_from_db()
    assert entry.value == Decimal("2") and entry.narrative == "หัวหน้าแก้อีกครั้ง"


def test_after_the_lock_the_form_is_gone_and_posts_are_refused(client, cast, period, road_item):
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
               data={"value": Decimal("1"), "narrative": "x"}, version=0)
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    client.force_login(cast.staff)
    page = client.get(url_for(period, road_item)).content.decode()
    assert 'id="save"' not in page
    response = client.post(url_for(period, road_item), {"action": "save", "version": "1", "value": "9", "narrative": "y"})
    assert response.status_code == 400
    assert ProgressEntry.objects.get(indicator=road_item.obj).value == Decimal("1")


def test_my_work_shows_targets_states_and_overdue(client, cast, period, road_item):
    client.force_login(cast.staff)
    page = client.get(reverse("progress:my-work"), {"period": period.pk}).content.decode()
    assert "ล้างทำความสะอาดท่อ" in page and "ขุดลอกลำกระโดงสรรพากร" in page  # an indicator and a project of ฝ่ายโยธา
    assert "เกินกำหนด" in page  # December 2566 reports were due in January 2567


def _count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


def _report_everything(cast, period, division, user, first_only=False, skip_first=False):
    items = items_for(cast.plan, period, division)
    items = items[:1] if first_only else items[1:] if skip_first else items
    for item in items:
        if item.kind == "indicator":
            data = {"value": Decimal("1"), "narrative": "ทำแล้ว"}
        else:
            data = {"percent_complete": Decimal("50"), "narrative": "ทำแล้ว"}
        entry = entry_save(user=user, plan=cast.plan, period=period, item=item, data=data, version=0)
        evidence = SimpleUploadedFile("a.png", one_pixel_png())
        from progress.services import evidence_add

        evidence_add(user=user, entry=entry, upload=evidence)
        entry_submit(user=user, entry=entry, version=entry.version)


def test_my_work_query_count_does_not_grow_with_reports(client, cast, period):
    client.force_login(cast.staff)
    url = reverse("progress:my-work")
    _report_everything(cast, period, cast.division, cast.staff, first_only=True)
    before = _count(client, url, {"period": period.pk})
    _report_everything(cast, period, cast.division, cast.staff, skip_first=True)
    assert _count(client, url, {"period": period.pk}) == before


def test_head_list_and_completeness_query_counts_do_not_grow(client, cast, period):
    _report_everything(cast, period, cast.division, cast.staff, first_only=True)
    client.force_login(cast.head)
    head_before = _count(client, reverse("progress:my-work"), {"period": period.pk})
    client.force_login(cast.planner)
    completeness_before = _count(client, reverse("progress:completeness"), {"period": period.pk})
    review_before = _count(client, reverse("progress:review"), {"period": period.pk})
    _report_everything(cast, period, cast.division, cast.staff, skip_first=True)
    client.force_login(cast.head)
    assert _count(client, reverse("progress:my-work"), {"period": period.pk}) == head_before
    client.force_login(cast.planner)
    assert _count(client, reverse("progress:completeness"), {"period": period.pk}) == completeness_before
    assert _count(client, reverse("progress:review"), {"period": period.pk}) == review_before


def test_completeness_counts_per_division(client, cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("1"), "narrative": "x"}, version=0)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    entry_endorse(user=cast.head, entry=entry, version=entry.version)
    from progress.selectors import completeness

    rows = {s.division.name: s for s in completeness(cast.plan, period)}
    roads = rows["ฝ่ายโยธา"]
    assert roads.reported == 1 and roads.submitted == 1 and roads.approved == 0
    assert roads.due == len(items_for(cast.plan, period, cast.division))
    assert roads.late == roads.due - 1
    assert str(road_item.obj) not in roads.missing


def test_completeness_page_makes_each_divisions_quarterly_report(client, cast, period, django_capture_on_commit_callbacks):
    from reports.models import ReportFile

    client.force_login(cast.executive)
    page = client.get(reverse("progress:completeness"), {"period": period.pk}).content.decode()
    request_url = f"{reverse('reports:request', args=['quarterly'])}?plan={cast.plan.pk}&period={period.pk}"
    # One button per division row, beside the organization's own, through the same request.
    assert page.count(f'action="{request_url}"') == page.count('class="division-quarterly-pdf"') + 1 > 2
    assert f'<input type="hidden" name="division" value="{cast.division.pk}">' in page
    assert "รายงานรายไตรมาส (PDF)" in page and "รายงานผลการดำเนินงานรายไตรมาสของฝ่ายโยธา (PDF)" in page

    environment = cast.org.divisions.get(name="ฝ่ายสิ่งแวดล้อมและสุขาภิบาล")  # short name ฝ่ายสิ่งแวดล้อมฯ
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url, {"division": environment.pk})
    report_file = ReportFile.objects.get()
    assert response["Location"] == reverse("reports:file", args=[report_file.pk])
    assert (report_file.status, report_file.filename) == (ReportFile.Status.READY, "progress-2567-q1-ฝ่ายสิ่งแวดล้อมฯ.pdf")
    download = client.get(reverse("reports:file-download", args=[report_file.pk]))
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''progress-2567-q1-%E0%B8%9D%E0%B9%88%E0%B8%B2%E0%B8%A2%E0%B8%AA%E0%B8%B4%E0%B9%88%E0%B8%87"
        "%E0%B9%81%E0%B8%A7%E0%B8%94%E0%B8%A5%E0%B9%89%E0%B8%AD%E0%B8%A1%E0%B8%AF.pdf")


def test_reminders_mail_staff_with_due_reports_and_heads_with_waiting_ones(cast, period, road_item):
    cast.staff.email = "staff@example.go.th"
    cast.staff.save()
    cast.head.email = "head@example.go.th"
    cast.head.save()
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("1"), "narrative": "x"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    # 2 January 2567: December's reports are due on 7 January.
    call_command("send_reminders", days=7, today=__import__("datetime").date(2024, 1, 2), stdout=__import__("io").StringIO())
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"staff@example.go.th", "head@example.go.th"}
    with translation.override("th"):  # the mail is Thai
        december_road = f"{period}: {road_item.obj}"
    assert "ขุดลอกลำกระโดงสรรพากร" in by_recipient["staff@example.go.th"].body
    assert december_road not in by_recipient["staff@example.go.th"].body  # already submitted
    assert december_road in by_recipient["head@example.go.th"].body  # waiting for the head
    # The first quarter is due the same day and holds December: each report is named once.
    lines = [line for line in by_recipient["staff@example.go.th"].body.splitlines() if line.startswith("- ")]
    assert lines and len(lines) == len(set(line.split(": ", 1)[1] for line in lines))
    mail.outbox.clear()
    call_command("send_reminders", days=7, today=__import__("datetime").date(2024, 1, 2), dry_run=True, stdout=__import__("io").StringIO())
    assert mail.outbox == []


def test_a_quarter_lists_its_months_reports_with_their_own_deadlines(client, cast, period, road_item):
    # With "ไตรมาส ๑/๒๕๖๗" chosen, My work said nothing was due and Completeness was all
    # zeros although December had reports: a quarter holds its months' reports.
    from plans.models import Period
    from progress.selectors import completeness

    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={"value": Decimal("30"), "narrative": "ธันวาคม"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    monthly = len(items_for(cast.plan, period, cast.division))
    roads = {s.division.name: s for s in completeness(cast.plan, q1)}["ฝ่ายโยธา"]
    assert roads.due == 3 * monthly and roads.reported == 1 and roads.submitted == 1
    assert f"{road_item.obj} ({period})" not in roads.missing

    client.force_login(cast.staff)
    page = client.get(reverse("progress:my-work"), {"period": q1.pk})
    html = page.content.decode()
    assert html.count(url_for(period, road_item)) == 1  # December's row links to December's report
    october = Period.objects.get(fiscal_year_id=2567, kind="month", number=1)
    assert url_for(october, road_item) in html
    assert "๗ มกราคม ๒๕๖๗" in html  # the quarter's last deadline, never an empty date
    assert "ฝ่ายของท่านไม่มีรายงานที่ต้องส่งในงวดนี้" not in html
