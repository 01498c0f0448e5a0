"""A planner of another district moves their plan in without help, in a real chromium:
download the empty template, fill it (as Excel would), upload, read the Thai preview
with an error, fix it, import, and download their own plan book."""

import io

import openpyxl
import pytest

from accounts import roles
from plans.models import Organization, Plan
from projects.models import Project
from reports.models import ReportFile
from tests.browser.pages import login, norm
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

def fill(book, sheet, rows):
    ws = book[sheet]
    headers = [c.value for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in headers])


def filled_template(template: bytes, budget) -> bytes:
    """What a planner types into the empty template in Excel (Thai digits included)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    # The template's one plan row already names the organization; the year and title go beside it.
    plan_row = {"ปีงบประมาณ (พ.ศ.)": "๒๕๖๘", "ชื่อแผน": "แผนปฏิบัติราชการประจำปี พ.ศ. ๒๕๖๘ สำนักงานเขตบางกอกน้อย"}
    ws = book["แผน"]
    assert ws["A2"].value == "สนข.บางกอกน้อย"
    for c, header in enumerate([c.value for c in ws[1]], 1):
        if header in plan_row:
            ws.cell(row=2, column=c, value=plan_row[header])
    fill(book, "ฝ่าย", [{"ลำดับ": 1, "ชื่อฝ่าย": "ฝ่ายโยธา"}])
    fill(book, "ข้อความนำ", [{"ลำดับ": 1, "ประเภท": "วิสัยทัศน์", "ข้อความ": "บางกอกน้อยน่าอยู่"}])
    fill(book, "กรอบยุทธศาสตร์", [
        {"รหัสอ้างอิง": "area:1", "ระดับ": "ด้าน", "รหัส/เลขที่": "1", "ชื่อ": "ด้านสิ่งแวดล้อม", "ลำดับ": 1},
        {"รหัสอ้างอิง": "obj:1.1", "ระดับ": "เป้าประสงค์/วัตถุประสงค์", "อยู่ภายใต้ (รหัสอ้างอิง)": "area:1",
         "รหัส/เลขที่": "1.1", "ชื่อ": "คลองสะอาด", "ลำดับ": 2}])
    fill(book, "ตัวชี้วัด", [
        {"รหัสอ้างอิง": "okr:1.1.01", "ประเภท": "OKR เขต", "รหัส/เลขที่": "1.1.01", "ชื่อตัวชี้วัด": "ความยาวคลองที่ขุดลอก",
         "องค์ประกอบกรอบยุทธศาสตร์": "obj:1.1", "หน่วยนับ": "กม.", "ฝ่ายที่รายงานผล": "ฝ่ายโยธา",
         "ค่าเป้าหมาย (ตามที่พิมพ์)": "๑๒ กม.", "ลำดับ": 1}])
    fill(book, "โครงการ", [
        {"รหัสอ้างอิง": "p2:1.1", "ส่วนที่": 2, "ลำดับที่ในตารางสรุป": "1", "เลขที่ในตารางรายละเอียด": "1",
         "ชื่อโครงการ": "โครงการขุดลอกคลองบางกอกน้อย", "งบประมาณ (บาท)": budget, "ฝ่ายที่รับผิดชอบ": "ฝ่ายโยธา",
         "องค์ประกอบกรอบยุทธศาสตร์": "obj:1.1", "ลำดับ": 1}])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_new_district_imports_its_plan_and_downloads_its_book(new_context, settings, tmp_path, screenshots_dir):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    org = Organization.objects.create(short_name="สนข.บางกอกน้อย", name="สำนักงานเขตบางกอกน้อย", kind="district")
    make_user("planner_bkn", roles.PLANNER, org)

    page = login(new_context, "planner_bkn")

    page.goto("/plans/import/")
    with page.expect_download() as download:
        page.click("#download-template")
    template = open(download.value.path(), "rb").read()

    # First try: the budget typed in words. The preview names the row and column in Thai.
    bad = tmp_path / "แผนบางกอกน้อย.xlsx"
    bad.write_bytes(filled_template(template, "หนึ่งล้านห้าแสน"))
    page.set_input_files("#id_file", str(bad))
    with page.expect_navigation():
        page.click("button[value=preview]")
    page.screenshot(path=str(screenshots_dir / "10-plan-import-error.png"), full_page=True)
    # The problem is at the top of the page, naming the sheet, row and column.
    summary = norm(page.inner_text("#import-problems"))
    assert "«โครงการ» แถว ๒ คอลัมน์ «งบประมาณ (บาท)»" in summary and "ไม่ใช่ตัวเลข" in summary
    body = norm(page.inner_text("body"))
    assert norm("ยังไม่ได้นำเข้าข้อมูลใดเลย") in body and page.locator("#confirm-import").count() == 0
    assert not Plan.objects.filter(organization=org).exists()

    # Fixed, with Thai digits and separators as people type them.
    good = tmp_path / "แผนบางกอกน้อย-แก้ไข.xlsx"
    good.write_bytes(filled_template(template, "๑,๕๐๐,๐๐๐"))
    page.set_input_files("#id_file", str(good))
    with page.expect_navigation():
        page.click("button[value=preview]")
    page.screenshot(path=str(screenshots_dir / "11-plan-import-preview.png"), full_page=True)
    assert page.locator("tr.action-error").count() == 0
    assert page.locator("tr.action-new").count() >= 6
    with page.expect_navigation():
        page.click("#confirm-import")
    plan = Plan.objects.get(organization=org, fiscal_year=2568)
    assert Project.objects.get(plan=plan, key="p2:1.1").budget == 1500000

    # Their own book, made in the background (the tests' immediate backend) and downloaded.
    page.goto("/")
    with page.expect_navigation():
        page.click(f"form.book-pdf[action*='plan={plan.pk}'] button")
    assert ReportFile.objects.get(plan=plan).status == ReportFile.Status.READY
    page.screenshot(path=str(screenshots_dir / "12-plan-book-ready.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#report-download")
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
