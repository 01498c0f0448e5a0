"""The Content-Security-Policy breaks no page: a real chromium loads the main pages, the
admin and the API docs as their users and reports no violation; the behaviours that were
inline handlers (period picker, choose-all) still work from site.js."""

import pytest

from accounts import roles
from indicators.models import Indicator
from plans.models import Division, Organization, Period, Plan
from projects.models import Project
from tests.browser.pages import login
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Registered before any page script runs (through the DevTools protocol, not the page),
# so the policy cannot block it: it keeps every violation the page reports.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""

# ReDoc's bundle shows the Redocly logo from its CDN; the policy blocking it is the point.
REDOCLY_LOGO = "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture
def people(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    division = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    make_user("staff", roles.DIVISION_STAFF, org, division)
    make_user("planner", roles.PLANNER, org)
    make_user("administrator", roles.ADMINISTRATOR, None, superuser=True)
    return Plan.objects.get(organization=org, fiscal_year=2567)


def visit(page, path, console):
    console.clear()
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    assert response.status < 400, f"{path}: HTTP {response.status}"
    violations = [v for v in page.evaluate("window.__csp") if not v.startswith(REDOCLY_LOGO)]
    refused = [m for m in console if "Content Security Policy" in m and REDOCLY_LOGO.split()[1] not in m]
    return violations + refused


def watched(new_context, username):
    page = login(new_context, username)
    page.context.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))
    return page, console


def test_no_page_breaks_the_content_security_policy(people, new_context):
    plan = people
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    indicator = Indicator.objects.get(plan=plan, key="okr:1.4.06")
    project = Project.objects.filter(plan=plan).first()
    pages = {
        "staff": ["/", "/work/", f"/work/{period.pk}/indicator/{indicator.pk}/", f"/projects/{project.pk}/", "/reports/files/"],
        "planner": [
            "/", "/review/", f"/review/{period.pk}/verify/?plan={plan.pk}", "/completeness/", "/status/", "/scorecard/",
            "/budget/", "/city/", f"/plans/{plan.pk}/check/", "/plans/import/",
            "/admin/", "/admin/projects/project/", f"/admin/projects/project/{project.pk}/change/",
            f"/admin/projects/project/{project.pk}/history/", "/admin/indicators/indicator/",
            "/admin/projects/project/export/", "/api/", "/api/plans/", "/api/docs/", "/api/redoc/",
        ],
        "administrator": ["/admin/", "/admin/auth/user/", "/admin/auth/user/add/", "/admin/axes/accessattempt/"],
    }
    found = {}
    for username, paths in pages.items():
        page, console = watched(new_context, username)
        for path in paths:
            if problems := visit(page, path, console):
                found[path] = problems
    assert found == {}, "\n".join(f"{path}: {problems[0]}" for path, problems in found.items())


def test_the_behaviours_moved_out_of_inline_handlers_still_work(people, new_context):
    page, console = watched(new_context, "planner")
    plan = people
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    other = Period.objects.get(fiscal_year_id=2567, kind="month", number=2)

    page.goto(f"/review/?period={period.pk}")
    with page.expect_navigation():
        page.select_option("#period", str(other.pk))
    assert f"period={other.pk}" in page.url

    page.goto(f"/review/{period.pk}/verify/?plan={plan.pk}")
    boxes = page.locator(".verify-all input[name$=selected]")
    if boxes.count():
        page.check("#select-all")
        assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))

    page.goto("/admin/projects/project/export/")
    fields = page.locator("input[type=checkbox][resource-index], .selectable-field-export-row input[type=checkbox]")
    page.uncheck("input.select-toggle")  # its inline handler, allowed by hash
    assert fields.count() > 2 and not any(fields.nth(i).is_checked() for i in range(fields.count()))

    page.goto("/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert [m for m in console if "Content Security Policy" in m] == []
