"""Keyboard only (issue 14): a division's staff member reports a result and the head
approves it with Tab, Shift+Tab, Enter and Space alone, and every control the Tab key
stops at on the way shows where the focus is (an outline or a shadow)."""

from __future__ import annotations

import pytest

from accounts import roles
from indicators.models import Indicator
from plans.models import Division, Organization, Period, Plan
from progress.models import ProgressEntry, State
from tests.browser.pages import login
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NARRATIVE = "ล้างท่อระบายน้ำซอยเพชรเกษม ๔๘ ยาว ๑๒๐ เมตร"

# The focused element, and whether it shows its focus: an outline of at least 2 px (the
# browser's own 1 px ring is lost on the header's navy) or a shadow.
FOCUS = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  return {tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute("href") || "",
          text: (el.textContent || el.value || "").trim().slice(0, 40),
          visible: outline || s.boxShadow !== "none"};
}"""


@pytest.fixture
def world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    division = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    make_user("staff", roles.DIVISION_STAFF, org, division)
    make_user("head", roles.DIVISION_HEAD, org, division)
    plan = Plan.objects.get(organization=org, fiscal_year=2567)
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    road = Indicator.objects.get(plan=plan, key="okr:1.4.06")
    return {"period": period, "road": road, "entry_url": f"/work/{period.pk}/indicator/{road.pk}/"}


def tab_to(page, matches, *, back=False, limit=400):
    """Press Tab (Shift+Tab going back) until the focused element `matches`; every stop
    on the way must show its focus."""
    unseen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUS)
        if not focused["visible"]:
            unseen.append(focused)
        if matches(focused):
            assert unseen == [], f"focus not visible on {unseen}"
            return focused
    raise AssertionError(f"Tab never reached the control on {page.url}")


def by_id(element_id):
    return lambda f: f["id"] == element_id


def test_staff_report_and_head_approval_by_keyboard_only(world, new_context, screenshots_dir):
    entry_url = world["entry_url"]
    staff = login(new_context, "staff")
    staff.goto(f"/work/?period={world['period'].pk}")

    # My work: Tab to the drain cleaning row's link, Enter opens the entry.
    tab_to(staff, lambda f: f["href"] == entry_url)
    with staff.expect_navigation():
        staff.keyboard.press("Enter")
    assert staff.url.endswith(entry_url)

    # The result, then what was done; Tab from the last field to Submit, back to Save draft.
    tab_to(staff, by_id("id_value"))
    staff.keyboard.type("๑๒๐")
    staff.screenshot(path=str(screenshots_dir / "keyboard-staff-value-focused.png"))
    tab_to(staff, by_id("id_narrative"))
    staff.keyboard.type(NARRATIVE)
    tab_to(staff, by_id("submit"))
    tab_to(staff, by_id("save"), back=True)
    with staff.expect_navigation():
        staff.keyboard.press("Enter")
    assert staff.locator("#error").count() == 0, staff.locator("#error").inner_text()
    entry = ProgressEntry.objects.get(period=world["period"], indicator=world["road"])
    assert entry.state == State.DRAFT and entry.value == 120 and entry.narrative == NARRATIVE

    # The saved draft comes back; Space on Submit sends it to the head.
    tab_to(staff, by_id("submit"))
    with staff.expect_navigation():
        staff.keyboard.press("Space")
    assert staff.locator("#error").count() == 0, staff.locator("#error").inner_text()
    entry.refresh_from_db()
    assert entry.state == State.SUBMITTED

    # The head: my work lists the report to approve; Enter opens it, Enter approves it.
    head = login(new_context, "head")
    head.goto(f"/work/?period={world['period'].pk}")
    tab_to(head, lambda f: f["href"] == entry_url)
    with head.expect_navigation():
        head.keyboard.press("Enter")
    tab_to(head, by_id("endorse"))
    head.screenshot(path=str(screenshots_dir / "keyboard-head-approve-focused.png"), full_page=True)
    with head.expect_navigation():
        head.keyboard.press("Enter")
    assert head.locator("#error").count() == 0, head.locator("#error").inner_text()
    entry.refresh_from_db()
    assert entry.state == State.ENDORSED
