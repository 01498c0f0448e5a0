"""Bulk actions and locking through a real chromium: every bulk button first shows what
it will do, and the confirmations say exactly that.

staff submit all complete drafts -> head approves all submitted (the unfinished draft
stays) -> planner verifies several at once -> planner locks, seeing what is still open
-> staff see the lock and ask for a reopening.
"""

from decimal import Decimal

import pytest

from accounts import roles
from plans.models import Division, Organization, Period, Plan
from progress.models import PeriodLock, ProgressEntry, ReopenRequest, State
from progress.selectors import items_for
from progress.services import entry_save
from tests.browser.pages import login, norm
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)


class World:
    def __init__(self):
        self.org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
        self.plan = Plan.objects.get(organization=self.org, fiscal_year=2567)
        self.division = Division.objects.get(organization=self.org, name="ฝ่ายโยธา")
        self.period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
        self.staff = make_user("staff", roles.DIVISION_STAFF, self.org, self.division)
        self.head = make_user("head", roles.DIVISION_HEAD, self.org, self.division)
        self.planner = make_user("planner", roles.PLANNER, self.org)
        self.planner.email = "planner@phasicharoen.go.th"
        self.planner.save()
        indicators = [i for i in items_for(self.plan, self.period, self.division) if i.kind == "indicator"]
        self.complete = indicators[:3]
        self.unfinished = indicators[3]
        self.due = len(items_for(self.plan, self.period))
        # Real reports have ids past 1,000 within weeks; pages once printed them as
        # "2,630" (the thousands separator) in element ids and form values.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('progress_progressentry', 'id'), 12345)")

    def draft(self, item, value, narrative):
        # Unusual values (999,999 against a target of a hundred) are confirmed in writing,
        # as staff must; an ordinary one leaves no confirmation behind.
        return entry_save(user=self.staff, plan=self.plan, period=self.period, item=item,
                          data={"value": value, "narrative": narrative, "implausible_confirmed": True,
                                "implausible_note": "ตัวเลขจากการนับจริง"}, version=0)

    def state(self, item):
        return ProgressEntry.objects.get(period=self.period, indicator=item.obj).state


@pytest.fixture
def world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return World()


def click_and_wait(page, selector):
    with page.expect_navigation() as nav:
        page.click(selector)
    return nav.value


def shoot(page, screenshots_dir, name):
    """The page at a desktop and a phone width; the layout must hold at both."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshots_dir / f"bulk-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} at {width}px is {overflow}px wider than the window"
    page.set_viewport_size({"width": 1280, "height": 900})


def text(page, selector):
    return norm(page.inner_text(selector))


def test_bulk_actions_and_lock_confirm_first(world, new_context, screenshots_dir):
    names = [str(i.obj) for i in world.complete]
    for n, item in enumerate(world.complete, start=1):
        world.draft(item, Decimal(10 * n), "ดำเนินการตามแผน")
    world.draft(world.unfinished, Decimal("999999"), "")  # no narrative: not complete

    # -- staff: submit all complete drafts --------------------------------------------
    staff = login(new_context, "staff")
    assert staff.goto(f"/work/?period={world.period.pk}").status == 200
    assert "๓" in text(staff, "#submit-all")
    click_and_wait(staff, "#submit-all")
    ready, skipped = text(staff, "#ready"), text(staff, "#skipped")
    assert "๓ รายการ" in ready
    assert all(norm(name) in ready for name in names)
    assert norm(str(world.unfinished.obj)) not in ready
    assert norm(str(world.unfinished.obj)) in skipped and "กรุณาระบุสิ่งที่ดำเนินการก่อนส่งรายงาน" in skipped
    assert [world.state(i) for i in world.complete] == [State.DRAFT] * 3  # showing changed nothing
    shoot(staff, screenshots_dir, "submit-all")
    click_and_wait(staff, "#confirm")
    assert "ส่งหัวหน้าฝ่ายแล้ว ๓ รายการ" in text(staff, ".messages")
    assert [world.state(i) for i in world.complete] == [State.SUBMITTED] * 3
    assert world.state(world.unfinished) == State.DRAFT

    # -- head: approve all submitted; the unfinished draft is not forwarded ----------------
    head = login(new_context, "head")
    assert head.goto(f"/work/?period={world.period.pk}").status == 200
    click_and_wait(head, "#approve-all")
    ready, skipped = text(head, "#ready"), text(head, "#skipped")
    assert "๓ รายการ" in ready and all(norm(name) in ready for name in names)
    assert norm(str(world.unfinished.obj)) in skipped and norm(str(world.unfinished.obj)) not in ready
    assert "ร่างรายงานจะไม่ถูกส่งต่อ" in skipped
    shoot(head, screenshots_dir, "approve-all")
    click_and_wait(head, "#confirm")
    assert "รับรองและส่งผู้จัดทำแผนแล้ว ๓ รายการ" in text(head, ".messages")
    assert [world.state(i) for i in world.complete] == [State.ENDORSED] * 3
    assert world.state(world.unfinished) == State.DRAFT

    # -- planner: verify two of the three at once, one value corrected in Thai digits --------
    planner = login(new_context, "planner")
    assert planner.goto(f"/review/?period={world.period.pk}").status == 200
    click_and_wait(planner, "#verify-all")
    shoot(planner, screenshots_dir, "verify-all")
    entries = {i.obj.pk: ProgressEntry.objects.get(period=world.period, indicator=i.obj) for i in world.complete}
    first, second, third = (entries[i.obj.pk] for i in world.complete)
    planner.check(f"#row-{first.pk} input[type=checkbox]")
    planner.check(f"#row-{second.pk} input[type=checkbox]")
    second_value = planner.locator(f"#row-{second.pk} input[type=text]")
    assert second_value.input_value() == "๒๐"  # prefilled with the reported result, in the page's digits
    second_value.fill("๑๘")
    click_and_wait(planner, "#verify-preview")
    ready = text(planner, "#ready")
    assert "จะตรวจสอบและอนุมัติ ๒ รายการ" in ready and "ท่านแก้ไขผลของ ๑ รายการ" in ready
    assert norm(names[0]) in ready and norm(names[1]) in ready and norm(names[2]) not in ready
    assert world.state(world.complete[0]) == State.ENDORSED
    shoot(planner, screenshots_dir, "verify-confirm")
    click_and_wait(planner, "#confirm")
    assert "ตรวจสอบและอนุมัติแล้ว ๒ รายการ" in text(planner, ".messages")
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.state, first.verified_value) == (State.APPROVED, Decimal("10"))
    assert (second.state, second.verified_value) == (State.APPROVED, Decimal("18"))
    assert third.state == State.ENDORSED

    # -- planner: lock, after seeing what is still open --------------------------------------
    click_and_wait(planner, "#lock")
    assert not PeriodLock.objects.filter(locked=True).exists()
    summary = text(planner, "#open-summary")
    open_total = world.due - 2  # everything but the two approved reports
    assert f"ยังค้างอยู่ {str(open_total).translate(str.maketrans('0123456789', '๐๑๒๓๔๕๖๗๘๙'))} รายการ" in summary
    assert norm(str(world.unfinished.obj)) in text(planner, "#open-draft")
    assert norm(names[2]) in text(planner, "#open-endorsed")
    shoot(planner, screenshots_dir, "lock-confirm")
    planner.click("#open-not-reported summary")  # the long list is folded away
    assert "ขุดลอกลำกระโดงสรรพากร" in text(planner, "#open-not-reported")
    click_and_wait(planner, "#confirm-lock")
    assert planner.locator("#locked").is_visible() and planner.locator("#lock-badge").is_visible()
    assert PeriodLock.objects.get(period=world.period).locked

    # -- staff: the lock is visible, and they ask for a reopening ------------------------------
    staff.goto(f"/work/?period={world.period.pk}")
    assert "ปิดงวดแล้ว" in text(staff, "#lock-badge")
    assert staff.locator("#submit-all").count() == 0
    staff.fill("#id_reason", "ลืมแนบผลการล้างท่อของสัปดาห์สุดท้าย")
    click_and_wait(staff, "#ask-reopen")
    assert ReopenRequest.objects.get().reason == "ลืมแนบผลการล้างท่อของสัปดาห์สุดท้าย"
    assert "รอคำตอบจากผู้จัดทำแผน" in text(staff, "#reopen-requests")
    shoot(staff, screenshots_dir, "my-work-locked")
    planner.goto(f"/review/?period={world.period.pk}")
    assert "ลืมแนบผลการล้างท่อ" in text(planner, "#open-requests")
    shoot(planner, screenshots_dir, "review-locked")
