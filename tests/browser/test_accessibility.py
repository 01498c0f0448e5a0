"""Accessibility (issue 14): axe-core, in a real chromium, on every HTML page each role
reaches with GET, at a laptop's 1366 px and a phone's 390 px: no violation of the WCAG
2.0/2.1 A and AA rules whose impact is serious or critical, no sideways scrolling, and a
screenshot of each page in test-artifacts/screenshots/axe/<role>/.

The pages are generated from the URL registry (tests.url_registry, as the URL matrix
does) with the role's own work as parameters, plus the admin pages a planner and the
administrator use (the index, every registered model's list and one change form), so a
new view is checked without a new test. What a role reaches is asked of the site itself:
a GET that ends in an HTML page (after redirects, once per final page).

Each page is loaded once on the phone (the header's menu closed, as a phone shows it)
and laid out again at the laptop's width. Django's admin pages are read by axe once, at
1366 px: their markup is the same at both widths and they are half of all pages; they
are still measured and photographed at both. No exception is made for the admin's width:
its wide change lists already scroll inside their own box below 1024 px (Django's
responsive.css), and kpiplan/admin.css makes its wide tabular inlines do the same.

axe-core comes from the PyPI package axe-playwright-python (its axe.min.js, MPL-2.0) and
is evaluated through the DevTools protocol, which the site's Content-Security-Policy does
not govern: the pages are checked under their real policy."""

from __future__ import annotations

import datetime
import logging
import os
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import roles
from indicators.models import Indicator
from kpiplan.tests.test_images import phone_photo
from notices.models import Notice
from plans.models import Division, Organization, Period, Plan
from progress.services import Item, entry_save, entry_submit, evidence_add
from projects.models import Project
from reports.models import ReportFile
from tests.browser.pages import login
from tests.factories import make_user
from tests.url_registry import concrete_paths, site_urls

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROLES = ["anonymous", "staff", "head", "planner", "executive", "city", "admin"]
PHONE, WIDE = 390, 1366
WIDTHS = (PHONE, WIDE)  # loaded on the phone (its menu closed), then laid out again wide
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# Not pages: the API is for programs (JSON; its docs are the vendored Swagger UI and
# ReDoc apps, loaded under the policy by test_csp), the language switch is a POST, and
# the report files are PDF/Excel downloads (laying out the real plan's book takes long).
NOT_PAGES = re.compile(r"^(api/|i18n/|reports/\w+\.(pdf|xlsx)$)")

# Django's own admin markup that our templates and stylesheets cannot reach: (rules, the
# nodes they are waived for), on admin pages only; the rules still hold everywhere else.
ADMIN_EXCLUDED = [
    # A tabular inline's inputs sit in table cells under their column's <th>, with no
    # <label> (admin/edit_inline/tabular.html; Django ticket #36509, not fixed in 5.2).
    (("label", "select-name"), re.compile(r"^#id_\w+-\d+-\w+ ")),
    # Select2, vendored by Django for autocomplete_fields, builds its widget in JavaScript:
    # a role=textbox <span> and a search box without a name, <span>s inside its <ul>.
    (("label", "aria-input-field-name", "list"), re.compile(r"select2")),
    # A date-and-time field (a user's last login) writes "Date:" and "Time:" as bare text
    # before its two boxes (admin/widgets/split_datetime.html; the field's <label> points
    # at neither, and widgets are drawn by Django's form renderer, not our templates).
    (("label",), re.compile(r'class="v(Date|Time)Field"')),
    # SelectFilter2.js (filter_horizontal) gives the search icon's <span> an aria-label
    # but no role.
    (("aria-prohibited-attr",), re.compile(r"search-label-icon")),
]


def waived(path: str, rule: str, node: dict) -> bool:
    seen = f'{node["target"]} {node["html"]}'
    return path.startswith("/admin/") and any(rule in rules and nodes.search(seen) for rules, nodes in ADMIN_EXCLUDED)


@pytest.fixture
def site(transactional_db, settings, media_root):
    """ฝ่ายโยธา in December with something in every state a page shows: drain cleaning
    submitted with a photo (the head has something to approve), the lamps a draft, a
    ready report file; one user of each role."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    plan = Plan.objects.get(organization=org, fiscal_year=2567)
    division = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    users = {
        "staff": make_user("staff", roles.DIVISION_STAFF, org, division),
        "head": make_user("head", roles.DIVISION_HEAD, org, division),
        "planner": make_user("planner", roles.PLANNER, org),
        "executive": make_user("executive", roles.EXECUTIVE, org),
        "city": make_user("city", roles.CITY_EXECUTIVE),
        "admin": make_user("admin", roles.ADMINISTRATOR, None, superuser=True),
    }
    staff = users["staff"]
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    road = Indicator.objects.get(plan=plan, key="okr:1.4.06")
    lamps = Indicator.objects.get(plan=plan, key="okr:1.1.03")
    canal = Project.objects.get(plan=plan, key="p2:1.7.1")
    entry = entry_save(user=staff, plan=plan, period=period, item=Item("indicator", road),
                       data={"value": Decimal(120), "narrative": "ล้างท่อระบายน้ำซอยเพชรเกษม ๔๘"}, version=None)
    evidence = evidence_add(user=staff, entry=entry,
                            upload=SimpleUploadedFile("IMG_20231214_093015.jpg", phone_photo((800, 600))))
    entry.refresh_from_db()
    entry_submit(user=staff, entry=entry, version=entry.version)
    entry_save(user=staff, plan=plan, period=period, item=Item("indicator", lamps),
               data={"value": Decimal(7), "narrative": "ติดตั้งไฟริมคลองบางกอกใหญ่"}, version=None)
    report = ReportFile(kind="scorecard", plan=plan, organization=org, requested_by=staff,
                        status=ReportFile.Status.READY, filename="สกอร์การ์ด.pdf", content_type="application/pdf",
                        expires_at=timezone.now() + datetime.timedelta(days=7))
    report.file.save("s.pdf", ContentFile(b"%PDF-1.4 scorecard"), save=True)
    values = {
        "plan_id": [plan.pk], "period_id": [period.pk], "evidence_id": [evidence.pk],
        "project_id": [canal.pk], "indicator_id": [road.pk], "report_file_id": [report.pk],
        "kind": ["scorecard", "quarterly", "book"],
        "organization_id": [org.pk],  # the organization's Traffy page
        # The head's notice of the submitted report (the bell's link goes to the report).
        "notice_id": [Notice.objects.filter(recipient=users["head"]).order_by("pk").first().pk],
        # A real reset link of the staff member: the form to set a new password.
        "uidb64": [urlsafe_base64_encode(force_bytes(staff.pk))], "token": [default_token_generator.make_token(staff)],
    }
    items = [{"kind": "indicator", "item_id": road.pk}, {"kind": "project", "item_id": canal.pk}]
    return {"users": users, "values": values, "items": items}


def admin_paths(user) -> list[str]:
    """The admin's index, and every registered model's list and one change form (the
    first row the user may see there; the add form if there is none)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    paths = [reverse("admin:index")]
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        paths.append(reverse(f"{prefix}_changelist"))
        first = model_admin.get_queryset(request).order_by("pk").first()
        paths.append(reverse(f"{prefix}_change", args=[first.pk]) if first else reverse(f"{prefix}_add"))
    return paths


def reached_pages(site, role) -> list[str]:
    """What `role` reaches with GET: every generated path that ends in an HTML page, each
    final page once (signed out, the pages that need a login all end at the login page)."""
    client = Client()
    user = site["users"].get(role)
    if user:
        client.force_login(user)
    # In the month with the reports (the lists default to the latest month, still empty).
    month = f"?period={site['values']['period_id'][0]}"
    candidates = [path + ("" if path.startswith("/accounts/") else month) for route in site_urls()
                  if not NOT_PAGES.match(route)
                  for path in concrete_paths(route, lambda route, name: site["values"][name], site["items"])]
    candidates.append("/search/?q=ถนน")
    if user and user.is_staff:
        candidates += admin_paths(user)
    pages, seen = [], set()
    quiet = logging.getLogger("django.request")  # the refusals are expected: not pages of this role
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        for path in candidates:
            response = client.get(path, follow=True)
            final = response.request["PATH_INFO"]
            if response.status_code == 200 and response["Content-Type"].startswith("text/html") and final not in seen:
                seen.add(final)
                pages.append(path)
            response.close()
    finally:
        quiet.setLevel(level)
    return pages


AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160), summary: n.failureSummary}))}));
}"""


def axe_violations(page, path) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = []
    for v in page.evaluate(AXE_RUN, WCAG_TAGS):
        if v["impact"] not in BLOCKING:
            continue
        for node in v["nodes"]:
            if waived(path, v["id"], node):
                continue
            found.append(f'{v["id"]} ({v["impact"]}): {v["help"]} — {node["target"]}  {node["html"]}')
    return found


_AXE = []


def axe_source() -> str:
    if not _AXE:
        from axe_playwright_python.base import AXE_SCRIPT

        _AXE.append(AXE_SCRIPT)
    return _AXE[0]


def overflow(page) -> int:
    """How far the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def page_name(path: str, site) -> str:
    """The screenshot's name: the path's parts, without the query (a password reset
    link's user and token named, not spelled out: they change from run to run)."""
    path = path.split("?")[0]
    path = path.replace(site["values"]["uidb64"][0], "uid").replace(site["values"]["token"][0], "token")
    return "-".join(part for part in re.split(r"[^\w]+", path) if part) or "home"


def shots(role) -> Path:
    folder = Path(os.environ.get("KPIPLAN_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "test-artifacts"
                  / "screenshots") / "axe" / role
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_passes_axe_and_fits(site, new_context, role):
    started = time.monotonic()
    pages = reached_pages(site, role)
    assert len(pages) >= (3 if role == "anonymous" else 8), pages  # the registry was walked
    if role == "anonymous":
        page = new_context().new_page()
    else:
        page = login(new_context, site["users"][role].username)
    folder = shots(role)
    for old in folder.glob("*.png"):  # only this run's pages
        old.unlink()
    findings = []
    for path in pages:
        page.set_viewport_size({"width": PHONE, "height": 800})
        response = page.goto(path)
        assert response.status == 200, f"{role} {path}: {response.status}"
        for width in WIDTHS:
            if width == WIDE:  # the same page, laid out again by the wide media queries
                page.set_viewport_size({"width": width, "height": 900})
            # Django's admin is the same markup at both widths (its responsive.css only lays
            # it out again) and a third of the pages: axe reads it once, on the laptop.
            if width == WIDE or not path.startswith("/admin/"):
                findings += [f"{role} {path} @{width}: {f}" for f in axe_violations(page, path)]
            wider = overflow(page)
            if wider > 0:
                findings.append(f"{role} {path} @{width}: {wider} px wider than the window")
            page.screenshot(path=str(folder / f"{page_name(path, site)}-{width}.png"), full_page=True)
    print(f"\n{role}: {len(pages)} pages × {len(WIDTHS)} widths in {time.monotonic() - started:.1f} s")
    assert findings == [], "\n".join(findings)
