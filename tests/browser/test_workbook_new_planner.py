"""A planner of a district with no plan yet fills the empty template with the help of
its instructions sheet alone (issue 15): every value typed below is justified by a
sentence of that sheet, and the test first reads the sheet and checks the sentence is
there. Then upload, read the preview, import, and see the plan."""

import io

import openpyxl
import pytest

from accounts import roles
from indicators.models import Indicator, RubricCondition
from plans.models import Organization, Plan
from projects.models import Project
from tests.browser.pages import login, norm
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def says(instructions: str, sentence: str) -> None:
    """The instructions sheet says this (the value typed next relies on it)."""
    assert sentence in instructions, sentence


def put(book, sheet, rows):
    """Rows under the headers, from row 2 ("กรอกตั้งแต่แถวที่ ๒ แถวละหนึ่งรายการ")."""
    ws = book[sheet]
    headers = [c.value for c in ws[1]]
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, unknown  # only the columns the sheet has
        ws.append([row.get(h) for h in headers])


def fill_as_the_instructions_say(template: bytes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    text = "\n".join(str(c.value) for c in book["คำอธิบาย"]["A"] if c.value)
    says(text, "ห้ามแก้ชื่อแผ่นงานและหัวคอลัมน์ กรอกตั้งแต่แถวที่ ๒ แถวละหนึ่งรายการ")

    # «แผน»: one row, the organization already filled in by the template; add year and title.
    says(text, "«แผน»: มีแถวเดียว «ชื่อย่อหน่วยงาน» ใส่ชื่อย่อ ชื่อเต็ม หรือรหัสหน่วยงานของท่านก็ได้ (แบบฟอร์มเปล่าที่ดาวน์โหลด"
               "จากระบบใส่ชื่อย่อและรหัสของหน่วยงานท่านไว้ให้แล้ว) «ปีงบประมาณ (พ.ศ.)» เช่น 2568")
    plan_sheet = book["แผน"]
    assert plan_sheet["A2"].value  # "ใส่ไว้ให้แล้ว": the planner does not know the short name
    headers = [c.value for c in plan_sheet[1]]
    plan_sheet.cell(row=2, column=headers.index("ปีงบประมาณ (พ.ศ.)") + 1, value="๒๕๖๙")
    plan_sheet.cell(row=2, column=headers.index("ชื่อแผน") + 1, value="แผนปฏิบัติราชการประจำปี พ.ศ. ๒๕๖๙ สำนักงานเขตบางแค")

    says(text, "«ฝ่าย»: ฝ่ายของหน่วยงาน แถวละฝ่าย แผ่นงานอื่นอ้างถึงฝ่ายด้วย «ชื่อฝ่าย»")
    put(book, "ฝ่าย", [{"ลำดับ": 1, "ชื่อฝ่าย": "ฝ่ายโยธา"}, {"ลำดับ": 2, "ชื่อฝ่าย": "ฝ่ายปกครอง"}])

    says(text, "«กรอบยุทธศาสตร์»: มิติ ยุทธศาสตร์ ด้าน เป้าประสงค์ กลยุทธ์ แถวละรายการ ตั้ง «รหัสอ้างอิง» เอง (เช่น area:1, "
               "obj:1.1) และใส่ «อยู่ภายใต้ (รหัสอ้างอิง)» เป็นรหัสอ้างอิงของรายการที่อยู่เหนือขึ้นไป")
    says(text, "ช่องที่มีรายการให้เลือก (ลูกศร) ให้เลือกจากรายการ")  # «ระดับ», «ประเภท», «ชนิด»: the list's words
    put(book, "กรอบยุทธศาสตร์", [
        {"รหัสอ้างอิง": "area:1", "ระดับ": "ด้าน", "ชื่อ": "ด้านเดินทางดี"},
        {"รหัสอ้างอิง": "obj:1.1", "ระดับ": "เป้าประสงค์/วัตถุประสงค์", "อยู่ภายใต้ (รหัสอ้างอิง)": "area:1",
         "ชื่อ": "ทางเท้าเดินได้ปลอดภัย"}])

    says(text, "«ตัวชี้วัด»: แถวละตัวชี้วัด ตั้ง «รหัสอ้างอิง» เอง (เช่น okr:1.1.01 หรือ pa:1 สำหรับตัวชี้วัดคำรับรอง) "
               "เลือก «ประเภท» จากรายการ «ฝ่ายที่รายงานผล» คือฝ่ายที่ส่งผลการดำเนินงาน")
    put(book, "ตัวชี้วัด", [
        {"รหัสอ้างอิง": "okr:1.1.01", "ประเภท": "OKR เขต", "ชื่อตัวชี้วัด": "ความยาวทางเท้าที่ปรับปรุง",
         "องค์ประกอบกรอบยุทธศาสตร์": "obj:1.1", "หน่วยนับ": "กม.", "ฝ่ายที่รายงานผล": "ฝ่ายโยธา",
         "ค่าเป้าหมาย (ตามที่พิมพ์)": "๒ กม."},
        {"รหัสอ้างอิง": "pa:1", "ประเภท": "ตัวชี้วัดคำรับรอง", "ชื่อตัวชี้วัด": "ร้อยละความสำเร็จของการจัดระเบียบผู้ค้า",
         "หน่วยนับ": "ร้อยละ", "ฝ่ายที่รายงานผล": "ฝ่ายปกครอง"}])
    says(text, "«ค่าเป้าหมาย»: ตัวเลขเป้าหมายของตัวชี้วัด แถวละตัวเลข")
    put(book, "ค่าเป้าหมาย", [{"ตัวชี้วัด (รหัสอ้างอิง)": "okr:1.1.01", "ลำดับ": 1, "ค่าเป้าหมาย": 2, "หน่วยนับ": "กม."}])

    # The rubric of pa:1: one row, five levels, and each level's text as a condition on
    # one measure named the same on every level.
    says(text, "«เกณฑ์การให้คะแนน»: ตัวชี้วัดที่ให้คะแนนเป็นระดับ (เช่น ตัวชี้วัดคำรับรอง) หนึ่งแถวต่อตัวชี้วัด")
    put(book, "เกณฑ์การให้คะแนน", [{"ตัวชี้วัด (รหัสอ้างอิง)": "pa:1", "ชื่อเกณฑ์": "ร้อยละความสำเร็จของการจัดระเบียบผู้ค้า"}])
    says(text, "«ระดับเกณฑ์»: แถวละระดับ ระดับ 1 ถึง 5 ของเกณฑ์นั้น «วิธีวัดผล» คือข้อความของระดับตามเอกสาร «คะแนน» คือคะแนน")
    put(book, "ระดับเกณฑ์", [{"ตัวชี้วัด (รหัสอ้างอิง)": "pa:1", "ระดับ": lv, "วิธีวัดผล": f"ดำเนินการได้ร้อยละ {50 + 10 * lv}",
                              "คะแนน": lv} for lv in range(5, 0, -1)])
    says(text, "ระดับหนึ่งผ่านเมื่อเงื่อนไขทุกข้อของระดับนั้นเป็นจริง «ตัวชี้วัด (รหัสอ้างอิง)» และ «ระดับ» ต้องตรงกับแถวในแผ่นงาน "
               "«ระดับเกณฑ์» «ลำดับ» คือลำดับของเงื่อนไขในระดับนั้น")
    says(text, "ชนิด «เกณฑ์ตัวเลข»: ตั้งชื่อสิ่งที่วัดใน «ตัววัด» (เช่น ร้อยละความสำเร็จ) เลือก «เครื่องหมาย» (>=, >, <=, <) "
               "ใส่ «ค่า» และ «หน่วย»")
    says(text, "ใช้ชื่อ «ตัววัด» เดียวกันทุกตัวอักษรในทุกระดับ (ระดับ 1 ถึง 5 ต่างกันที่ «ค่า»)")
    put(book, "เงื่อนไขเกณฑ์", [
        {"ตัวชี้วัด (รหัสอ้างอิง)": "pa:1", "ระดับ": lv, "ลำดับ": 1, "ชนิด": "เกณฑ์ตัวเลข", "ตัววัด": "ร้อยละความสำเร็จ",
         "เครื่องหมาย": ">=", "ค่า": 50 + 10 * lv, "หน่วย": "%"} for lv in range(5, 0, -1)])

    # A project with two sub-items: the summary figure on the main row, each sub-item's
    # own budget on its row, the summary sequence on the main row only.
    says(text, "«โครงการ»: แถวละโครงการ ตั้ง «รหัสอ้างอิง» เอง (เช่น p2:1.1) «ส่วนที่» คือ 1, 2 หรือ 3")
    says(text, "โครงการที่มีรายการย่อย: ใส่โครงการหลักหนึ่งแถว แล้วใส่รายการย่อยแถวละรายการ โดยใส่รหัสอ้างอิงของโครงการหลักใน "
               "«เป็นรายการย่อยของ (รหัสอ้างอิง)»")
    says(text, "ตัวเลขสรุปของโครงการที่มีรายการย่อย (งบประมาณรวม) ใส่ที่แถวโครงการหลัก งบประมาณของแต่ละรายการใส่ที่แถวรายการย่อย")
    says(text, "«ลำดับที่ในตารางสรุป» ใส่เฉพาะแถวที่พิมพ์ในตารางสรุปของส่วน (โครงการหลัก) รายการย่อยเว้นว่าง")
    says(text, "ตัวเลขพิมพ์เลขไทยหรือเลขอารบิกก็ได้ มีจุลภาคคั่นหลักพันได้")
    put(book, "โครงการ", [
        {"รหัสอ้างอิง": "p2:1", "ส่วนที่": 2, "ลำดับที่ในตารางสรุป": "1", "ชื่อโครงการ": "โครงการปรับปรุงทางเท้า",
         "งบประมาณ (บาท)": "๑,๕๐๐,๐๐๐", "ฝ่ายที่รับผิดชอบ": "ฝ่ายโยธา", "องค์ประกอบกรอบยุทธศาสตร์": "obj:1.1"},
        {"รหัสอ้างอิง": "p2:1.1", "ส่วนที่": 2, "เป็นรายการย่อยของ (รหัสอ้างอิง)": "p2:1",
         "ชื่อโครงการ": "ทางเท้าถนนเพชรเกษม", "งบประมาณ (บาท)": "๑,๐๐๐,๐๐๐", "ฝ่ายที่รับผิดชอบ": "ฝ่ายโยธา"},
        {"รหัสอ้างอิง": "p2:1.2", "ส่วนที่": 2, "เป็นรายการย่อยของ (รหัสอ้างอิง)": "p2:1",
         "ชื่อโครงการ": "ทางเท้าถนนบางแวก", "งบประมาณ (บาท)": "๕๐๐,๐๐๐", "ฝ่ายที่รับผิดชอบ": "ฝ่ายโยธา"}])
    says(text, "«ขั้นตอนการดำเนินงาน»: แถวละขั้นตอนของโครงการ «น้ำหนัก (ร้อยละ)» ของทุกขั้นรวมกันเป็น 100 "
               "«เดือนที่ดำเนินการ» เป็นเลขเดือนของปีงบประมาณ (1 = ต.ค. … 12 = ก.ย.) คั่นด้วยช่องว่าง")
    put(book, "ขั้นตอนการดำเนินงาน", [
        {"โครงการ (รหัสอ้างอิง)": "p2:1", "ขั้นที่": 1, "ขั้นตอน": "สำรวจและออกแบบ", "น้ำหนัก (ร้อยละ)": 20,
         "เดือนที่ดำเนินการ (๑ = ต.ค. … ๑๒ = ก.ย.)": "1 2"},
        {"โครงการ (รหัสอ้างอิง)": "p2:1", "ขั้นที่": 2, "ขั้นตอน": "ก่อสร้าง", "น้ำหนัก (ร้อยละ)": 80,
         "เดือนที่ดำเนินการ (๑ = ต.ค. … ๑๒ = ก.ย.)": "3 4 5 6"}])
    says(text, "«ยอดรวมที่พิมพ์»: ยอดงบประมาณรวมและจำนวนโครงการที่แผนพิมพ์ไว้ในแต่ละส่วน แถวละยอด")
    put(book, "ยอดรวมที่พิมพ์", [{"ลำดับ": 1, "ส่วนที่": 2, "รายการ": "รวมส่วนที่ ๒", "จำนวนเงิน (บาท)": "๑,๕๐๐,๐๐๐",
                                  "จำนวนรายการ": 1}])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_new_districts_planner_fills_the_template_from_its_instructions(new_context, settings, tmp_path,
                                                                          screenshots_dir):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = Organization.objects.create(short_name="สนข.บางแค", name="สำนักงานเขตบางแค", code="50400000", kind="district")
    make_user("planner_bangkhae", roles.PLANNER, org)
    page = login(new_context, "planner_bangkhae")

    page.goto("/plans/import/")
    with page.expect_download() as download:
        page.click("#download-template")
    upload = tmp_path / "แผนบางแค-๒๕๖๙.xlsx"
    upload.write_bytes(fill_as_the_instructions_say(open(download.value.path(), "rb").read()))

    page.set_input_files("#id_file", str(upload))
    with page.expect_navigation():
        page.click("button[value=preview]")
    page.screenshot(path=str(screenshots_dir / "workbook-new-planner-preview.png"), full_page=True)
    assert page.locator("#import-problems").count() == 0 and page.locator("tr.action-error").count() == 0
    assert page.locator("p.notice").count() == 0  # the printed total agrees with the project's sub-items
    assert page.locator("tr.action-new").count() == 25
    assert not Plan.objects.filter(organization=org).exists()  # nothing before the confirmation

    with page.expect_navigation():
        page.click("#confirm-import")
    assert "สนข.บางแค" not in page.url
    body = norm(page.inner_text("body"))
    assert norm("นำเข้า แผนบางแค-๒๕๖๙.xlsx") in body  # the message of the import

    plan = Plan.objects.get(organization=org, fiscal_year=2569)
    main = Project.objects.get(plan=plan, key="p2:1")
    assert main.children.count() == 2 and main.budget == 1500000
    conditions = RubricCondition.objects.filter(level__rubric__indicator__plan=plan)
    assert sorted(c.level.level for c in conditions) == [1, 2, 3, 4, 5]
    assert {c.measure for c in conditions} == {"ร้อยละความสำเร็จ"}

    # The plan is theirs to see: its rubric indicator's page lists the levels.
    indicator = Indicator.objects.get(plan=plan, key="pa:1")
    page.goto(f"/indicators/{indicator.pk}/")
    page.screenshot(path=str(screenshots_dir / "workbook-new-planner-indicator.png"), full_page=True)
    body = norm(page.inner_text("body"))
    assert norm("ร้อยละความสำเร็จของการจัดระเบียบผู้ค้า") in body
    assert norm("ดำเนินการได้ร้อยละ 100") in body and norm("ดำเนินการได้ร้อยละ 60") in body
