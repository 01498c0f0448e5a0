"""A division fills its month in Excel instead of item by item, in a real chromium:
download the progress sheet, type results (Thai digits and separators), upload, read the
preview, confirm, and find the reports as drafts on My work."""

import io
from decimal import Decimal

import openpyxl
import pytest

from accounts import roles
from indicators.models import Indicator
from plans.models import Division, Organization, Period, Plan
from progress import sheet as cols
from progress.models import ProgressEntry, State
from tests.browser.pages import login, norm
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

def typed(sheet: bytes, results: dict[str, tuple[str, str]]) -> bytes:
    """The downloaded sheet with results typed into the rows of the given item codes."""
    book = openpyxl.load_workbook(io.BytesIO(sheet))
    ws = book.active
    header = [c.value for c in ws[1]]
    code, value, narrative = header.index(cols.CODE), header.index(cols.VALUE), header.index(cols.NARRATIVE)
    for row in ws.iter_rows(min_row=2):
        if row[code].value in results:
            row[value].value, row[narrative].value = results[row[code].value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_staff_import_their_month_from_the_progress_sheet(new_context, settings, tmp_path, screenshots_dir):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    plan = Plan.objects.get(organization=org, fiscal_year=2567)
    division = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    make_user("staff", roles.DIVISION_STAFF, org, division)
    december = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    road = Indicator.objects.get(plan=plan, key="okr:1.4.06")

    page = login(new_context, "staff")
    page.goto(f"/work/?period={december.pk}")
    with page.expect_download() as download:
        page.click("#download-sheet")
    sheet = open(download.value.path(), "rb").read()

    filled = tmp_path / "ผลงานฝ่ายโยธา-ธค66.xlsx"
    filled.write_bytes(typed(sheet, {"okr:1.4.06": ("๑๒๐.๕", "ปรับปรุงถนนเทอดไทช่วงแรก")}))
    with page.expect_navigation():
        page.click("#import-sheet")
    page.set_input_files("#id_file", str(filled))
    with page.expect_navigation():
        page.click("button[value=preview]")
    page.screenshot(path=str(screenshots_dir / "20-progress-import-preview.png"), full_page=True)
    assert page.locator("tr.action-new").count() == 1 and page.locator("tr.action-error").count() == 0
    assert not ProgressEntry.objects.exists()
    with page.expect_navigation():
        page.click("#confirm-import")

    entry = ProgressEntry.objects.get(period=december, indicator=road)
    assert (entry.state, entry.value, entry.narrative) == (State.DRAFT, Decimal("120.5"), "ปรับปรุงถนนเทอดไทช่วงแรก")
    assert "นำเข้าจากไฟล์ ผลงานฝ่ายโยธา-ธค66.xlsx" in entry.history.latest().history_change_reason
    assert "/work/" in page.url and norm("นำเข้า") in norm(page.inner_text("body"))
