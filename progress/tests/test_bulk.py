"""Bulk actions act only on what is ready, show it first, and leave nothing half done;
locking shows what is still open; divisions can ask for a locked period to be reopened."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from progress.models import PeriodLock, ProgressEntry, ReopenRequest, State
from progress.selectors import items_for, open_items
from progress.services import (
    ConcurrentEdit,
    PeriodLocked,
    PermissionRefused,
    WorkflowError,
    entries_endorse_all,
    entries_submit_all,
    entries_verify_all,
    entry_endorse,
    entry_return,
    entry_save,
    entry_submit,
    period_lock,
    period_reopen,
    reopen_request_create,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

WHO = ["staff", "other_staff", "head", "planner", "executive", "other_planner", "anonymous"]


def login(client, cast, who):
    if who != "anonymous":
        client.force_login(getattr(cast, who))


def status(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


def indicators(cast, period, n):
    """The first n indicators ฝ่ายโยธา reports in December."""
    items = [i for i in items_for(cast.plan, period, cast.division) if i.kind == "indicator"]
    assert len(items) >= n
    return items[:n]


def save(cast, period, item, user=None, **data):
    data = {"value": Decimal("2"), "narrative": "ดำเนินการแล้ว", **data}
    current = ProgressEntry.objects.filter(period=period, indicator=item.obj).first()
    return entry_save(user=user or cast.staff, plan=cast.plan, period=period, item=item, data=data,
                      version=current.version if current else 0)


def submitted(cast, period, item, **data):
    entry = save(cast, period, item, **data)
    return entry_submit(user=cast.staff, entry=entry, version=entry.version)


def endorsed(cast, period, item, **data):
    entry = submitted(cast, period, item, **data)
    return entry_endorse(user=cast.head, entry=entry, version=entry.version)


def states(*entries):
    return [ProgressEntry.objects.get(pk=e.pk).state for e in entries]


def history_count(*entries):
    return sum(ProgressEntry.history.filter(id=e.pk).count() for e in entries)


def hidden(page, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} on the page"
    return match.group(1)


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


# -- the head's approve-all -------------------------------------------------------------

def test_the_head_approves_only_submitted_reports_never_a_draft(client, cast, period):
    """The bug of issue 11: a draft (999,999, "ร่างยังไม่เสร็จ อย่าส่ง") was forwarded."""
    first, second, third = indicators(cast, period, 3)
    ready_a = submitted(cast, period, first)
    ready_b = submitted(cast, period, second)
    unfinished = save(cast, period, third, value=Decimal("999999"), narrative="ร่างยังไม่เสร็จ อย่าส่ง",
                      implausible_confirmed=True, implausible_note="ยังไม่ได้ตรวจตัวเลข")
    client.force_login(cast.head)
    url = reverse("progress:approve-all", args=[period.pk])
    page = client.get(url).content.decode()

    ready = page[page.index('id="ready"'):page.index('id="skipped"')]
    assert str(first.obj) in ready and str(second.obj) in ready and str(third.obj) not in ready
    assert "๒ รายการ" in ready  # how many, in Thai digits
    assert ready.count("<tr><td>") == 2  # exactly these two rows
    skipped = page[page.index('id="skipped"'):]
    assert str(third.obj) in skipped and "เจ้าหน้าที่ยังไม่ได้ส่ง" in skipped
    assert states(ready_a, ready_b, unfinished) == [State.SUBMITTED, State.SUBMITTED, State.DRAFT]  # GET changed nothing

    response = client.post(url, {"confirm": "yes", "versions": hidden(page, "versions")})
    assert response.status_code == 302
    assert states(ready_a, ready_b, unfinished) == [State.ENDORSED, State.ENDORSED, State.DRAFT]
    message = client.get(response["Location"]).content.decode()
    assert "รับรองและส่งผู้จัดทำแผนแล้ว ๒ รายการ" in message
    assert str(first.obj) in message and str(second.obj) in message
    reasons = {h.history_change_reason for h in ProgressEntry.history.filter(id=ready_a.pk, state=State.ENDORSED)}
    assert reasons == {"หัวหน้าฝ่ายรับรองพร้อมรายงานอื่นที่ส่งแล้ว"}
    assert ProgressEntry.history.filter(id=ready_a.pk, state=State.ENDORSED).get().history_user == cast.head


def test_a_draft_slipped_into_the_heads_confirmation_is_refused_and_nothing_changes(cast, period):
    first, second = indicators(cast, period, 2)
    ready = submitted(cast, period, first)
    unfinished = save(cast, period, second)
    before = history_count(ready, unfinished)
    with pytest.raises(WorkflowError, match="Only reports submitted by staff") as exc:
        entries_endorse_all(user=cast.head, plan=cast.plan, period=period,
                            versions={ready.pk: ready.version, unfinished.pk: unfinished.version})
    assert str(second.obj) in exc.value.message and "Nothing was done" in exc.value.message
    assert states(ready, unfinished) == [State.SUBMITTED, State.DRAFT]  # the first one was rolled back
    assert history_count(ready, unfinished) == before


def test_posting_without_the_confirm_flag_only_shows_the_list(client, cast, period):
    (first,) = indicators(cast, period, 1)
    ready = submitted(cast, period, first)
    client.force_login(cast.head)
    response = client.post(reverse("progress:approve-all", args=[period.pk]), {"versions": f"{ready.pk}:{ready.version}"})
    assert response.status_code == 200 and str(first.obj) in response.content.decode()
    assert states(ready) == [State.SUBMITTED]


def test_a_report_changed_after_the_confirmation_page_means_nothing_is_done(client, cast, period):
    first, second = indicators(cast, period, 2)
    ready_a = submitted(cast, period, first)
    ready_b = submitted(cast, period, second)
    client.force_login(cast.head)
    url = reverse("progress:approve-all", args=[period.pk])
    versions = hidden(client.get(url).content.decode(), "versions")
    # Meanwhile, in another tab, the head returns the second report to staff.
    entry_return(user=cast.head, entry=ready_b, comment="แนบภาพถ่าย", version=ready_b.version)

    response = client.post(url, {"confirm": "yes", "versions": versions})
    assert response.status_code == 409
    page = response.content.decode()
    assert "ถูกเปลี่ยนแปลงหลังจากที่ท่านเปิดหน้ายืนยัน" in page and str(second.obj) in page
    assert states(ready_a, ready_b) == [State.SUBMITTED, State.RETURNED]  # the first was not approved either


def test_a_lock_between_confirmation_and_confirm_refuses_everything(cast, period):
    first, second = indicators(cast, period, 2)
    ready_a, ready_b = submitted(cast, period, first), submitted(cast, period, second)
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    with pytest.raises(PeriodLocked):
        entries_endorse_all(user=cast.head, plan=cast.plan, period=period,
                            versions={ready_a.pk: ready_a.version, ready_b.pk: ready_b.version})
    assert states(ready_a, ready_b) == [State.SUBMITTED, State.SUBMITTED]


# -- staff submit all complete drafts -----------------------------------------------------

def test_staff_submit_all_skips_incomplete_drafts_with_their_reasons(client, cast, period):
    complete_a, complete_b, no_value, no_text, returned = indicators(cast, period, 5)
    a, b = save(cast, period, complete_a), save(cast, period, complete_b)
    c = save(cast, period, no_value, value=None)
    d = save(cast, period, no_text, narrative="  ")
    e = submitted(cast, period, returned)
    e = entry_return(user=cast.head, entry=e, comment="ตัวเลขไม่ตรง", version=e.version)
    client.force_login(cast.staff)
    my_work = client.get(reverse("progress:my-work"), {"period": period.pk}).content.decode()
    assert 'id="submit-all"' in my_work and "ส่งร่างที่ครบถ้วน ๒ รายการ" in my_work

    url = reverse("progress:submit-all", args=[period.pk])
    page = client.get(url).content.decode()
    ready = page[page.index('id="ready"'):page.index('id="skipped"')]
    skipped = page[page.index('id="skipped"'):]
    assert "๒ รายการ" in ready and ready.count("<tr><td>") == 2
    assert str(complete_a.obj) in ready and str(complete_b.obj) in ready
    assert skipped.count("<tr><td>") == 3
    for item in (no_value, no_text, returned):
        assert str(item.obj) not in ready and str(item.obj) in skipped
    row = lambda item: skipped[skipped.index(str(item.obj)):].split("</tr>")[0]  # noqa: E731
    assert "กรุณากรอกผลการดำเนินงานก่อนส่งรายงาน" in row(no_value)
    assert "กรุณาระบุสิ่งที่ดำเนินการก่อนส่งรายงาน" in row(no_text)
    assert "ถูกส่งกลับให้แก้ไข" in row(returned)
    assert states(a, b, c, d, e) == [State.DRAFT] * 4 + [State.RETURNED]

    response = client.post(url, {"confirm": "yes", "versions": hidden(page, "versions")})
    assert response.status_code == 302
    assert states(a, b, c, d, e) == [State.SUBMITTED, State.SUBMITTED, State.DRAFT, State.DRAFT, State.RETURNED]
    last = ProgressEntry.history.filter(id=a.pk).latest("history_date")
    assert last.history_user == cast.staff and last.history_change_reason == "ส่งพร้อมร่างที่ครบถ้วนอื่นของงวด"


def test_a_quarters_bulk_submit_acts_on_its_months_drafts(client, cast, period):
    # A quarter's page lists its months' reports: the confirmation must act on them too.
    from plans.models import Period

    first, second = indicators(cast, period, 2)
    november = Period.objects.get(fiscal_year_id=2567, kind="month", number=2)
    a, b = save(cast, november, first), save(cast, period, second)
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.staff)
    url = reverse("progress:submit-all", args=[q1.pk])
    page = client.get(url).content.decode()
    # Each row says its month and links to that month's report.
    assert reverse("progress:entry", args=[november.pk, "indicator", first.obj.pk]) in page and str(november) in page
    response = client.post(url, {"confirm": "yes", "versions": hidden(page, "versions")})
    assert response.status_code == 302
    assert states(a, b) == [State.SUBMITTED, State.SUBMITTED]


def test_one_refusal_in_staff_submit_all_rolls_back_every_report(cast, period):
    complete, incomplete = indicators(cast, period, 2)
    a = save(cast, period, complete)
    b = save(cast, period, incomplete, narrative="")
    before = history_count(a, b)
    with pytest.raises(WorkflowError, match="What was done"):
        entries_submit_all(user=cast.staff, plan=cast.plan, period=period, versions={a.pk: a.version, b.pk: b.version})
    assert states(a, b) == [State.DRAFT, State.DRAFT]
    assert history_count(a, b) == before


def test_a_head_cannot_submit_drafts_in_bulk(client, cast, period):
    (first,) = indicators(cast, period, 1)
    a = save(cast, period, first)
    with pytest.raises(PermissionRefused):
        entries_submit_all(user=cast.head, plan=cast.plan, period=period, versions={a.pk: a.version})
    assert states(a) == [State.DRAFT]
    client.force_login(cast.head)
    assert client.get(reverse("progress:submit-all", args=[period.pk])).status_code == 403
    assert 'id="submit-all"' not in client.get(reverse("progress:my-work"), {"period": period.pk}).content.decode()


def test_another_divisions_staff_cannot_submit_our_drafts(cast, period):
    (first,) = indicators(cast, period, 1)
    a = save(cast, period, first)
    with pytest.raises(PermissionRefused):
        entries_submit_all(user=cast.other_staff, plan=cast.plan, period=period, versions={a.pk: a.version})
    assert states(a) == [State.DRAFT]


# -- the planner verifies several reports at once --------------------------------------------

def test_planner_verifies_several_reports_with_changed_and_unchanged_values(client, cast, period):
    first, second, third = indicators(cast, period, 3)
    a = endorsed(cast, period, first, value=Decimal("125"))
    b = endorsed(cast, period, second, value=Decimal("40"))
    c = endorsed(cast, period, third, value=Decimal("7"))
    client.force_login(cast.planner)
    url = reverse("progress:verify-all", args=[period.pk])
    form_page = client.get(url).content.decode()
    assert all(str(i.obj) in form_page for i in (first, second, third))
    assert 'value="๑๒๕"' in form_page  # prefilled with the reported result, in the page's digits

    rows = {a.pk: 0, b.pk: 1, c.pk: 2}
    order = [int(m) for m in re.findall(r'name="form-\d+-entry" value="(\d+)"', form_page)]
    assert sorted(order) == sorted(rows)
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "2000",
            "evaluation_comment": "ตรวจกับภาพถ่ายแล้ว"}
    values = {a.pk: "125", b.pk: "๓๘", c.pk: "7"}  # a unchanged, b changed in Thai digits, c not chosen
    versions = {e.pk: e.version for e in (a, b, c)}
    for i, entry_id in enumerate(order):
        data[f"form-{i}-entry"] = str(entry_id)
        data[f"form-{i}-version"] = str(versions[entry_id])
        data[f"form-{i}-verified_value"] = values[entry_id]
        if entry_id != c.pk:
            data[f"form-{i}-selected"] = "on"
    confirm_page = client.post(url, data)
    assert confirm_page.status_code == 200
    page = confirm_page.content.decode()
    assert "จะตรวจสอบและอนุมัติ ๒ รายการ" in page
    assert str(first.obj) in page and str(second.obj) in page and str(third.obj) not in page
    assert "ท่านแก้ไขผลของ ๑ รายการ" in page
    assert states(a, b, c) == [State.ENDORSED] * 3  # nothing done before the confirmation

    response = client.post(url, {"confirm": "yes", "versions": hidden(page, "versions"),
                                 f"value-{a.pk}": hidden(page, f"value-{a.pk}"),
                                 f"value-{b.pk}": hidden(page, f"value-{b.pk}"),
                                 "evaluation_comment": hidden(page, "evaluation_comment")})
    assert response.status_code == 302
    a, b, c = (ProgressEntry.objects.get(pk=e.pk) for e in (a, b, c))
    assert (a.state, a.verified_value) == (State.APPROVED, Decimal("125"))
    assert (b.state, b.verified_value) == (State.APPROVED, Decimal("38"))
    assert c.state == State.ENDORSED and c.verified_value is None
    assert a.evaluation_comment == "ตรวจกับภาพถ่ายแล้ว"
    assert a.history.latest("history_date").history_user == cast.planner


def test_bulk_verify_refuses_an_emptied_value_and_nothing_is_chosen(client, cast, period):
    (first,) = indicators(cast, period, 1)
    a = endorsed(cast, period, first)
    client.force_login(cast.planner)
    url = reverse("progress:verify-all", args=[period.pk])
    base = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "2000",
            "form-0-entry": str(a.pk), "form-0-version": str(a.version)}
    response = client.post(url, {**base, "form-0-selected": "on", "form-0-verified_value": ""})
    assert response.status_code == 400 and "กรุณากรอกผลที่ท่านตรวจสอบแล้ว" in response.content.decode()
    response = client.post(url, {**base, "form-0-verified_value": "10"})
    assert response.status_code == 400 and "กรุณาเลือกรายงานที่จะตรวจสอบ" in response.content.decode()
    response = client.post(url, {**base, "form-0-selected": "on", "form-0-verified_value": "สิบ"})
    assert response.status_code == 400 and "สิบ" in response.content.decode()
    assert states(a) == [State.ENDORSED]


def test_one_refusal_in_bulk_verify_rolls_back_all(cast, period):
    first, second = indicators(cast, period, 2)
    a = endorsed(cast, period, first)
    b = submitted(cast, period, second)  # not endorsed yet: the planner may not verify it
    with pytest.raises(WorkflowError, match="Only a report approved by the division head"):
        entries_verify_all(user=cast.planner, plan=cast.plan, period=period, versions={a.pk: a.version, b.pk: b.version},
                           verified={a.pk: Decimal("1"), b.pk: Decimal("2")})
    assert states(a, b) == [State.ENDORSED, State.SUBMITTED]
    assert ProgressEntry.objects.get(pk=a.pk).verified_value is None


def test_bulk_verify_after_a_concurrent_change_does_nothing(client, cast, period):
    first, second = indicators(cast, period, 2)
    a, b = endorsed(cast, period, first), endorsed(cast, period, second)
    entry_return(user=cast.planner, entry=b, comment="ตัวเลขไม่ตรงหลักฐาน", version=b.version)
    client.force_login(cast.planner)
    response = client.post(reverse("progress:verify-all", args=[period.pk]), {
        "confirm": "yes", "versions": f"{a.pk}:{a.version},{b.pk}:{b.version}", f"value-{a.pk}": "10", f"value-{b.pk}": "10"})
    assert response.status_code == 409
    assert states(a, b) == [State.ENDORSED, State.RETURNED]
    with pytest.raises(ConcurrentEdit):
        entries_verify_all(user=cast.planner, plan=cast.plan, period=period, versions={a.pk: a.version - 1},
                           verified={a.pk: Decimal("1")})


# -- locking ---------------------------------------------------------------------------------

def test_lock_shows_what_is_still_open_and_needs_confirmation(client, cast, period):
    first, second, third = indicators(cast, period, 3)
    save(cast, period, first)
    submitted(cast, period, second)
    endorsed(cast, period, third)
    expected = open_items(cast.plan, period)
    due = len(items_for(cast.plan, period))
    assert len(expected.not_reported) == due - 3
    client.force_login(cast.planner)
    url = reverse("progress:lock", args=[period.pk])
    page = client.get(url).content.decode()
    assert not PeriodLock.objects.exists()  # showing locks nothing
    total = f"ยังค้างอยู่ {thai(due)} รายการ"
    assert total in page
    for key, n in [("not-reported", due - 3), ("draft", 1), ("submitted", 1), ("endorsed", 1)]:
        row = page[page.index(f'id="count-{key}"'):].split("</tr>")[0]
        assert f">{thai(n)}<" in row, key
    for item, key in [(first, "draft"), (second, "submitted"), (third, "endorsed")]:
        section = page[page.index(f'id="open-{key}"'):].split("</section>")[0]
        assert str(item.obj) in section
    assert "ขุดลอกลำกระโดงสรรพากร" in page  # a project of ฝ่ายโยธา not reported yet

    assert client.post(url, {"expect": hidden(page, "expect")}).status_code == 200  # no confirm flag: shows again
    assert not PeriodLock.objects.filter(locked=True).exists()
    response = client.post(url, {"confirm": "yes", "expect": hidden(page, "expect")})
    assert response.status_code == 302
    assert PeriodLock.objects.get(period=period).locked


def test_a_report_moving_after_the_lock_confirmation_stops_the_lock(client, cast, period):
    (first,) = indicators(cast, period, 1)
    entry = save(cast, period, first)
    client.force_login(cast.planner)
    url = reverse("progress:lock", args=[period.pk])
    expect = hidden(client.get(url).content.decode(), "expect")
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    response = client.post(url, {"confirm": "yes", "expect": expect})
    assert response.status_code == 409
    assert "จึงยังไม่ได้ปิดงวด" in response.content.decode()
    assert not PeriodLock.objects.filter(locked=True).exists()


def thai(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


def test_the_lock_badge_is_on_every_page_of_the_period_and_write_buttons_are_gone(client, cast, period):
    first, second = indicators(cast, period, 2)
    save(cast, period, first)
    submitted(cast, period, second)
    endorsed_item = indicators(cast, period, 3)[2]
    endorsed(cast, period, endorsed_item)
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    entry_url = reverse("progress:entry", args=[period.pk, "indicator", first.obj.pk])
    pages = [
        (cast.staff, reverse("progress:my-work"), ["submit-all", "import-sheet"]),
        (cast.staff, entry_url, ["save", "submit"]),
        (cast.head, reverse("progress:my-work"), ["approve-all"]),
        (cast.planner, reverse("progress:review"), ["lock", "verify-all"]),
        (cast.planner, reverse("progress:completeness"), []),
        (cast.executive, reverse("progress:completeness"), []),
        (cast.executive, reverse("progress:status"), []),
        (cast.executive, reverse("progress:scorecard"), []),
    ]
    for user, url, buttons in pages:
        client.force_login(user)
        page = client.get(url, {"period": period.pk}).content.decode()
        assert 'id="lock-badge"' in page and "ปิดงวดแล้ว" in page, url
        for button in buttons:
            assert f'id="{button}"' not in page, (url, button)
    # Another month is open: no badge there.
    client.force_login(cast.staff)
    other = period.__class__.objects.get(fiscal_year_id=2567, kind="month", number=4)
    assert 'id="lock-badge"' not in client.get(reverse("progress:my-work"), {"period": other.pk}).content.decode()


# -- asking for a reopening --------------------------------------------------------------------

def test_a_reopen_request_reaches_the_planners_and_reopening_answers_it(client, cast, period):
    cast.planner.email = "planner@phasicharoen.go.th"
    cast.planner.save()
    cast.other_planner.email = "planner@bangkhae.go.th"
    cast.other_planner.save()
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    client.force_login(cast.staff)
    my_work = reverse("progress:my-work")
    assert 'id="ask-reopen"' in client.get(my_work, {"period": period.pk}).content.decode()
    response = client.post(reverse("progress:reopen-request", args=[period.pk]), {"reason": "ลืมรายงานผลถนนสวยของเดือนนี้"})
    assert response.status_code == 302
    request = ReopenRequest.objects.get()
    assert (request.division, request.requested_by, request.period) == (cast.division, cast.staff, period)
    assert [m.to for m in mail.outbox] == [["planner@phasicharoen.go.th"]]  # not the other district's planner
    assert "ลืมรายงานผลถนนสวยของเดือนนี้" in mail.outbox[0].body and "ฝ่ายโยธา" in mail.outbox[0].subject
    page = client.get(my_work, {"period": period.pk}).content.decode()
    assert "ลืมรายงานผลถนนสวยของเดือนนี้" in page and "รอคำตอบจากผู้จัดทำแผน" in page

    client.force_login(cast.planner)
    review = client.get(reverse("progress:review"), {"period": period.pk}).content.decode()
    listed = review[review.index('id="open-requests"'):].split("</section>")[0]
    assert "ลืมรายงานผลถนนสวยของเดือนนี้" in listed and "ฝ่ายโยธา" in listed
    assert 'id="period-requests"' in review  # the reopen form shows what it answers
    response = client.post(reverse("progress:reopen", args=[period.pk]), {"reason": "เปิดให้รายงานถึงวันศุกร์"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answered_by == cast.planner and request.answer == "เปิดให้รายงานถึงวันศุกร์"
    assert 'id="open-requests"' not in client.get(reverse("progress:review"), {"period": period.pk}).content.decode()

    client.force_login(cast.staff)
    page = client.get(my_work, {"period": period.pk}).content.decode()
    assert "เปิดให้รายงานถึงวันศุกร์" in page and "ตอบเมื่อ" in page
    assert 'id="lock-badge"' not in page


def test_a_reopen_request_needs_a_locked_period_and_a_reason(cast, period):
    with pytest.raises(WorkflowError):
        reopen_request_create(user=cast.staff, plan=cast.plan, period=period, reason="ขอเปิด")
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    with pytest.raises(WorkflowError):
        reopen_request_create(user=cast.staff, plan=cast.plan, period=period, reason="  ")
    for who in ("planner", "executive", "other_planner"):
        with pytest.raises(PermissionRefused):
            reopen_request_create(user=getattr(cast, who), plan=cast.plan, period=period, reason="ขอเปิด")
    assert not ReopenRequest.objects.exists() and mail.outbox == []


def test_a_long_reopening_reason_is_kept_whole(cast, period):
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    reason = "เปิดงวดเพื่อแก้ไขผลตามหนังสือสำนักยุทธศาสตร์และประเมินผล " * 5
    lock = period_reopen(user=cast.planner, plan=cast.plan, period=period, reason=reason)
    assert lock.reason == reason.strip()
    assert len(lock.history.latest("history_date").history_change_reason) <= 100


# -- who may open the new pages ---------------------------------------------------------------

@pytest.mark.parametrize("who, expected", list(zip(WHO, [200, 200, 403, 403, 403, 404, "login"], strict=True)))
def test_submit_all_page(client, cast, period, who, expected):
    login(client, cast, who)
    response = client.get(reverse("progress:submit-all", args=[period.pk]), {"plan": cast.plan.pk})
    assert status(response) == expected


@pytest.mark.parametrize("who, expected", list(zip(WHO, [403, 403, 200, 403, 403, 404, "login"], strict=True)))
def test_approve_all_page(client, cast, period, who, expected):
    login(client, cast, who)
    response = client.get(reverse("progress:approve-all", args=[period.pk]), {"plan": cast.plan.pk})
    assert status(response) == expected


@pytest.mark.parametrize("who, expected", list(zip(WHO, [403, 403, 403, 200, 403, 404, "login"], strict=True)))
def test_verify_all_and_lock_pages(client, cast, period, who, expected):
    login(client, cast, who)
    for name in ("progress:verify-all", "progress:lock"):
        assert status(client.get(reverse(name, args=[period.pk]), {"plan": cast.plan.pk})) == expected, name


@pytest.mark.parametrize("who, expected", list(zip(WHO, [302, 302, 302, 403, 403, 404, "login"], strict=True)))
def test_reopen_request(client, cast, period, who, expected):
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    login(client, cast, who)
    response = client.post(reverse("progress:reopen-request", args=[period.pk]) + f"?plan={cast.plan.pk}",
                           {"reason": "ขอเปิด"})
    assert status(response) == expected
    assert ReopenRequest.objects.exists() == (expected == 302)


def test_other_divisions_see_none_of_our_reports_on_the_bulk_pages(client, cast, period):
    first, second = indicators(cast, period, 2)
    save(cast, period, first)
    submitted(cast, period, second)
    client.force_login(cast.other_staff)
    page = client.get(reverse("progress:submit-all", args=[period.pk])).content.decode()
    assert str(first.obj) not in page and str(second.obj) not in page
    head = make_user("head_other_division", roles.DIVISION_HEAD, cast.org, cast.other_division)
    client.force_login(head)
    page = client.get(reverse("progress:approve-all", args=[period.pk])).content.decode()
    assert str(second.obj) not in page
    ready = ProgressEntry.objects.get(indicator=second.obj)
    response = client.post(reverse("progress:approve-all", args=[period.pk]),
                           {"confirm": "yes", "versions": f"{ready.pk}:{ready.version}"})
    assert response.status_code == 403
    assert states(ready) == [State.SUBMITTED]


# -- query counts of the new pages do not grow with the reports ----------------------------------

def test_new_pages_query_counts_do_not_grow(client, cast, period):
    items = indicators(cast, period, 6)
    for item in items[:1]:
        save(cast, period, item)
    submitted(cast, period, items[1])
    endorsed(cast, period, items[2])
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    ReopenRequest.objects.create(organization=cast.org, period=period, division=cast.division, requested_by=cast.staff,
                                 reason="ขอเปิด")
    period_reopen(user=cast.planner, plan=cast.plan, period=period, reason="เปิดแล้ว")
    pages = [
        (cast.staff, reverse("progress:submit-all", args=[period.pk])),
        (cast.staff, reverse("progress:my-work")),
        (cast.head, reverse("progress:approve-all", args=[period.pk])),
        (cast.planner, reverse("progress:verify-all", args=[period.pk])),
        (cast.planner, reverse("progress:lock", args=[period.pk])),
        (cast.planner, reverse("progress:review")),
    ]
    before = []
    for user, url in pages:
        client.force_login(user)
        before.append(count_queries(client, url, {"period": period.pk}))
    for item in items[3:4]:
        save(cast, period, item)
    submitted(cast, period, items[4])
    endorsed(cast, period, items[5])
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    ReopenRequest.objects.create(organization=cast.org, period=period, division=cast.division, requested_by=cast.head,
                                 reason="ขอเปิดอีกครั้ง")
    period_reopen(user=cast.planner, plan=cast.plan, period=period, reason="เปิดอีกครั้ง")
    after = []
    for user, url in pages:
        client.force_login(user)
        after.append(count_queries(client, url, {"period": period.pk}))
    assert after == before
