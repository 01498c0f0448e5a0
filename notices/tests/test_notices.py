"""Notices: each event makes one notice for the person who must act (and nobody else);
the bell counts them; the list shows each as new once; the daily run adds due and late
reports and mails each person one e-mail of their new notices, once."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from notices.models import Kind, MailSetting, Notice
from notices.services import notify
from plans.models import Period
from progress.models import ReopenRequest
from progress.services import (
    entry_endorse,
    entry_return,
    entry_save,
    entry_submit,
    entry_verify,
    period_lock,
    period_reopen,
    reopen_request_create,
)
from reports.models import ReportFile
from reports.services import report_request

pytestmark = pytest.mark.django_db

GOOD = {"value": Decimal("120"), "narrative": "ล้างท่อระบายน้ำซอยเพชรเกษม ๔๘"}
EVERYONE = ["staff", "other_staff", "head", "planner", "executive", "administrator", "other_planner"]


def draft(cast, period, item, user=None):
    return entry_save(user=user or cast.staff, plan=cast.plan, period=period, item=item, data=dict(GOOD), version=0)


def submitted(cast, period, item):
    entry = draft(cast, period, item)
    return entry_submit(user=cast.staff, entry=entry, version=entry.version)


def notices_of(cast) -> dict[str, list[Notice]]:
    return {who: list(Notice.objects.filter(recipient=getattr(cast, who))) for who in EVERYONE}


def only(cast, who: str, kind: str) -> Notice:
    """The one notice of `who`, of `kind`; and nobody else has any."""
    found = notices_of(cast)
    assert {w: [n.kind for n in ns] for w, ns in found.items() if ns} == {who: [kind]}
    return found[who][0]


# -- one event, one notice, for the right person -----------------------------------------

def test_staff_submitting_tells_their_head_only(cast, period, road_item):
    entry = submitted(cast, period, road_item)
    notice = only(cast, "head", Kind.TO_APPROVE)
    assert notice.text() == f"{period}: {road_item.obj} — waiting for your approval"
    assert notice.link == reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])
    assert notice.key == f"to_approve:{entry.pk}:{entry.version}"


def test_the_head_approving_tells_the_planners_of_the_organization(cast, period, road_item):
    entry = submitted(cast, period, road_item)
    Notice.objects.all().delete()
    entry_endorse(user=cast.head, entry=entry, version=entry.version)
    notice = only(cast, "planner", Kind.TO_VERIFY)  # not the other district's planner
    assert notice.text() == f"{period}: {road_item.obj} — approved by the head of ฝ่ายโยธา, waiting for your verification"


def test_a_heads_own_submission_goes_straight_to_the_planner(cast, period, road_item):
    entry = draft(cast, period, road_item, user=cast.head)
    entry_submit(user=cast.head, entry=entry, version=entry.version)
    only(cast, "planner", Kind.TO_VERIFY)


def test_a_return_tells_the_staff_who_wrote_it(cast, period, road_item):
    entry = submitted(cast, period, road_item)
    Notice.objects.all().delete()
    entry_return(user=cast.head, entry=entry, comment="แนบภาพถ่ายก่อนและหลัง", version=entry.version)
    notice = only(cast, "staff", Kind.RETURNED)
    assert notice.text() == f"{period}: {road_item.obj} — returned to you: แนบภาพถ่ายก่อนและหลัง"


def test_the_planner_returning_an_approved_report_tells_its_writer_not_the_head(cast, period, road_item):
    entry = submitted(cast, period, road_item)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    Notice.objects.all().delete()
    entry_return(user=cast.planner, entry=entry, comment="ตัวเลขไม่ตรงกับหลักฐาน", version=entry.version)
    only(cast, "staff", Kind.RETURNED)


def test_a_report_sent_again_after_its_return_is_a_new_event(cast, period, road_item):
    entry = submitted(cast, period, road_item)
    entry = entry_return(user=cast.head, entry=entry, comment="แก้ไข", version=entry.version)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                       data={**GOOD, "narrative": "แก้แล้ว"}, version=entry.version)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    assert Notice.objects.filter(recipient=cast.head, kind=Kind.TO_APPROVE).count() == 2


def test_an_unlock_request_tells_the_planners_and_its_answer_the_one_who_asked(cast, period):
    cast.planner.email = "planner@phasicharoen.go.th"
    cast.planner.save()
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    request = reopen_request_create(user=cast.staff, plan=cast.plan, period=period, reason="ลืมแนบหลักฐาน")
    notice = only(cast, "planner", Kind.REOPEN_REQUEST)
    assert notice.text() == f"ฝ่ายโยธา asks to reopen {period}: ลืมแนบหลักฐาน"
    assert notice.link == f"{reverse('progress:review')}?plan={cast.plan.pk}&period={period.pk}"
    # Mailed at once, so the daily mail does not tell it again.
    assert len(mail.outbox) == 1 and notice.mail_done_at is not None

    Notice.objects.all().delete()
    period_reopen(user=cast.planner, plan=cast.plan, period=period, reason="เปิดถึงวันศุกร์")
    answer = only(cast, "staff", Kind.REOPEN_ANSWER)
    assert answer.text() == f"{period} was reopened, answering your request: เปิดถึงวันศุกร์"
    assert ReopenRequest.objects.get(pk=request.pk).answer == "เปิดถึงวันศุกร์"


def test_a_planner_with_email_off_gets_the_unlock_request_as_a_notice_only(cast, period):
    cast.planner.email = "planner@phasicharoen.go.th"
    cast.planner.save()
    MailSetting.objects.create(user=cast.planner, email=False)
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    reopen_request_create(user=cast.staff, plan=cast.plan, period=period, reason="ลืมแนบหลักฐาน")
    assert mail.outbox == []
    only(cast, "planner", Kind.REOPEN_REQUEST)


def test_a_report_made_in_the_background_tells_the_one_who_asked(cast, django_capture_on_commit_callbacks):
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    with django_capture_on_commit_callbacks(execute=True):
        report_file = report_request(user=cast.executive, plan=cast.plan, kind="quarterly",
                                     params={"period": quarter.pk, "division": cast.division.pk})
    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.READY
    notice = only(cast, "executive", Kind.REPORT_READY)
    assert notice.text() == f"Your report is ready to download: รายงานผลการดำเนินงานรายไตรมาส (PDF) ({report_file.filename})"
    assert notice.link == reverse("reports:file", args=[report_file.pk])


def test_the_same_event_never_makes_two_notices(cast):
    for _ in range(2):
        notify(recipients=[cast.staff, cast.head], kind=Kind.REPORT_READY, key="report_ready:1", params={"report": "x"})
    assert Notice.objects.count() == 2


# -- the bell and the list -----------------------------------------------------------------

def bell(page: str) -> str | None:
    match = re.search(r'<span class="bell-count"[^>]*>([^<]*)</span>', page)
    return match.group(1) if match else None


def test_the_bell_counts_the_unread_and_the_list_shows_each_once(client, cast, period, road_item):
    submitted(cast, period, road_item)
    notify(recipients=[cast.head], kind=Kind.REPORT_READY, key="report_ready:test", params={"report": "สรุปผู้บริหาร"},
           link=reverse("reports:files"))
    client.force_login(cast.head)
    home = client.get(reverse("progress:my-work")).content.decode()
    assert bell(home) == "๒" and 'href="/notices/"' in home

    listed = client.get(reverse("notices:list")).content.decode()
    assert listed.count('class="unread"') == 2
    # Newest first: the report, then the submission.
    assert listed.index("สรุปผู้บริหาร") < listed.index(str(road_item.obj))
    assert f"{road_item.obj} — รอการรับรองจากท่าน" in listed  # in the reader's language
    assert bell(listed) is None  # seen now: the bell is empty on this very page

    again = client.get(reverse("notices:list")).content.decode()
    assert 'class="unread"' not in again and "สรุปผู้บริหาร" in again  # still listed, no longer new
    assert bell(client.get(reverse("progress:my-work")).content.decode()) is None


def test_opening_a_notice_marks_it_read_and_goes_to_its_item(client, cast, period, road_item):
    submitted(cast, period, road_item)
    notice = Notice.objects.get(recipient=cast.head)
    client.force_login(cast.head)
    response = client.get(reverse("notices:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == notice.link
    notice.refresh_from_db()
    assert notice.read_at is not None


@pytest.mark.parametrize("who", ["staff", "other_staff", "planner", "administrator", "other_planner"])
def test_nobody_else_opens_or_reads_off_a_notice(client, cast, period, road_item, who):
    submitted(cast, period, road_item)
    notice = Notice.objects.get(recipient=cast.head)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("notices:open", args=[notice.pk])).status_code == 404
    assert str(road_item.obj) not in client.get(reverse("notices:list")).content.decode()
    client.post(reverse("notices:read-all"))
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_is_a_post_of_ones_own(client, cast):
    for n in range(3):
        notify(recipients=[cast.staff, cast.head], kind=Kind.REPORT_READY, key=f"k{n}", params={"report": "x"})
    client.force_login(cast.staff)
    assert client.get(reverse("notices:read-all")).status_code == 405
    assert client.post(reverse("notices:read-all")).status_code == 302
    assert not Notice.objects.filter(recipient=cast.staff, read_at=None).exists()
    assert Notice.objects.filter(recipient=cast.head, read_at=None).count() == 3


def test_the_list_costs_the_same_queries_for_3_or_60_notices(client, cast):
    client.force_login(cast.staff)

    def count(n: int) -> int:
        for i in range(n):
            notify(recipients=[cast.staff], kind=Kind.RETURNED, key=f"returned:{n}:{i}",
                   params={"period": "ธันวาคม ๒๕๖๖", "item": f"ตัวชี้วัด {i}", "comment": "แก้"})
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notices:list")).status_code == 200
        return len(ctx)

    count(1)  # the session and the user's roles, once
    few = count(3)
    # session, user, the notices, marking them read, the e-mail setting; the header:
    # roles, profile, the bell
    assert few <= 8, few
    assert count(60) == few


def test_the_email_setting_is_ones_own_and_named_in_thai(client, cast):
    client.force_login(cast.staff)
    page = client.get(reverse("notices:list")).content.decode()
    assert 'name="email" value="off"' in page
    client.post(reverse("notices:email"), {"email": "off"})
    assert MailSetting.objects.get(user=cast.staff).email is False
    assert 'name="email" value="on"' in client.get(reverse("notices:list")).content.decode()
    refused = client.post(reverse("notices:email"), {"email": "maybe"}, follow=True).content.decode()
    assert "การแจ้งเตือนทางอีเมล" in refused
    assert MailSetting.objects.get(user=cast.staff).email is False
    assert not MailSetting.objects.filter(user=cast.head).exists()


# -- the daily run ---------------------------------------------------------------------------

JAN_2 = datetime.date(2024, 1, 2)  # December's reports are due on 7 January


def run(**options):
    out = io.StringIO()
    call_command("send_reminders", days=7, today=JAN_2, stdout=out, **options)
    return out.getvalue()


def test_send_reminders_twice_the_same_day_writes_and_mails_once(cast, period, road_item):
    cast.staff.email, cast.head.email = "staff@example.go.th", "head@example.go.th"
    cast.staff.save()
    cast.head.save()
    submitted(cast, period, road_item)  # the head's "waiting for your approval", already a notice
    run()
    staff_notices = Notice.objects.filter(recipient=cast.staff)
    assert staff_notices.filter(kind=Kind.DUE_SOON).exists()
    assert Notice.objects.filter(recipient=cast.head, kind=Kind.TO_APPROVE).count() == 1  # not written again
    assert sorted(m.to[0] for m in mail.outbox) == ["head@example.go.th", "staff@example.go.th"]
    staff_mail = next(m for m in mail.outbox if m.to == ["staff@example.go.th"])
    # One line per notice, each in Thai with its Buddhist-era deadline.
    lines = [line for line in staff_mail.body.splitlines() if line.startswith("- ")]
    assert len(lines) == staff_notices.count() and "กำหนดส่งภายในวันที่ ๗ มกราคม ๒๕๖๗" in staff_mail.body
    head_mail = next(m for m in mail.outbox if m.to == ["head@example.go.th"])
    with translation.override("th"):  # the mail is Thai
        assert f"{period}: {road_item.obj}" in head_mail.body

    written = Notice.objects.count()
    mail.outbox.clear()
    run()
    assert Notice.objects.count() == written and mail.outbox == []


def test_a_notice_already_read_is_not_mailed(cast, period, road_item):
    cast.head.email = "head@example.go.th"
    cast.head.save()
    submitted(cast, period, road_item)
    Notice.objects.filter(recipient=cast.head).update(read_at=datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC))
    Notice.objects.exclude(recipient=cast.head).delete()
    run()
    waiting = f"{period}: {road_item.obj} — รอการรับรองจากท่าน"
    assert Notice.objects.filter(recipient=cast.head, kind=Kind.TO_APPROVE).count() == 1
    assert [m.to for m in mail.outbox] == [["head@example.go.th"]]  # of the day's deadlines
    assert waiting not in mail.outbox[0].body and "กำหนดส่ง" in mail.outbox[0].body


def test_email_off_means_no_mail_but_the_notice_is_there(client, cast, period, road_item):
    cast.staff.email = "staff@example.go.th"
    cast.staff.save()
    client.force_login(cast.staff)
    client.post(reverse("notices:email"), {"email": "off"})
    run()
    assert mail.outbox == []
    assert Notice.objects.filter(recipient=cast.staff, kind=Kind.DUE_SOON).exists()
    # Turning e-mail on again later does not send what was already passed by.
    client.post(reverse("notices:email"), {"email": "on"})
    run()
    assert mail.outbox == []


def test_a_late_report_becomes_an_overdue_notice_once(cast, period, road_item):
    call_command("send_reminders", days=7, today=datetime.date(2024, 1, 10), stdout=io.StringIO())
    overdue = Notice.objects.filter(recipient=cast.staff, kind=Kind.OVERDUE,
                                    key=f"overdue:indicator:{road_item.obj.pk}:{period.pk}")
    assert overdue.count() == 1 and "เลยกำหนดตั้งแต่" not in overdue.get().text()  # English in direct calls
    assert overdue.get().text().endswith("overdue since 7 January 2567")  # the reader's language, B.E.
    call_command("send_reminders", days=7, today=datetime.date(2024, 1, 11), stdout=io.StringIO())
    assert overdue.count() == 1


def test_a_dry_run_writes_and_sends_nothing(cast):
    cast.staff.email = "staff@example.go.th"
    cast.staff.save()
    assert "(dry run)" in run(dry_run=True)
    assert not Notice.objects.exists() and mail.outbox == []


def test_a_return_from_the_entry_page_lights_the_writers_bell(client, cast, period, road_item):
    entry = submitted(cast, period, road_item)
    client.force_login(cast.head)
    url = reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])
    response = client.post(url, {"action": "return", "comment": "ระบุจำนวนจุดที่ล้าง", "version": entry.version})
    assert response.status_code == 302
    client.force_login(cast.staff)
    assert bell(client.get(reverse("home"), follow=True).content.decode()) == "๑"
    listed = client.get(reverse("notices:list")).content.decode()
    assert "ส่งกลับให้แก้ไข: ระบุจำนวนจุดที่ล้าง" in listed


def test_what_a_change_answers_stops_counting_for_everyone_told(cast, period, road_item):
    call_command("send_reminders", days=7, today=datetime.date(2024, 1, 10), stdout=io.StringIO())
    overdue = Notice.objects.get(recipient=cast.staff, key=f"overdue:indicator:{road_item.obj.pk}:{period.pk}")
    entry = submitted(cast, period, road_item)
    overdue.refresh_from_db()
    assert overdue.read_at is not None  # sending the report answered its deadline
    waiting = Notice.objects.get(recipient=cast.head, kind=Kind.TO_APPROVE)
    assert waiting.read_at is None
    entry_return(user=cast.head, entry=entry, comment="แนบภาพถ่าย", version=entry.version)
    waiting.refresh_from_db()
    returned = Notice.objects.get(recipient=cast.staff, kind=Kind.RETURNED)
    assert waiting.read_at is not None and returned.read_at is None
    # Other items' deadlines are still there to act on.
    assert Notice.objects.filter(recipient=cast.staff, kind=Kind.OVERDUE, read_at__isnull=True).exclude(pk=overdue.pk).count() \
        == Notice.objects.filter(recipient=cast.staff, kind=Kind.OVERDUE).count() - 1


def test_verifying_answers_the_planners_waiting_notice(cast, period, road_item):
    entry = submitted(cast, period, road_item)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    waiting = Notice.objects.get(recipient=cast.planner, kind=Kind.TO_VERIFY)
    entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("120"), comment="", version=entry.version)
    waiting.refresh_from_db()
    assert waiting.read_at is not None
    assert not Notice.objects.filter(read_at__isnull=True).exclude(kind__in=[Kind.DUE_SOON, Kind.OVERDUE]).exists()
