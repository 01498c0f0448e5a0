"""An executive drills down from the dashboard to an indicator (issue 13): the off-track
list links to the indicator's page, which shows what the division wrote and the file it
attached, and the file comes down as sent; on a laptop and on a phone, with a full-page
screenshot of every step and no sideways scrolling on the phone."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import roles
from indicators.models import Indicator
from plans.models import Division, Organization, Period, Plan
from progress.services import Item, entry_save, entry_submit, evidence_add
from progress.status import indicator_status
from tests.browser.pages import LOGIN_BUTTON, norm
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NARRATIVE = "ล้างท่อระบายน้ำซอยเพชรเกษม ๔๘ ได้เพียงบางส่วน"
OBSTACLES = "รถดูดเลนเสีย ๒ สัปดาห์"
PDF = b"%PDF-1.4\n% evidence of the drains\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def arranged(transactional_db, settings, media_root):
    """OKR 1.4.06 of ฝ่ายโยธา reported far behind in December, with a photo report."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    plan = Plan.objects.get(organization=org, fiscal_year=2567)
    division = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    staff = make_user("staff", roles.DIVISION_STAFF, org, division)
    make_user("executive", roles.EXECUTIVE, org)
    indicator = Indicator.objects.get(plan=plan, key="okr:1.4.06")
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    entry = entry_save(user=staff, plan=plan, period=period, item=Item("indicator", indicator),
                       data={"value": Decimal(1), "narrative": NARRATIVE, "obstacles": OBSTACLES}, version=None)
    evidence_add(user=staff, entry=entry, upload=SimpleUploadedFile("ภาพถ่ายการล้างท่อ.pdf", PDF, "application/pdf"))
    entry.refresh_from_db()
    entry_submit(user=staff, entry=entry, version=entry.version)
    assert indicator_status(indicator, period).status.value == "off_track"
    return plan, period, indicator


def _shots(screenshots_dir):
    folder = Path(os.environ.get("KPIPLAN_SCREENSHOTS") or screenshots_dir) / "drill-down"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", [1366, 390])
def test_an_executive_drills_from_the_dashboard_to_the_evidence(arranged, browser, live_server, screenshots_dir, width):
    plan, period, indicator = arranged
    shots = _shots(screenshots_dir)
    context = browser.new_context(base_url=live_server.url, locale="th-TH", viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", "executive")
        page.fill("#id_password", "pw-executive")
        with page.expect_navigation():
            page.click(LOGIN_BUTTON)

        def look(step):
            page.screenshot(path=str(shots / f"{width}-{step}.png"), full_page=True)
            if width <= 390:
                assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{step} scrolls sideways"

        assert page.goto(f"/dashboard/?plan={plan.pk}&period={period.pk}").status == 200
        look("1-dashboard")
        link = page.locator(f'#attention a[href^="/indicators/{indicator.pk}/"]')
        assert link.count() == 1, "the off-track indicator is not linked from the dashboard"
        with page.expect_navigation():
            link.click()
        assert page.url.split("#")[0].endswith(f"/indicators/{indicator.pk}/")
        history = page.locator(f"#period-{period.pk} details.history")
        history.locator("summary").click()
        assert "staff" in history.inner_text()  # who saved, submitted and attached
        look("2-indicator")
        assert "ล้างทำความสะอาดท่อ" in norm(page.inner_text("h1"))
        report = page.locator(f"#period-{period.pk}")
        assert norm(NARRATIVE) in norm(report.inner_text()) and norm(OBSTACLES) in norm(report.inner_text())
        assert "status-off_track" in page.inner_html(f'#results-table tr[data-period="{period.pk}"]')

        with page.expect_download() as download:
            report.locator("a", has_text="ภาพถ่ายการล้างท่อ.pdf").click()
        assert Path(download.value.path()).read_bytes() == PDF
        assert download.value.suggested_filename == "ภาพถ่ายการล้างท่อ.pdf"
        look("3-after-download")
    finally:
        context.close()
