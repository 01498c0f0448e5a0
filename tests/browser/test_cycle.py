"""The monthly reporting cycle, driven through a real chromium.

staff types and submits -> head endorses -> planner verifies -> planner locks,
plus the refusals that must hold along the way (other division, bad numbers).
"""

from decimal import Decimal

import pytest

from accounts import roles
from indicators.models import Indicator
from plans.models import Division, Organization, Period, Plan
from progress.models import Evidence, PeriodLock, ProgressEntry, State
from tests.browser.pages import login
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NARRATIVE = "ปรับปรุงผิวจราจรถนนเทอดไท ๓๐๐ เมตร และทาสีตีเส้นจราจรใหม่"
OBSTACLES = "ฝนตกหนักในช่วงกลางเดือน"


class World:
    """The real plan's pieces the tests need, and the users they log in as."""

    def __init__(self):
        self.org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
        self.plan = Plan.objects.get(organization=self.org, fiscal_year=2567)
        self.division = Division.objects.get(organization=self.org, name="ฝ่ายโยธา")
        self.other_division = Division.objects.get(organization=self.org, name="ฝ่ายการศึกษา")
        self.indicator = Indicator.objects.get(plan=self.plan, key="okr:1.4.06")
        assert self.indicator.division_id == self.division.pk
        self.period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
        self.staff = make_user("staff", roles.DIVISION_STAFF, self.org, self.division)
        self.head = make_user("head", roles.DIVISION_HEAD, self.org, self.division)
        self.planner = make_user("planner", roles.PLANNER, self.org)
        self.executive = make_user("executive", roles.EXECUTIVE, self.org)
        self.other_staff = make_user("staff_other_division", roles.DIVISION_STAFF, self.org, self.other_division)

    @property
    def entry_url(self):
        return f"/work/{self.period.pk}/indicator/{self.indicator.pk}/"

    def entry(self):
        return ProgressEntry.objects.filter(period=self.period, indicator=self.indicator).first()


@pytest.fixture
def world(transactional_db, settings):
    # Six users log in per test; the production PBKDF2 cost would dominate the runtime.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return World()


def click_and_wait(page, selector):
    """Click a submit button and return the response of the page it leads to."""
    with page.expect_navigation() as nav:
        page.click(selector)
    return nav.value


def write_pdf(tmp_path):
    path = tmp_path / "รูปถ่ายถนน.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


def look(page, screenshots_dir, name: str, width: int) -> None:
    """Each step as its user sees it, saved; and nothing wider than the window."""
    page.screenshot(path=str(screenshots_dir / f"{name}-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} at {width} px scrolls sideways by {overflow} px"


def bell(page) -> str:
    return page.locator("a.bell .bell-count").inner_text() if page.locator("a.bell .bell-count").count() else ""


# Each role's main flow on a phone and on an office PC.
@pytest.mark.parametrize("viewport_width", [390, 1366])
def test_whole_cycle_staff_head_planner_lock(world, new_context, tmp_path, media_root, screenshots_dir, viewport_width):
    # -- staff: my work -> entry -> save draft -> submit ---------------------------
    staff = login(new_context, "staff")
    response = staff.goto(f"/work/?period={world.period.pk}")
    assert response.status == 200
    row_link = staff.locator(f'a[href="{world.entry_url}"]')
    assert row_link.count() == 1, "the indicator of ฝ่ายโยธา is missing from my work"
    look(staff, screenshots_dir, "01-my-work", viewport_width)

    with staff.expect_navigation():
        row_link.click()
    assert staff.url.endswith(world.entry_url)
    staff.fill("#id_value", "๑๒๐.๕")
    staff.fill("#id_narrative", NARRATIVE)
    staff.fill("#id_obstacles", OBSTACLES)
    staff.set_input_files("input[name=evidence]", str(write_pdf(tmp_path)))
    look(staff, screenshots_dir, "02-entry-filled", viewport_width)

    response = click_and_wait(staff, "#save")
    assert response.status == 200
    assert staff.locator("#error").count() == 0, staff.locator("#error").inner_text()
    entry = world.entry()
    assert entry is not None and entry.state == State.DRAFT
    assert entry.value == Decimal("120.5")
    # The saved draft comes back in the form.
    assert staff.input_value("#id_narrative") == NARRATIVE

    response = click_and_wait(staff, "#submit")
    assert response.status == 200
    assert staff.locator("#error").count() == 0, staff.locator("#error").inner_text()
    entry.refresh_from_db()
    assert entry.state == State.SUBMITTED
    assert entry.value == Decimal("120.5")
    assert entry.narrative == NARRATIVE
    assert entry.obstacles == OBSTACLES
    assert Evidence.objects.filter(entry=entry).count() == 1
    assert staff.locator("#save").count() == 0, "a submitted report must no longer be editable by staff"

    # -- head: told by the bell, endorses ----------------------------------------------
    head = login(new_context, "head")
    assert bell(head) == "๑"
    look(head, screenshots_dir, "02b-head-home", viewport_width)
    assert head.goto(world.entry_url).status == 200
    look(head, screenshots_dir, "02c-head-entry", viewport_width)
    response = click_and_wait(head, "#endorse")
    assert response.status == 200
    assert head.locator("#error").count() == 0
    entry.refresh_from_db()
    assert entry.state == State.ENDORSED

    # -- planner: verify, then lock the period ---------------------------------------
    planner = login(new_context, "planner")
    assert bell(planner) == "๑"
    assert planner.goto(world.entry_url).status == 200
    planner.fill("#id_verified_value", "๑๑๘")
    planner.fill("#id_evaluation_comment", "ตรวจสอบกับภาพถ่ายแล้ว นับได้ ๑๑๘ กม.")
    response = click_and_wait(planner, "#verify")
    assert response.status == 200
    assert planner.locator("#error").count() == 0, planner.locator("#error").inner_text()
    entry.refresh_from_db()
    assert entry.state == State.APPROVED
    assert entry.verified_value == Decimal("118")
    assert entry.evaluation_comment == "ตรวจสอบกับภาพถ่ายแล้ว นับได้ ๑๑๘ กม."
    assert planner.locator("#verify").count() == 0
    look(planner, screenshots_dir, "03-entry-approved", viewport_width)
    assert bell(planner) == ""  # verifying answered it

    assert planner.goto(f"/review/?period={world.period.pk}").status == 200
    assert planner.locator(f'a[href="{world.entry_url}"]').count() == 1
    click_and_wait(planner, "#lock")  # first shows what is still open in the period
    assert planner.locator("#open-summary").is_visible()
    response = click_and_wait(planner, "#confirm-lock")
    assert response.status == 200
    assert planner.locator("#locked").is_visible()
    assert planner.locator("#lock").count() == 0
    assert PeriodLock.objects.get(organization=world.org, period=world.period).locked is True
    look(planner, screenshots_dir, "04-review", viewport_width)

    # -- staff again: the locked, approved report is read-only ------------------------
    response = staff.reload()
    assert response.status == 200
    assert staff.locator("#save").count() == 0
    assert staff.locator("#submit").count() == 0
    assert staff.locator("#id_value").count() == 0
    assert staff.locator("#id_narrative").count() == 0
    assert "๑๒๐.๕" in staff.inner_text("#value")
    assert "๑๑๘" in staff.inner_text("#verified")
    assert NARRATIVE in staff.inner_text("main")
    assert staff.locator('a[href^="/evidence/"]').count() == 1

    # -- another division does not even learn the report exists ------------------------
    other = login(new_context, "staff_other_division")
    response = other.goto(world.entry_url)
    assert response.status == 404

    # -- the executive's completeness view ---------------------------------------------
    executive = login(new_context, "executive")
    response = executive.goto(f"/completeness/?period={world.period.pk}")
    assert response.status == 200
    assert executive.locator("table.grid tbody tr").count() >= 2
    look(executive, screenshots_dir, "05-completeness", viewport_width)
    assert executive.goto(f"/dashboard/?period={world.period.pk}").status == 200
    look(executive, screenshots_dir, "06-dashboard", viewport_width)


def test_bad_number_keeps_what_was_typed(world, new_context):
    staff = login(new_context, "staff")
    assert staff.goto(world.entry_url).status == 200
    staff.fill("#id_value", "สองพัน")
    staff.fill("#id_narrative", NARRATIVE)
    click_and_wait(staff, "#save")

    assert staff.locator("#error").is_visible()
    assert staff.locator(".has-error #id_value").count() == 1, "the result field is not marked as wrong"
    assert staff.input_value("#id_value") == "สองพัน"
    assert staff.input_value("#id_narrative") == NARRATIVE
    assert world.entry() is None, "an invalid form must save nothing"


def test_evidence_download_only_for_own_division(world, new_context, tmp_path, media_root):
    staff = login(new_context, "staff")
    assert staff.goto(world.entry_url).status == 200
    staff.fill("#id_value", "๑๒๐.๕")
    staff.fill("#id_narrative", NARRATIVE)
    staff.set_input_files("input[name=evidence]", str(write_pdf(tmp_path)))
    click_and_wait(staff, "#save")
    assert staff.locator("#error").count() == 0

    evidence = Evidence.objects.get(entry=world.entry())
    url = f"/evidence/{evidence.pk}/"
    assert staff.locator(f'a[href="{url}"]').count() == 1

    response = staff.context.request.get(url)
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    assert "attachment" in response.headers.get("content-disposition", "")

    other = login(new_context, "staff_other_division")
    response = other.context.request.get(url)
    assert response.status == 404
    assert not response.body().startswith(b"%PDF")
