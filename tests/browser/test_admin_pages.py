"""The admin pages this issue reshaped, in a real chromium at a laptop's 1366 px: the
indicator form, the plan's framework tree and the page that adds an organization with
its people fit without scrolling sideways; an administrator creates an organization
there and a mistyped department code is answered in Thai."""

import pytest

from accounts import roles
from indicators.models import Indicator
from plans.models import Organization, Plan
from tests.browser.pages import login
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _fits(page, name, shots):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(shots / f"admin-{name}-1366.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366, f"{name} scrolls sideways"


def test_the_reshaped_admin_pages_fit_a_laptop_screen(new_context, settings, screenshots_dir):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    plan = Plan.objects.get(organization__short_name="สนข.ภาษีเจริญ", fiscal_year=2567)
    make_user("planner", roles.PLANNER, plan.organization)
    make_user("administrator", roles.ADMINISTRATOR, None, superuser=True)

    page = login(new_context, "planner")
    page.set_viewport_size({"width": 1366, "height": 900})
    indicator = Indicator.objects.filter(plan=plan).exclude(target_year_text={}).order_by("pk").first()
    page.goto(f"/admin/indicators/indicator/{indicator.pk}/change/")
    assert page.locator("label[for=id_target_year_2567]").inner_text().startswith("เป้าหมายปี พ.ศ. ๒๕๖๗")
    _fits(page, "indicator", screenshots_dir)
    page.goto(f"/admin/plans/plan/{plan.pk}/change/")
    assert page.locator("#strategy-framework ul.plan-tree > li").count() >= 2
    _fits(page, "plan-tree", screenshots_dir)

    page = login(new_context, "administrator")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/admin/auth/user/")
    page.click("text=เพิ่มหน่วยงานพร้อมฝ่ายและผู้ใช้")
    page.fill("#id_org-name", "สำนักงานเขตหนองแขม")
    page.fill("#id_org-short_name", "สนข.หนองแขม")
    page.fill("#id_org-code", "๕๐๒๓๐๐๐")  # one digit short
    page.fill("#id_divisions-0-name", "ฝ่ายโยธา")
    page.fill("#id_people-0-username", "somchai")
    page.fill("#id_people-0-email", "somchai@example.invalid")
    page.select_option("#id_people-0-role", roles.DIVISION_STAFF)
    page.fill("#id_people-0-division", "ฝ่ายโยธา")
    with page.expect_navigation():
        page.click("input[type=submit].default")
    assert "รหัสหน่วยงาน: ต้องเป็นตัวเลข ๘ หลักพอดี" in page.content()
    _fits(page, "new-organization", screenshots_dir)
    page.fill("#id_org-code", "๕๐๒๓๐๐๐๐")
    with page.expect_navigation():
        page.click("input[type=submit].default")
    organization = Organization.objects.get(short_name="สนข.หนองแขม")
    assert f"/admin/plans/organization/{organization.pk}/change/" in page.url
    assert organization.members.get().division.name == "ฝ่ายโยธา"
