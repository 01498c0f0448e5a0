"""The whole-plan workbook: export, import back (round trip, idempotent), preview,
all-or-nothing, bad input and access."""

import io
import time
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts import roles
from indicators.models import Baseline, Indicator, IndicatorTarget, Rubric, RubricCondition, RubricLevel
from plandoc.workbook import export_workbook, import_workbook
from plans.models import Division, Plan, PlanStatement, PrintedTotal, StrategyNode, Variant, WorkGroup
from projects.models import KeyResultLink, Project, ProjectIndicator, WorkStep
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def snapshot(plan):
    """The plan's data by keys and names, without database ids."""
    def key(obj, attr):
        target = getattr(obj, attr)
        return None if target is None else (getattr(target, "key", None) or getattr(target, "short_name", None)
                                            or getattr(target, "name", None))

    data = {"plan": (plan.title, plan.area_km2, plan.source, plan.report_due_days)}
    data["divisions"] = sorted((d.order, d.name, d.short_name, tuple(d.aliases))
                               for d in Division.objects.filter(organization=plan.organization))
    data["work_groups"] = sorted((w.division.name, w.order, w.name)
                                 for w in WorkGroup.objects.filter(division__organization=plan.organization))
    data["statements"] = sorted((s.order, s.kind, s.title, s.text) for s in PlanStatement.objects.filter(plan=plan))
    data["nodes"] = sorted((n.key, n.level, key(n, "parent"), n.code, n.title, n.order, n.notes)
                           for n in StrategyNode.objects.filter(plan=plan))
    data["indicators"] = sorted(
        (i.key, i.kind, i.code, i.name, key(i, "node"), key(i, "parent"), i.unit, i.direction, i.measure_type,
         i.starred, key(i, "lead_agency"), key(i, "lead_division"), key(i, "division"), i.reporting_frequency,
         i.cumulative, i.target_text, str(sorted(i.target_year_text.items())), i.definition, i.formula, i.evidence,
         i.projects_text, i.weight, i.component, i.component_title, i.summary_order, i.part2_order, i.order, i.notes,
         tuple(sorted(a.short_name for a in i.supporting_agencies.all())))
        for i in Indicator.objects.filter(plan=plan))
    data["targets"] = sorted((t.indicator.key, t.order, t.value, t.unit, t.label, key(t, "agency"), t.fiscal_year or 0)
                             for t in IndicatorTarget.objects.filter(indicator__plan=plan))
    data["baselines"] = sorted((b.indicator.key, b.year, b.label, b.value or 0, b.unit, b.text)
                               for b in Baseline.objects.filter(indicator__plan=plan))
    data["rubrics"] = sorted((r.indicator.key, r.title, r.note) for r in Rubric.objects.filter(indicator__plan=plan))
    data["levels"] = sorted((lv.rubric.indicator.key, lv.level, lv.threshold_text, lv.threshold_percent or 0,
                             lv.description, lv.points or 0)
                            for lv in RubricLevel.objects.filter(rubric__indicator__plan=plan))
    data["conditions"] = sorted((c.level.rubric.indicator.key, c.level.level, c.order, c.kind, c.measure, c.operator,
                                 c.value or 0, c.unit, c.text)
                                for c in RubricCondition.objects.filter(level__rubric__indicator__plan=plan))
    data["projects"] = sorted(
        (p.key, p.section, key(p, "parent"), p.sequence, p.number, p.name, p.budget or 0, p.budget_text,
         key(p, "division"), p.division_text, key(p, "work_group"), p.strategy_code, p.policy_codes, p.policy_text,
         key(p, "node"), key(p, "same_as"), p.order, p.notes)
        for p in Project.objects.filter(plan=plan))
    data["project_indicators"] = sorted((x.project.key, x.indicator.key, x.printed)
                                        for x in ProjectIndicator.objects.filter(project__plan=plan))
    data["links"] = sorted((k.order, key(k, "area"), key(k, "objective"), key(k, "indicator"), k.kr_text, k.unit, k.target_text,
                            key(k, "project"), k.project_text, k.budget or 0, k.budget_text, k.project_kpi_target,
                            k.notes) for k in KeyResultLink.objects.filter(plan=plan))
    data["steps"] = sorted((s.project.key, s.number, s.name, s.weight or 0, s.cumulative_percent or 0,
                            tuple(s.months), s.notes) for s in WorkStep.objects.filter(project__plan=plan))
    data["totals"] = sorted((t.section, t.label, t.amount or 0, t.count or 0, t.text, t.source)
                            for t in PrintedTotal.objects.filter(plan=plan))
    data["variants"] = sorted((v.field, v.value, v.source) for v in Variant.objects.filter(plan=plan))
    return data


def wipe(plan):
    """An organization with no plan data: the plan, its divisions and work groups gone."""
    organization = plan.organization
    Plan.objects.filter(organization=organization).delete()
    Division.objects.filter(organization=organization).delete()


def problems(preview):
    out = list(preview.errors)
    for sheet in preview.sheets:
        out += [f"{sheet.name}: {e}" for e in sheet.errors]
        out += [f"{sheet.name} row {r.number}: {c}: {m}" for r in sheet.rows for c, m in r.errors]
    return out


@pytest.fixture
def planner(real_plan):
    return make_user("planner", roles.PLANNER, real_plan.organization)


def test_round_trip_of_the_real_plan(real_plan, planner):
    plan = real_plan
    before = snapshot(plan)
    budget = {s: sum((p.budget or 0) for p in Project.objects.filter(plan=plan, section=s).budget_lines())
              for s in (1, 2, 3)}
    data = export_workbook(plan)
    wipe(plan)
    assert not Project.objects.filter(plan__organization=plan.organization).exists()
    started = time.perf_counter()
    preview = import_workbook(data, "plan-2567.xlsx", user=planner, dry_run=False)
    elapsed = time.perf_counter() - started
    assert problems(preview) == []
    print(f"real plan workbook: {len(data)} bytes, imported in {elapsed:.1f}s, "
          f"{sum(len(s.rows) for s in preview.sheets)} rows")
    new_plan = Plan.objects.get(organization=plan.organization, fiscal_year=2567)
    after = snapshot(new_plan)
    for name in before:
        assert after[name] == before[name], name
    assert {s: sum((p.budget or 0) for p in Project.objects.filter(plan=new_plan, section=s).budget_lines())
            for s in (1, 2, 3)} == budget
    assert budget[3] == Decimal("59752455")
    assert all(r.action == "new" for s in preview.sheets for r in s.rows
               if s.name not in ("หน่วยงานที่เกี่ยวข้อง", "นโยบาย"))  # city-wide, kept


def history_count():
    return sum(m.history.model.objects.count() for m in (
        Plan, Division, WorkGroup, PlanStatement, StrategyNode, Variant, PrintedTotal, Indicator, IndicatorTarget,
        Baseline, Rubric, RubricLevel, RubricCondition, Project, ProjectIndicator, KeyResultLink, WorkStep))


def test_reimporting_the_export_unchanged_changes_nothing(real_plan, planner):
    data = export_workbook(real_plan)
    before, history = snapshot(real_plan), history_count()
    with CaptureQueriesContext(connection) as queries:
        preview = import_workbook(data, "plan-2567.xlsx", user=planner, dry_run=False)
    assert problems(preview) == []
    actions = {r.action for s in preview.sheets for r in s.rows}
    assert actions == {"skip"}
    assert history_count() == history
    assert snapshot(real_plan) == before
    # Nothing per row: loading what exists is a constant number of queries per sheet.
    assert len(queries) < 80, len(queries)  # 63 when written: ~3 per sheet, none per row


# -- helpers for hand-edited workbooks -------------------------------------------------

def edit(data, change):
    """The workbook after `change(book)`, as bytes."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column(ws, header):
    return next(c.column for c in ws[1] if c.value == header)


def row_of(ws, header, value):
    col = column(ws, header)
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col).value == value)


def set_cell(book, sheet, key_header, key, header, value):
    ws = book[sheet]
    ws.cell(row=row_of(ws, key_header, key), column=column(ws, header), value=value)


def row_errors(preview):
    return [(s.name, r.number, c, m) for s in preview.sheets for r in s.rows for c, m in r.errors]


@pytest.fixture(scope="module")
def real_workbook(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        plan = Plan.objects.get(organization__short_name="สนข.ภาษีเจริญ", fiscal_year=2567)
        return export_workbook(plan)


# -- preview, all or nothing, history --------------------------------------------------

def test_a_change_is_previewed_then_imported_with_the_file_name_as_reason(real_plan, planner, real_workbook):
    project = Project.objects.get(plan=real_plan, key="p3:1.1")
    data = edit(real_workbook, lambda b: set_cell(b, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", "๑,๒๓๔,๕๖๗"))
    history = history_count()
    preview = import_workbook(data, "แก้งบ.xlsx", user=planner, dry_run=True)
    assert problems(preview) == []
    projects = next(s for s in preview.sheets if s.name == "โครงการ")
    assert [(r.label, r.action) for r in projects.rows if r.action != "skip"] == [("p3:1.1", "update")]
    project.refresh_from_db()
    assert project.budget != Decimal("1234567") and history_count() == history  # a dry run writes nothing

    with translation.override("th"):  # the history reason is made in the importer's language
        preview = import_workbook(data, "แก้งบ.xlsx", user=planner, dry_run=False)
    project.refresh_from_db()
    assert project.budget == Decimal("1234567")
    record = project.history.latest()
    assert record.history_change_reason == "นำเข้าจากไฟล์ แก้งบ.xlsx" and record.history_user == planner
    assert history_count() == history + 1


def test_one_bad_row_anywhere_and_nothing_is_written(real_plan, planner, real_workbook):
    def change(book):
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", 999)
        set_cell(book, "ขั้นตอนการดำเนินงาน", "ขั้นที่", 5, "น้ำหนัก (ร้อยละ)", "มาก")

    history = history_count()
    with translation.override("th"):
        preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=planner, dry_run=False)
    assert preview.has_errors
    [(sheet, _n, col, message)] = row_errors(preview)
    assert sheet == "ขั้นตอนการดำเนินงาน" and col == "น้ำหนัก (ร้อยละ)" and "ไม่ใช่ตัวเลข" in message
    assert Project.objects.get(plan=real_plan, key="p3:1.1").budget != 999
    assert history_count() == history


# -- bad input ----------------------------------------------------------------------------

def test_wrong_types_are_named_by_row_and_column(planner, real_workbook):
    def change(book):
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", "หนึ่งแสน")
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.2", "ส่วนที่", "สี่")
        set_cell(book, "ตัวชี้วัด", "รหัสอ้างอิง", "pa:1.2", "ติดดาว (*)", "บางที")
        set_cell(book, "ตัวชี้วัด", "รหัสอ้างอิง", "pa:1.2", "ประเภท", "ไม่มีประเภทนี้")
        set_cell(book, "ขั้นตอนการดำเนินงาน", "ขั้นที่", 5, "เดือนที่ดำเนินการ (๑ = ต.ค. … ๑๒ = ก.ย.)", "13")
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.3", "รหัสยุทธศาสตร์ (๖ หลัก)", "12345")

    preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=planner, dry_run=True)
    found = {(s, c) for s, _n, c, _m in row_errors(preview)}
    assert found == {
        ("โครงการ", "งบประมาณ (บาท)"), ("โครงการ", "ส่วนที่"), ("ตัวชี้วัด", "ติดดาว (*)"), ("ตัวชี้วัด", "ประเภท"),
        ("ขั้นตอนการดำเนินงาน", "เดือนที่ดำเนินการ (๑ = ต.ค. … ๑๒ = ก.ย.)"), ("โครงการ", "รหัสยุทธศาสตร์ (๖ หลัก)"),
    }
    ws_row = next(r for s in preview.sheets if s.name == "โครงการ" for r in s.rows if r.label == "p3:1.1")
    assert ws_row.action == "error" and ws_row.number > 1
    assert all(m for *_x, m in row_errors(preview))


def test_unknown_codes_divisions_and_references(planner, real_workbook):
    def change(book):
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "รหัสนโยบาย (คั่นด้วยช่องว่าง)", "P999")
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.2", "ฝ่ายที่รับผิดชอบ", "ฝ่ายที่ไม่มีอยู่จริง")
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.3", "องค์ประกอบกรอบยุทธศาสตร์", "obj:99.9")
        set_cell(book, "ตัวชี้วัด", "รหัสอ้างอิง", "pa:1.2", "หน่วยงานหลัก", "สนอ.ไม่มี")
        set_cell(book, "ค่าเป้าหมาย", "ตัวชี้วัด (รหัสอ้างอิง)", "pa:1.2", "ตัวชี้วัด (รหัสอ้างอิง)", "pa:9.9")

    preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=planner, dry_run=True)
    messages = {(s, c): m for s, _n, c, m in row_errors(preview)}
    assert "P999" in messages[("โครงการ", "รหัสนโยบาย (คั่นด้วยช่องว่าง)")]
    assert "ฝ่ายที่ไม่มีอยู่จริง" in messages[("โครงการ", "ฝ่ายที่รับผิดชอบ")]
    assert "obj:99.9" in messages[("โครงการ", "องค์ประกอบกรอบยุทธศาสตร์")]
    assert "สนอ.ไม่มี" in messages[("ตัวชี้วัด", "หน่วยงานหลัก")]
    assert "pa:9.9" in messages[("ค่าเป้าหมาย", "ตัวชี้วัด (รหัสอ้างอิง)")]


def test_duplicate_rows_are_refused(planner, real_workbook):
    def change(book):
        ws = book["โครงการ"]
        ws.append([c.value for c in ws[2]])

    with translation.override("th"):
        preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=planner, dry_run=True)
    [(sheet, _n, col, message)] = row_errors(preview)
    assert sheet == "โครงการ" and col == "รหัสอ้างอิง" and "ซ้ำกับแถวที่ 2" in message


def test_a_workbook_of_another_organization_is_refused(cast, real_workbook):
    """The organization cell or code belongs to another organization."""
    preview = import_workbook(real_workbook, "x.xlsx", user=cast.other_planner, dry_run=False)
    errors = row_errors(preview)
    assert {(sheet, col) for sheet, _n, col, _m in errors} == {("แผน", "ชื่อย่อหน่วยงาน"), ("แผน", "รหัสหน่วยงาน (๘ หลัก)")}
    assert "สำนักงานเขตภาษีเจริญ" in errors[0][3]
    assert not Plan.objects.filter(organization=cast.other_org, fiscal_year=2567).exists()

    def change(book):
        book["แผน"]["B2"] = "50400000"  # Bang Khae's code in our own workbook
    preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=cast.planner, dry_run=True)
    [(_s, _n, col, message)] = row_errors(preview)
    assert col == "รหัสหน่วยงาน (๘ หลัก)" and "สำนักงานเขตบางแค" in message


def test_another_organizations_planner_changes_only_their_own(cast, real_workbook):
    """Renamed to their organization, our workbook becomes their plan; ours is untouched."""
    before = snapshot(cast.plan)

    def change(book):
        book["แผน"]["A2"], book["แผน"]["B2"] = "สนข.บางแค", "50400000"
    preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=cast.other_planner, dry_run=False)
    assert problems(preview) == []
    theirs = Plan.objects.get(organization=cast.other_org, fiscal_year=2567)
    assert Project.objects.filter(plan=theirs).count() == Project.objects.filter(plan=cast.plan).count()
    assert set(Project.objects.filter(plan=theirs).values_list("division__organization", flat=True)) <= {cast.other_org.pk, None}
    assert snapshot(cast.plan) == before


def test_staff_and_administrators_cannot_import_plan_data(cast, real_workbook):
    for user in (cast.staff, cast.head, cast.executive, cast.administrator):
        preview = import_workbook(real_workbook, "x.xlsx", user=user, dry_run=False)
        assert preview.errors and not preview.sheets


def test_merged_cells_take_the_value_of_the_range(real_plan, planner, real_workbook):
    project = Project.objects.get(plan=real_plan, key="p3:1.1")

    def change(book):
        ws = book["ขั้นตอนการดำเนินงาน"]
        start = ws.max_row + 1
        for n in (91, 92, 93):
            ws.append(["p3:1.1" if n == 91 else None, n, f"ขั้นตอนเพิ่ม {n}", 1, None, "1 2"])
        ws.merge_cells(start_row=start, start_column=1, end_row=start + 2, end_column=1)

    preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=planner, dry_run=False)
    assert problems(preview) == []
    assert set(project.work_steps.filter(number__gt=90).values_list("number", flat=True)) == {91, 92, 93}


def test_empty_sheets(planner, real_workbook):
    def empty_plan(book):
        book["แผน"].delete_rows(2)
    with translation.override("th"):
        preview = import_workbook(edit(real_workbook, empty_plan), "x.xlsx", user=planner, dry_run=True)
    assert any("ว่าง" in e for s in preview.sheets if s.name == "แผน" for e in s.errors)

    def empty_steps(book):
        ws = book["ขั้นตอนการดำเนินงาน"]
        ws.delete_rows(1, ws.max_row)
    preview = import_workbook(edit(real_workbook, empty_steps), "x.xlsx", user=planner, dry_run=True)
    assert problems(preview) == []  # an empty sheet changes nothing (rows are never deleted)

    with translation.override("th"):
        preview = import_workbook(export_workbook(None), "template.xlsx", user=planner, dry_run=True)
    assert preview.has_errors and any("ว่าง" in e for s in preview.sheets for e in s.errors)


def test_formulas_instead_of_values(planner, real_workbook):
    def change(book):
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", "=1000+2000")
    with translation.override("th"):
        preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=planner, dry_run=True)
    sheet = next(s for s in preview.sheets if s.name == "โครงการ")
    assert any("สูตร" in e and "=1000+2000" in e for e in sheet.errors)
    assert preview.has_errors


def test_thai_digits_separators_and_christian_era_years(real_plan, planner, real_workbook):
    def change(book):
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", "๒,๕๐๐,๐๐๐.๕๐")
        book["แผน"]["C2"] = "2024"  # C.E. for 2567
        ws = book["ค่าฐาน"]
        ws.append(["pa:1.2", "๒๕๖๕", "ทดสอบ", "1,234.5", "ร้อยละ", ""])
        ws.append(["pa:1.2", 2021, "ทดสอบ ค.ศ.", "๑๒", "ร้อยละ", ""])
    preview = import_workbook(edit(real_workbook, change), "x.xlsx", user=planner, dry_run=False)
    assert problems(preview) == []
    assert Project.objects.get(plan=real_plan, key="p3:1.1").budget == Decimal("2500000.50")
    baselines = dict(Baseline.objects.filter(indicator__plan=real_plan, label__startswith="ทดสอบ").values_list("year", "value"))
    assert baselines == {2565: Decimal("1234.5"), 2564: Decimal("12")}


def projects_csv(rows, header=("รหัสอ้างอิง", "ส่วนที่", "ชื่อโครงการ", "งบประมาณ (บาท)")):
    lines = [",".join(header)] + [",".join(f'"{v}"' for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "tis-620"])
def test_one_sheet_as_csv_in_every_thai_encoding(real_plan, planner, encoding):
    name = Project.objects.get(plan=real_plan, key="p3:1.1").name
    text = projects_csv([("p3:1.1", "3", name, "๑,๐๐๐"), ("csv:1", "2", "โครงการจาก CSV", "2,500")])
    data = text.encode(encoding)
    with translation.override("th"):
        preview = import_workbook(data, "projects.csv", user=planner, dry_run=True)
    assert preview.has_errors and "แผ่นงาน «แผน»" in preview.errors[0]  # which plan? choose it on the page
    preview = import_workbook(data, "projects.csv", user=planner, dry_run=False, plan=real_plan)
    assert problems(preview) == []
    assert [r.action for r in preview.sheets[0].rows] == ["update", "new"]
    assert Project.objects.get(plan=real_plan, key="p3:1.1").budget == 1000
    assert Project.objects.get(plan=real_plan, key="csv:1").budget == 2500
    other_plan_preview = import_workbook(data, "projects.csv", user=planner, dry_run=True,
                                         plan=Plan(organization_id=0, fiscal_year_id=2567))
    assert other_plan_preview.has_errors


def test_files_too_big_or_not_spreadsheets(planner, real_workbook):
    with translation.override("th"):
        preview = import_workbook(real_workbook, "x.xlsx", user=planner, max_bytes=1000)
    assert "เกินขนาด" in preview.errors[0]
    for data, name in [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "x.png"),
                       (b"PK\x03\x04not really a zip", "x.xlsx"), (b"\xd0\xcf\x11\xe0old excel", "x.xls"), (b"", "x.csv")]:
        preview = import_workbook(data, name, user=planner)
        assert preview.errors and not preview.sheets, name


def test_a_csv_that_is_no_known_sheet(planner):
    with translation.override("th"):
        preview = import_workbook("ก,ข\n1,2\n".encode(), "x.csv", user=planner)
    assert "ไม่พบแผ่นงานที่รู้จัก" in preview.errors[0]


# -- the page -----------------------------------------------------------------------------

def upload(client, data, name="plan.xlsx", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("plan-import"), {"file": SimpleUploadedFile(name, data), "action": "preview", **extra})


def test_page_preview_then_confirm(client, cast, real_workbook):
    client.force_login(cast.planner)
    assert 'id="plan-import"' in client.get(reverse("home")).content.decode()
    data = edit(real_workbook, lambda b: set_cell(b, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", 4321))
    response = upload(client, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "p3:1.1" in page and 'id="confirm-import"' in page
    assert Project.objects.get(plan=cast.plan, key="p3:1.1").budget != 4321
    token = response.context["token"]
    response = client.post(reverse("plan-import"), {"action": "confirm", "token": token})
    assert response.status_code == 302
    assert Project.objects.get(plan=cast.plan, key="p3:1.1").budget == 4321
    # the kept upload is gone once used
    response = client.post(reverse("plan-import"), {"action": "confirm", "token": token})
    assert response.status_code == 400


def test_page_shows_errors_and_offers_no_confirm(client, cast, real_workbook):
    client.force_login(cast.planner)
    data = edit(real_workbook, lambda b: set_cell(b, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", "abc"))
    page = upload(client, data).content.decode()
    assert "งบประมาณ (บาท)" in page and "ไม่ใช่ตัวเลข" in page and 'id="confirm-import"' not in page
    page = upload(client, b"\x89PNG\x00\x00binary", "x.png").content.decode()
    assert "ไม่ใช่ไฟล์ตารางข้อมูล" in page


def test_import_problems_are_in_the_users_language(client, cast, real_workbook):
    """The preview's messages follow the language the user chose; the workbook's own
    words (sheet names, column headers) are the file format and stay Thai."""
    data = edit(real_workbook, lambda b: set_cell(b, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "งบประมาณ (บาท)", "abc"))
    client.force_login(cast.planner)
    client.cookies["django_language"] = "en"
    page = upload(client, data).content.decode()
    assert "«abc» is not a number (use Thai or Arabic digits; commas between thousands are fine)." in page
    assert "งบประมาณ (บาท)" in page and "ไม่ใช่ตัวเลข" not in page

    del client.cookies["django_language"]
    page = upload(client, data).content.decode()
    assert "«abc» ไม่ใช่ตัวเลข (ใช้เลขไทยหรือเลขอารบิก มีจุลภาคคั่นหลักพันได้)" in page
    assert "is not a number" not in page


def test_page_access(client, cast):
    for user in (cast.staff, cast.head, cast.executive, cast.administrator):
        client.force_login(user)
        assert client.get(reverse("plan-import")).status_code == 403, user
        assert upload(client, b"x").status_code == 403
    client.force_login(cast.other_planner)
    assert client.get(reverse("plan-workbook", args=[cast.plan.pk])).status_code == 404
    assert client.get(reverse("plan-workbook", args=[cast.other_plan.pk])).status_code == 200
    client.force_login(cast.staff)
    assert client.get(reverse("plan-workbook", args=[cast.plan.pk])).status_code == 403
    assert client.get(reverse("plan-workbook-template")).status_code == 403


def test_downloads_have_instructions_and_drop_downs(client, cast):
    client.force_login(cast.planner)
    response = client.get(reverse("plan-workbook", args=[cast.plan.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "คำอธิบาย" and "แผน" in book.sheetnames and book["รายการ"].sheet_state == "hidden"
    projects = book["โครงการ"]
    formulas = {str(dv.sqref).split(":")[0][:-1]: dv.formula1 for dv in projects.data_validations.dataValidation}
    division_col = openpyxl.utils.get_column_letter(column(projects, "ฝ่ายที่รับผิดชอบ"))
    assert formulas[division_col].startswith("'ฝ่าย'!")
    units = book["ตัวชี้วัด"]
    assert any("รายการ" in dv.formula1 for dv in units.data_validations.dataValidation)
    assert projects.freeze_panes == "B2"
    template = openpyxl.load_workbook(io.BytesIO(client.get(reverse("plan-workbook-template")).content))
    assert template["โครงการ"].max_row == 1


# -- a second district, from the empty template to its plan book ----------------------------

def fill(book, sheet, rows):
    ws = book[sheet]
    headers = [c.value for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in headers])


def fill_plan_row(book, values):
    """The template's one plan row (row 2, already naming the planner's organization)."""
    ws = book["แผน"]
    for c, header in enumerate([c.value for c in ws[1]], 1):
        if header in values:
            ws.cell(row=2, column=c, value=values[header])


def test_a_second_district_makes_its_plan_from_the_template_and_gets_its_book(client, db):
    from plans.models import Organization
    from reports.book import plan_book
    from reports.pdf import layout, page_texts
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(short_name="สนข.บางกอกน้อย", name="สำนักงานเขตบางกอกน้อย", code="50200000")
    planner = make_user("planner_bkn", roles.PLANNER, org)
    assert Organization.objects.filter(short_name="สนท.").exists()
    from projects.models import Policy

    code = Policy.objects.order_by("code").values_list("code", flat=True).first()  # city-wide: named, not added

    def change(book):
        fill_plan_row(book, {"ปีงบประมาณ (พ.ศ.)": "๒๕๖๘",
                             "ชื่อแผน": "แผนปฏิบัติราชการประจำปี พ.ศ. ๒๕๖๘ สำนักงานเขตบางกอกน้อย"})
        fill(book, "ฝ่าย", [{"ลำดับ": 1, "ชื่อฝ่าย": "ฝ่ายโยธา"}, {"ลำดับ": 2, "ชื่อฝ่าย": "ฝ่ายรักษาความสะอาดและสวนสาธารณะ"}])
        fill(book, "งาน", [{"ฝ่าย": "ฝ่ายโยธา", "ลำดับ": 1, "ชื่องาน": "งานบำรุงรักษาซ่อมแซม"}])
        fill(book, "ข้อความนำ", [{"ลำดับ": 1, "ประเภท": "คำนำ", "ข้อความ": "แผนนี้จัดทำขึ้นเพื่อทดสอบการนำเข้า"},
                                {"ลำดับ": 2, "ประเภท": "วิสัยทัศน์", "ข้อความ": "บางกอกน้อยน่าอยู่"}])
        fill(book, "กรอบยุทธศาสตร์", [
            {"รหัสอ้างอิง": "area:1", "ระดับ": "ด้าน", "รหัส/เลขที่": "1", "ชื่อ": "ด้านสิ่งแวดล้อม", "ลำดับ": 1},
            {"รหัสอ้างอิง": "obj:1.1", "ระดับ": "เป้าประสงค์/วัตถุประสงค์", "อยู่ภายใต้ (รหัสอ้างอิง)": "area:1",
             "รหัส/เลขที่": "1.1", "ชื่อ": "คลองสะอาด", "ลำดับ": 2}])
        fill(book, "ตัวชี้วัด", [
            {"รหัสอ้างอิง": "okr:1.1.01", "ประเภท": "OKR เขต", "รหัส/เลขที่": "1.1.01", "ชื่อตัวชี้วัด": "ความยาวคลองที่ขุดลอก",
             "องค์ประกอบกรอบยุทธศาสตร์": "obj:1.1", "หน่วยนับ": "กม.", "ฝ่ายที่รายงานผล": "ฝ่ายโยธา",
             "ค่าเป้าหมาย (ตามที่พิมพ์)": "๑๒ กม.", "หน่วยงานสนับสนุน (คั่นด้วย ,)": "สนท.", "ลำดับ": 1},
            {"รหัสอ้างอิง": "pa:1", "ประเภท": "ตัวชี้วัดคำรับรอง", "รหัส/เลขที่": "1", "ชื่อตัวชี้วัด": "ร้อยละความสำเร็จของงาน",
             "หน่วยนับ": "ร้อยละ", "น้ำหนักคะแนน": "๑๐", "ฝ่ายหลัก": "ฝ่ายโยธา", "ลำดับ": 2}])
        fill(book, "ค่าเป้าหมาย", [{"ตัวชี้วัด (รหัสอ้างอิง)": "okr:1.1.01", "ลำดับ": 1, "ค่าเป้าหมาย": "๑๒", "หน่วยนับ": "กม."}])
        fill(book, "ค่าฐาน", [{"ตัวชี้วัด (รหัสอ้างอิง)": "okr:1.1.01", "ปี (พ.ศ.)": 2567, "ค่า": "10", "หน่วยนับ": "กม."}])
        fill(book, "เกณฑ์การให้คะแนน", [{"ตัวชี้วัด (รหัสอ้างอิง)": "pa:1", "ชื่อเกณฑ์": "เกณฑ์การให้คะแนนทดสอบ"}])
        fill(book, "ระดับเกณฑ์", [{"ตัวชี้วัด (รหัสอ้างอิง)": "pa:1", "ระดับ": lv, "เกณฑ์ร้อยละ (ตัวเลข)": 60 + 10 * lv,
                                   "วิธีวัดผล": f"ระดับ {lv}", "คะแนน": 2 * lv} for lv in range(5, 0, -1)])
        fill(book, "เงื่อนไขเกณฑ์", [{"ตัวชี้วัด (รหัสอ้างอิง)": "pa:1", "ระดับ": 5, "ลำดับ": 1, "ชนิด": "เกณฑ์ตัวเลข",
                                     "ตัววัด": "ความสำเร็จ", "เครื่องหมาย": ">=", "ค่า": 100, "หน่วย": "%"}])
        fill(book, "โครงการ", [
            {"รหัสอ้างอิง": "p2:1.1", "ส่วนที่": 2, "ลำดับที่ในตารางสรุป": "1", "เลขที่ในตารางรายละเอียด": "1",
             "ชื่อโครงการ": "โครงการขุดลอกคลองบางกอกน้อย", "งบประมาณ (บาท)": "๑,๕๐๐,๐๐๐", "ฝ่ายที่รับผิดชอบ": "ฝ่ายโยธา",
             "งาน": "งานบำรุงรักษาซ่อมแซม", "รหัสยุทธศาสตร์ (๖ หลัก)": "115037", "รหัสนโยบาย (คั่นด้วยช่องว่าง)": code,
             "องค์ประกอบกรอบยุทธศาสตร์": "obj:1.1", "ลำดับ": 1},
            {"รหัสอ้างอิง": "p3:1.1", "ส่วนที่": 3, "ลำดับที่ในตารางสรุป": "1", "ชื่อโครงการ": "งานรักษาความสะอาดถนน",
             "งบประมาณ (บาท)": 250000, "ฝ่ายที่รับผิดชอบ": "ฝ่ายรักษาความสะอาดและสวนสาธารณะ", "ลำดับ": 2}])
        fill(book, "โครงการกับตัวชี้วัด", [{"โครงการ (รหัสอ้างอิง)": "p2:1.1", "ตัวชี้วัด (รหัสอ้างอิง)": "okr:1.1.01"}])
        fill(book, "ขั้นตอนการดำเนินงาน", [
            {"โครงการ (รหัสอ้างอิง)": "p2:1.1", "ขั้นที่": 1, "ขั้นตอน": "สำรวจคลอง", "น้ำหนัก (ร้อยละ)": 30,
             "เดือนที่ดำเนินการ (๑ = ต.ค. … ๑๒ = ก.ย.)": "1 2"},
            {"โครงการ (รหัสอ้างอิง)": "p2:1.1", "ขั้นที่": 2, "ขั้นตอน": "ขุดลอก", "น้ำหนัก (ร้อยละ)": 70,
             "เดือนที่ดำเนินการ (๑ = ต.ค. … ๑๒ = ก.ย.)": "๓ ๔ ๕"}])
        fill(book, "ยอดรวมที่พิมพ์", [{"ลำดับ": 1, "ส่วนที่": 2, "รายการ": "รวมงบประมาณทั้งสิ้น", "จำนวนเงิน (บาท)": 1500000,
                                     "จำนวนรายการ": 1}])

    client.force_login(planner)
    template = client.get(reverse("plan-workbook-template")).content
    response = upload(client, edit(template, change))
    assert response.context["preview"] is not None and problems(response.context["preview"]) == []
    assert client.post(reverse("plan-import"), {"action": "confirm", "token": response.context["token"]}).status_code == 302

    plan = Plan.objects.get(organization=org, fiscal_year=2568)
    assert Project.objects.get(plan=plan, key="p2:1.1").policy_codes == code
    assert Project.objects.get(plan=plan, key="p2:1.1").division.organization == org
    book = plan_book(plan)
    texts = "\n".join(page_texts(layout("reports/book.html", book)))
    assert "บางกอกน้อย" in texts and "ขุดลอกคลอง" in texts
    assert plan.history.latest().history_change_reason.startswith("นำเข้าจากไฟล์ ")


# -- queries ------------------------------------------------------------------------------

def test_queries_do_not_grow_with_new_rows(real_plan, planner, real_workbook):
    """New rows are written in bulk per sheet (with their history rows): 10 or 60 new
    projects cost the same queries; loading what exists is a constant per sheet."""
    def with_projects(n):
        def change(book):
            ws = book["โครงการ"]
            for i in range(n):
                ws.append([f"new:{n}:{i}", 3, None, None, None, f"โครงการใหม่ {i}", 1000 + i])
        return edit(real_workbook, change)

    counts = {}
    import_workbook(with_projects(1), "x.xlsx", user=planner, dry_run=True)  # warm caches (content types)
    for n in (10, 60):
        with CaptureQueriesContext(connection) as queries:
            preview = import_workbook(with_projects(n), "x.xlsx", user=planner, dry_run=True)
        assert problems(preview) == [] and sum(s.count("new") for s in preview.sheets) == n
        counts[n] = len(queries)
    assert counts[60] == counts[10], counts


def test_the_admin_import_button_leads_planners_to_the_workbook_page(client, cast):
    client.force_login(cast.planner)
    for name in ("admin:indicators_indicator_changelist", "admin:projects_project_changelist"):
        page = client.get(reverse(name)).content.decode()
        assert 'id="plan-workbook-import"' in page and reverse("plan-import") in page
    client.force_login(cast.administrator)
    assert 'id="plan-workbook-import"' not in client.get(reverse("admin:projects_project_changelist")).content.decode()


def test_a_record_changed_by_someone_else_after_the_preview_is_not_overwritten(client, cast, real_workbook):
    """Another planner corrects a project's budget while this one reads the preview of a
    file that changes the same project: the confirmation imports nothing."""
    client.force_login(cast.planner)
    data = edit(real_workbook, lambda b: set_cell(b, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "ชื่อโครงการ", "ชื่อใหม่จากไฟล์"))
    response = upload(client, data)
    token = response.context["token"]
    assert token
    project = Project.objects.get(plan=cast.plan, key="p3:1.1")
    project.budget = 777777
    project._change_reason = "แก้งบประมาณตามหนังสือสำนักงบประมาณ"
    project.save()
    response = client.post(reverse("plan-import"), {"action": "confirm", "token": token})
    assert response.status_code == 409
    project.refresh_from_db()
    assert project.budget == 777777 and project.name != "ชื่อใหม่จากไฟล์"


def test_a_change_the_file_does_not_touch_does_not_stop_the_import(client, cast, real_workbook):
    """A projects-only file; meanwhile someone edits an indicator: the import goes ahead.
    (Had they edited any project, even one the file leaves as it was, the file would have
    put the old values back, so that stops it.)"""
    def projects_only(book):
        set_cell(book, "โครงการ", "รหัสอ้างอิง", "p3:1.1", "ชื่อโครงการ", "ชื่อใหม่จากไฟล์")
        for ws in list(book.worksheets):
            if ws.title not in ("แผน", "โครงการ"):
                book.remove(ws)

    client.force_login(cast.planner)
    token = upload(client, edit(real_workbook, projects_only)).context["token"]
    assert token
    indicator = Indicator.objects.get(plan=cast.plan, key="okr:4.1.10")
    indicator.notes = "บันทึกของผู้จัดทำแผนอีกคน"
    indicator.save()
    assert client.post(reverse("plan-import"), {"action": "confirm", "token": token}).status_code == 302
    assert Project.objects.get(plan=cast.plan, key="p3:1.1").name == "ชื่อใหม่จากไฟล์"
