"""The plan workbook a planner fills alone (issue 15, items 5-7 and 9): the organization
by any name the planner knows, every sheet checked at once, an instructions sheet that
explains every sheet, a preview that says what changes and which printed totals
disagree, and no city-wide reference data added by a planner."""

import io

import openpyxl
import pytest
from django.utils import translation

from accounts import policy, roles
from kpiplan.lib.thai import format_number
from plandoc.tests.test_workbook import edit, fill, fill_plan_row, problems, row_errors, set_cell, upload
from plandoc.workbook import INSTRUCTIONS_SHEET, PLAN_SHEET, SHEETS, export_workbook, import_workbook
from plans.models import Organization, Plan, StrategyNode
from projects.models import Policy, Project
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def real_workbook(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        plan = Plan.objects.get(organization__short_name="สนข.ภาษีเจริญ", fiscal_year=2567)
        return export_workbook(plan)


def bangkhae_template(cast):
    return export_workbook(None, organization=cast.other_org)


def small_plan(template, organization="", *, plan_row=None, projects=None, totals=None):
    """The template with a plan row and a few projects (a project with two sub-items)."""
    def change(book):
        row = {"ปีงบประมาณ (พ.ศ.)": 2569, "ชื่อแผน": "แผนปฏิบัติราชการ ๒๕๖๙ เขตบางแค"}
        if organization:
            row["ชื่อย่อหน่วยงาน"], row["รหัสหน่วยงาน (๘ หลัก)"] = organization, None
        fill_plan_row(book, {**row, **(plan_row or {})})
        fill(book, "โครงการ", projects if projects is not None else [
            {"รหัสอ้างอิง": "p2:1", "ส่วนที่": 2, "ลำดับที่ในตารางสรุป": "1", "ชื่อโครงการ": "โครงการปรับปรุงทางเท้า",
             "งบประมาณ (บาท)": 100000},
            {"รหัสอ้างอิง": "p2:1.1", "ส่วนที่": 2, "เป็นรายการย่อยของ (รหัสอ้างอิง)": "p2:1",
             "ชื่อโครงการ": "ทางเท้าซอย ๑", "งบประมาณ (บาท)": 60000},
            {"รหัสอ้างอิง": "p2:1.2", "ส่วนที่": 2, "เป็นรายการย่อยของ (รหัสอ้างอิง)": "p2:1",
             "ชื่อโครงการ": "ทางเท้าซอย ๒", "งบประมาณ (บาท)": 40000}])
        fill(book, "ยอดรวมที่พิมพ์", totals if totals is not None else [
            {"ลำดับ": 1, "ส่วนที่": 2, "รายการ": "รวมส่วนที่ ๒", "จำนวนเงิน (บาท)": 100000, "จำนวนรายการ": 1}])
    return edit(template, change)


def sheet(preview, name):
    return next(s for s in preview.sheets if s.name == name)


# -- 5. the organization, by any name the planner knows --------------------------------

@pytest.mark.parametrize("written", ["สนข.บางแค", "สำนักงานเขตบางแค", "50400000", "๕๐๔๐๐๐๐๐", " สำนักงานเขตบางแค "])
def test_the_organization_is_accepted_by_short_name_full_name_or_code(cast, written):
    data = small_plan(bangkhae_template(cast), written)
    preview = import_workbook(data, "bangkhae.xlsx", user=cast.other_planner, dry_run=False)
    assert problems(preview) == []
    assert Plan.objects.filter(organization=cast.other_org, fiscal_year=2569).exists()


def test_the_template_comes_filled_with_the_planners_organization_and_imports_as_it_is(cast):
    """Only the year and the title are added to the plan row the template comes with."""
    book = openpyxl.load_workbook(io.BytesIO(bangkhae_template(cast)))
    assert [c.value for c in book[PLAN_SHEET][2]][:2] == ["สนข.บางแค", "50400000"]
    preview = import_workbook(small_plan(bangkhae_template(cast)), "b.xlsx", user=cast.other_planner, dry_run=True)
    assert problems(preview) == []


def test_another_organizations_name_says_which_it_is_and_what_to_write(cast):
    with translation.override("th"):
        preview = import_workbook(small_plan(bangkhae_template(cast), "สำนักงานเขตภาษีเจริญ"), "b.xlsx",
                                  user=cast.other_planner, dry_run=True)
    [(sheet_name, _row, column, message)] = [e for e in row_errors(preview) if e[0] == PLAN_SHEET]
    assert (sheet_name, column) == (PLAN_SHEET, "ชื่อย่อหน่วยงาน")
    # It names the other organization and the three ways to write one's own; it never
    # says "this is the plan of X; only plans of X can be imported".
    assert "«สำนักงานเขตภาษีเจริญ» คือ สำนักงานเขตภาษีเจริญ ซึ่งเป็นหน่วยงานอื่น" in message
    assert "«สนข.บางแค»" in message and "«สำนักงานเขตบางแค»" in message and "«50400000»" in message

    with translation.override("th"):
        preview = import_workbook(small_plan(bangkhae_template(cast), "เขตบางแคใหม่"), "b.xlsx",
                                  user=cast.other_planner, dry_run=True)
    [(_s, _r, column, message)] = [e for e in row_errors(preview) if e[0] == PLAN_SHEET]
    assert message.startswith("«เขตบางแคใหม่» ไม่ใช่ชื่อหน่วยงานของท่าน ให้เขียนชื่อย่อ «สนข.บางแค»")


def test_every_sheet_is_checked_even_when_the_plan_sheet_fails(cast):
    projects = [{"รหัสอ้างอิง": "p2:1", "ส่วนที่": 2, "ชื่อโครงการ": "ก", "งบประมาณ (บาท)": "หนึ่งแสน"}]
    data = small_plan(bangkhae_template(cast), "สำนักงานเขตภาษีเจริญ", plan_row={"ชื่อแผน": None}, projects=projects)
    preview = import_workbook(data, "b.xlsx", user=cast.other_planner, dry_run=False)
    found = {(s, c) for s, _r, c, _m in row_errors(preview)}
    assert found == {(PLAN_SHEET, "ชื่อย่อหน่วยงาน"), (PLAN_SHEET, "ชื่อแผน"), ("โครงการ", "งบประมาณ (บาท)")}
    assert not any("not checked" in e for s in preview.sheets for e in s.errors)
    assert sheet(preview, "ยอดรวมที่พิมพ์").count("new") == 1  # checked, and would have been new
    assert not Plan.objects.filter(organization=cast.other_org, fiscal_year=2569).exists()


def test_a_wrong_year_still_checks_the_other_sheets(cast):
    data = small_plan(bangkhae_template(cast), plan_row={"ปีงบประมาณ (พ.ศ.)": "ปีหน้า"},
                      projects=[{"รหัสอ้างอิง": "p2:1", "ส่วนที่": 7, "ชื่อโครงการ": "ก"}])
    preview = import_workbook(data, "b.xlsx", user=cast.other_planner, dry_run=False)
    found = {(s, c) for s, _r, c, _m in row_errors(preview)}
    assert found == {(PLAN_SHEET, "ปีงบประมาณ (พ.ศ.)"), ("โครงการ", "ส่วนที่")}
    assert Plan.objects.filter(organization=cast.other_org).count() == 1  # the factory's, nothing added


# -- 6. the instructions sheet; printed totals checked in the preview -------------------

def instructions(data) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for c in book[INSTRUCTIONS_SHEET]["A"] if c.value)


def test_the_instructions_explain_every_sheet(cast):
    text = instructions(bangkhae_template(cast))
    for name in [PLAN_SHEET] + [s.name for s in SHEETS]:
        assert f"• «{name}»:" in text, name


def test_the_instructions_explain_rubrics_levels_conditions_and_sub_items(cast):
    text = instructions(bangkhae_template(cast))
    for sentence in (
        "ระดับหนึ่งผ่านเมื่อเงื่อนไขทุกข้อของระดับนั้นเป็นจริง",
        "ตั้งชื่อสิ่งที่วัดใน «ตัววัด» (เช่น ร้อยละความสำเร็จ) เลือก «เครื่องหมาย» (>=, >, <=, <) ใส่ «ค่า» และ «หน่วย»",
        "ใช้ชื่อ «ตัววัด» เดียวกันทุกตัวอักษรในทุกระดับ",
        "ใส่รหัสอ้างอิงของโครงการหลักใน «เป็นรายการย่อยของ (รหัสอ้างอิง)»",
        "ตัวเลขสรุปของโครงการที่มีรายการย่อย (งบประมาณรวม) ใส่ที่แถวโครงการหลัก",
        "«ชื่อย่อหน่วยงาน» ใส่ชื่อย่อ ชื่อเต็ม หรือรหัสหน่วยงานของท่านก็ได้",
    ):
        assert sentence in text, sentence


def test_the_preview_warns_when_a_printed_total_or_count_disagrees_with_its_rows(cast):
    totals = [{"ลำดับ": 1, "ส่วนที่": 2, "รายการ": "รวมส่วนที่ ๒", "จำนวนเงิน (บาท)": 120000, "จำนวนรายการ": 2}]
    preview = import_workbook(small_plan(bangkhae_template(cast), totals=totals), "b.xlsx", user=cast.other_planner,
                              dry_run=True)
    assert problems(preview) == []  # a warning: printed plans do disagree, and are imported as printed
    assert sheet(preview, "ยอดรวมที่พิมพ์").warnings == [
        "Section 2 «รวมส่วนที่ ๒»: the printed total is 120,000 baht, but the budgets of the section's projects add "
        "up to 100,000 baht (a project with sub-items is counted through its sub-items).",
        "Section 2 «รวมส่วนที่ ๒»: the printed count is 2, but the section lists 1 projects.",
    ]


def test_a_consistent_plan_with_sub_items_gets_no_warning(cast):
    """The parent's summary figure (100,000) is not counted again with its sub-items."""
    preview = import_workbook(small_plan(bangkhae_template(cast)), "b.xlsx", user=cast.other_planner, dry_run=True)
    assert problems(preview) == [] and all(not s.warnings for s in preview.sheets)


def test_the_page_shows_the_total_warning_in_thai(client, cast):
    totals = [{"ลำดับ": 1, "ส่วนที่": 2, "รายการ": "รวมส่วนที่ ๒", "จำนวนเงิน (บาท)": 120000}]
    client.force_login(cast.other_planner)
    page = upload(client, small_plan(bangkhae_template(cast), totals=totals)).content.decode()
    assert "ยอดรวมที่พิมพ์คือ 120,000 บาท แต่งบประมาณของโครงการในส่วนนี้รวมกันได้ 100,000 บาท" in page
    assert 'id="confirm-import"' in page


# -- 7. what an updated row changes -------------------------------------------------------

def test_the_preview_shows_what_each_updated_row_changes_from_and_to(cast, real_workbook):
    project = Project.objects.get(plan=cast.plan, key="p3:1.1")
    node = StrategyNode.objects.filter(plan=cast.plan).exclude(key="").exclude(pk=project.node_id).order_by("key")[0]
    other_code = Policy.objects.exclude(projects=project).order_by("code").values_list("code", flat=True).first()

    def change(book):
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", "๑,๒๓๔,๕๖๗")
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "องค์ประกอบกรอบยุทธศาสตร์", node.key)
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.2", "รหัสนโยบาย (คั่นด้วยช่องว่าง)", other_code)

    preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=cast.planner, dry_run=True)
    assert problems(preview) == []
    rows = {r.label: r for r in sheet(preview, "โครงการ").rows if r.action == "update"}
    assert set(rows) == {"p3:1.1", "p3:1.2"}
    assert rows["p3:1.1"].changes == [
        ("งบประมาณ (บาท)", format_number(project.budget), "1,234,567"),
        ("องค์ประกอบกรอบยุทธศาสตร์", project.node.key if project.node_id else "—", node.key),
    ]
    before = Project.objects.get(plan=cast.plan, key="p3:1.2").policy_codes.replace(" ", ", ") or "—"
    assert rows["p3:1.2"].changes == [("รหัสนโยบาย (คั่นด้วยช่องว่าง)", before, other_code)]
    assert all(not r.changes for r in sheet(preview, "โครงการ").rows if r.action != "update")


def test_the_page_lists_the_changes_of_an_updated_row(client, cast, real_workbook):
    data = edit(real_workbook, lambda b: set_cell(b, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "ชื่อโครงการ", "ชื่อใหม่"))
    client.force_login(cast.planner)
    page = upload(client, data).content.decode()
    old = Project.objects.get(plan=cast.plan, key="p3:1.1").name
    assert f"<li>«ชื่อโครงการ»: <del>{old}</del> → <ins>ชื่อใหม่</ins></li>" in page


# -- 9. city-wide reference data is the administrators' --------------------------------

def with_unknown_reference(template):
    def change(book):
        fill(book, "หน่วยงานที่เกี่ยวข้อง", [{"ชื่อย่อ": "สคน.", "ชื่อเต็ม": "สำนักงานใหม่", "ประเภท": "สำนัก/หน่วยงาน กทม."}])
        fill(book, "นโยบาย", [{"รหัสนโยบาย": "P999", "ชื่อนโยบาย": "นโยบายใหม่"}])
    return edit(template, change)


def test_a_planners_workbook_cannot_add_organizations_or_policy_codes(cast):
    assert not Organization.objects.filter(short_name="สคน.").exists() and not Policy.objects.filter(code="P999").exists()
    data = with_unknown_reference(small_plan(bangkhae_template(cast)))
    with translation.override("th"):
        preview = import_workbook(data, "b.xlsx", user=cast.other_planner, dry_run=False)
    errors = {(s, r, c): m for s, r, c, m in row_errors(preview)}
    assert set(errors) == {("หน่วยงานที่เกี่ยวข้อง", 2, "ชื่อย่อ"), ("นโยบาย", 2, "รหัสนโยบาย")}
    assert errors[("หน่วยงานที่เกี่ยวข้อง", 2, "ชื่อย่อ")].startswith(
        "«สคน.» ไม่ใช่หน่วยงานที่มีในระบบ หน่วยงานเพิ่มได้โดยผู้ดูแลระบบเท่านั้น")
    assert errors[("นโยบาย", 2, "รหัสนโยบาย")].startswith("«P999» ไม่ใช่รหัสนโยบายที่มีในระบบ")
    assert not Organization.objects.filter(short_name="สคน.").exists() and not Policy.objects.filter(code="P999").exists()
    assert not Plan.objects.filter(organization=cast.other_org, fiscal_year=2569).exists()


def test_existing_reference_data_is_named_freely_by_a_planner(cast):
    existing = Policy.objects.order_by("code").first()

    def change(book):
        fill(book, "หน่วยงานที่เกี่ยวข้อง", [{"ชื่อย่อ": "สนท."}])
        fill(book, "นโยบาย", [{"รหัสนโยบาย": existing.code}])
    preview = import_workbook(edit(small_plan(bangkhae_template(cast)), change), "b.xlsx", user=cast.other_planner,
                              dry_run=True)
    assert problems(preview) == []


def test_only_an_administrator_may_create_reference_data(cast):
    assert policy.allowed(cast.administrator, "plans.create_reference_data")
    for user in (cast.planner, cast.other_planner, cast.executive, cast.staff):
        assert not policy.allowed(user, "plans.create_reference_data"), user


def test_an_administrators_import_adds_them(cast):
    """An administrator who also plans for a district (the one kind of administrator the
    workbook page serves) adds the organization and the policy code with the plan."""
    chief = make_user("chief", roles.PLANNER, cast.other_org, superuser=True)
    data = with_unknown_reference(small_plan(bangkhae_template(cast)))
    preview = import_workbook(data, "b.xlsx", user=chief, dry_run=False)
    assert problems(preview) == []
    assert Organization.objects.get(short_name="สคน.").name == "สำนักงานใหม่"
    assert Policy.objects.get(code="P999").name == "นโยบายใหม่"


def test_the_page_names_sheet_row_column_and_value(client, cast):
    client.force_login(cast.other_planner)
    page = upload(client, with_unknown_reference(small_plan(bangkhae_template(cast)))).content.decode()
    assert "«หน่วยงานที่เกี่ยวข้อง» แถว ๒ คอลัมน์ «ชื่อย่อ»: «สคน.» ไม่ใช่หน่วยงานที่มีในระบบ" in page
    assert "«นโยบาย» แถว ๒ คอลัมน์ «รหัสนโยบาย»: «P999» ไม่ใช่รหัสนโยบายที่มีในระบบ" in page
    assert 'id="confirm-import"' not in page


def test_an_empty_plan_sheet_still_checks_the_other_sheets(cast):
    projects = [{"รหัสอ้างอิง": "p2:1", "ส่วนที่": 2, "ชื่อโครงการ": "ก", "งบประมาณ (บาท)": "หนึ่งแสน"}]

    def no_plan_row(book):
        book[PLAN_SHEET].delete_rows(2)
    data = edit(small_plan(bangkhae_template(cast), projects=projects), no_plan_row)
    preview = import_workbook(data, "b.xlsx", user=cast.other_planner, dry_run=False)
    assert sheet(preview, PLAN_SHEET).errors
    assert [(s, c) for s, _r, c, _m in row_errors(preview)] == [("โครงการ", "งบประมาณ (บาท)")]
    assert Plan.objects.filter(organization=cast.other_org).count() == 1


def test_the_preview_warns_when_work_steps_do_not_add_up(cast):
    def steps(weights, cumulative):
        def change(book):
            fill(book, "ขั้นตอนการดำเนินงาน", [
                {"โครงการ (รหัสอ้างอิง)": "p2:1", "ขั้นที่": n, "ขั้นตอน": f"ขั้นที่ {n}", "น้ำหนัก (ร้อยละ)": w,
                 "ร้อยละสะสม": c} for n, (w, c) in enumerate(zip(weights, cumulative, strict=True), 1)])
        return edit(small_plan(bangkhae_template(cast)), change)

    preview = import_workbook(steps([30, 60], [30, 100]), "b.xlsx", user=cast.other_planner, dry_run=True)
    assert problems(preview) == []
    assert sheet(preview, "ขั้นตอนการดำเนินงาน").warnings == [
        "โครงการปรับปรุงทางเท้า: Step 2 prints a cumulative 100%, but the step before (30%) plus its weight (60%) "
        "is 90%.",
        "โครงการปรับปรุงทางเท้า: The steps' weights add up to 90%, not 100%.",
    ]
    preview = import_workbook(steps([30, 70], [30, 100]), "b.xlsx", user=cast.other_planner, dry_run=True)
    assert problems(preview) == [] and not sheet(preview, "ขั้นตอนการดำเนินงาน").warnings
