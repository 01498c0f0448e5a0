"""The document's disagreements that no computed comparison sees, kept as records
(plans.Discrepancy): loaded from the seed files with their subjects, refused with fewer
than two places or an unknown subject, and carried through the plan workbook."""

from __future__ import annotations

import io
import re
import textwrap

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from accounts import roles
from indicators.models import Indicator
from plandoc.loader import PlanLoadError, load_plan_directory
from plandoc.workbook import DisagreementSheet, export_workbook, import_workbook
from plans.models import Discrepancy, Plan, StrategyNode, Variant
from projects.models import Project
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SHEET = DisagreementSheet.name


def squash(text) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def subject_key(d: Discrepancy) -> str | None:
    return getattr(d.subject, "key", None) if d.object_id else None


def records(plan) -> list[tuple]:
    """The plan's disagreements by keys and printed values, without database ids."""
    return [(d.order, d.category, d.severity, subject_key(d), d.what, tuple((p["where"], p["value"]) for p in d.places),
             d.notes) for d in Discrepancy.objects.filter(plan=plan).prefetch_related("subject")]


# -- the real plan ------------------------------------------------------------------------

def test_the_real_plan_keeps_its_disagreements_with_their_subjects(real_plan):
    found = list(Discrepancy.objects.filter(plan=real_plan))
    assert len(found) == 40
    # Every kind the plan check could not see before is there.
    assert {d.category for d in found} == {"amount", "count", "code", "target", "name", "formula",
                                           "date", "reference"}
    assert [d.order for d in found] == sorted(d.order for d in found)
    assert all(len(d.places) >= 2 for d in found)
    # Names written two ways are warnings; a number that differs is an error.
    assert {d.severity for d in found if d.category in ("amount", "count", "target", "schedule", "formula", "date")} \
        <= {"error", "warning"}
    assert {d.severity for d in found if d.category in ("amount", "date")} == {"error"}
    # A formula whose text may have been garbled by the PDF's extraction is only a warning.
    assert Discrepancy.objects.get(plan=real_plan, category="formula", what="สูตรคำนวณกับค่าเป้าหมายร้อยละ").severity == "warning"

    # Table ก's welfare budget exists only inside a text: now a record on the Part 1 project.
    welfare = Discrepancy.objects.get(plan=real_plan, category="amount")
    assert welfare.subject == Project.objects.get(plan=real_plan, key="p1:2")
    assert [p["value"] for p in welfare.places] == ["๑,๓๘๕,๐๐๐", "๑,๓๘๕,๐๐๐", "งบประมาณ ๔๘๕,๕๐๐ บาท (งบรายจ่ายอื่น)"]
    assert welfare.severity == "error"

    # A schedule whose text names another month than its ↔ column (table จ, steps 9 and 10)
    # is computed by the check (plandoc.compare.month_disagreements), so it is not recorded.
    assert not Discrepancy.objects.filter(plan=real_plan, category="schedule").exists()

    # Subjects of every kind resolve: an indicator, a framework-free project of Part 3, none.
    kinds = {type(d.subject) for d in found if d.object_id}
    assert kinds == {Project, Indicator, StrategyNode}
    assert Discrepancy.objects.filter(plan=real_plan, object_id__isnull=True).count() == 5  # two names, three titles

    # What became a record left the transcriber's notes.
    welfare_kpi = Indicator.objects.get(plan=real_plan, key="kpi:3.1.1.4")
    assert "๔๘๕,๕๐๐" not in welfare_kpi.notes
    assert "no separate หลักฐาน" in welfare_kpi.notes  # the rest stays


def test_no_record_repeats_what_the_loader_keeps_as_a_variant(real_plan):
    """A disagreement already kept as a variant (the same record's field printed differently
    in another table) is found by the computed check; recording it again is noise."""
    printed: dict[tuple, set[str]] = {}
    for v in Variant.objects.filter(plan=real_plan).prefetch_related("target"):
        values = printed.setdefault((v.content_type_id, v.object_id, v.field), set())
        values.add(squash(v.value))
        stored = getattr(v.target, v.field, None)
        if isinstance(stored, (str, int)) or stored is None:
            values.add(squash(stored))
    for d in Discrepancy.objects.filter(plan=real_plan, object_id__isnull=False):
        mine = {squash(p["value"]) for p in d.places}
        for (ct, pk, field), values in printed.items():
            if (ct, pk) == (d.content_type_id, d.object_id):
                assert not mine <= values, f"{d.what} ({subject_key(d)}) repeats the variant of {field}"


def test_clean_refuses_a_disagreement_with_fewer_than_two_places(real_plan):
    one = Discrepancy(plan=real_plan, category="amount", what="งบประมาณโครงการ",
                      places=[{"where": "ส่วนที่ ๑ สรุปโครงการ ลำดับที่ ๒", "value": "๑,๓๘๕,๐๐๐"}])
    with pytest.raises(ValidationError) as refused:
        one.full_clean()
    assert "at least two places" in str(refused.value.message_dict["places"])
    nameless = Discrepancy(plan=real_plan, category="amount", what="งบประมาณโครงการ",
                           places=[{"where": "ส่วนที่ ๑", "value": "๑"}, {"where": "", "value": "๒"}])
    with pytest.raises(ValidationError) as refused:
        nameless.full_clean()
    assert "where" in str(refused.value.message_dict["places"])
    two = Discrepancy(plan=real_plan, category="amount", what="งบประมาณโครงการ",
                      places=[{"where": "ส่วนที่ ๑", "value": "๑"}, {"where": "ตาราง ก", "value": "๒"}])
    two.full_clean()


def test_the_message_is_thai_in_the_admin_language():
    from django.utils import translation

    with translation.override("th"):
        one = Discrepancy(category="amount", what="x", places=[{"where": "ก", "value": "๑"}])
        with pytest.raises(ValidationError) as refused:
            one.clean()
    assert "อย่างน้อยสองแห่ง" in str(refused.value)


# -- the seed format --------------------------------------------------------------------------

PLAN_YAML = """
organization: {short_name: สนข.ทดสอบข้อขัดแย้ง, name: สำนักงานเขตทดสอบข้อขัดแย้ง, kind: district}
fiscal_year: 2567
title: แผนทดสอบ
divisions:
  - {key: div:1, name: ฝ่ายโยธา}
"""

PART2_YAML = """
source: ส่วนที่ ๒
nodes:
  - {key: area:1, level: development_area, code: "1", title: เดินทางดี}
projects:
  - {key: p2:1.1, section: 2, number: "1", name: ทางจักรยาน, budget: null, budget_text: "-", division: div:1}
disagreements:
  - category: unit
    subject: p2:1.1
    what: หน่วยนับของตัววัดผลกับ KPI โครงการ
    places:
      - {where: ตาราง ง แถวทางจักรยาน ช่องหน่วยนับ, value: เส้นทาง}
      - {where: ตาราง ง แถวทางจักรยาน ช่อง KPI โครงการ, value: ๑๐ กม.}
"""

SUMMARY_YAML = """
source: สาระสำคัญของแผน
indicators:
  - {{key: okr:1.1.01, kind: okr, code: "1.1.01", name: จำนวนจุด, node: area:1}}
disagreements:
  - category: name
    severity: warning
    subject: {subject}
    what: ชื่อตัวชี้วัด
    places:
      - {{where: สาระสำคัญ, value: จำนวนจุด}}
      - {{where: ส่วนที่ ๒, value: จำนวนจุดต่าง ๆ}}
    notes: ตัวชี้วัดนี้สร้างจากไฟล์ที่อ่านทีหลัง
  - category: count
    what: จำนวนชุมชน
    places:
      - {{where: สาระสำคัญ, value: "๒๐๐๙"}}
      - {{where: ตาราง ค, value: "๒,๐๑๐"}}
"""


def seed(tmp_path, subject="okr:1.1.01"):
    (tmp_path / "plan.yaml").write_text(textwrap.dedent(PLAN_YAML), encoding="utf-8")
    (tmp_path / "part2.yaml").write_text(textwrap.dedent(PART2_YAML), encoding="utf-8")
    (tmp_path / "summary.yaml").write_text(SUMMARY_YAML.format(subject=subject), encoding="utf-8")
    return tmp_path


def test_the_loader_stores_disagreements_in_document_order_with_resolved_subjects(tmp_path):
    result = load_plan_directory(seed(tmp_path))
    assert result.counts["disagreements"] == 3
    first, second, third = Discrepancy.objects.filter(plan=result.plan)
    assert (first.order, first.category, first.severity) == (1, "unit", "error")  # severity defaults to error
    assert first.subject == Project.objects.get(plan=result.plan, key="p2:1.1")
    assert first.places == [{"where": "ตาราง ง แถวทางจักรยาน ช่องหน่วยนับ", "value": "เส้นทาง"},
                            {"where": "ตาราง ง แถวทางจักรยาน ช่อง KPI โครงการ", "value": "๑๐ กม."}]
    # The subject is made by a later file than the one naming it (summary.yaml loads last).
    assert second.subject == Indicator.objects.get(plan=result.plan, key="okr:1.1.01")
    assert (second.severity, second.notes) == ("warning", "ตัวชี้วัดนี้สร้างจากไฟล์ที่อ่านทีหลัง")
    assert third.subject is None and third.content_type is None
    # Its history says where it came from, like every loaded row.
    assert first.history.first().history_change_reason == f"นำเข้าจากไฟล์ {tmp_path.name}/part2.yaml"


def test_an_unknown_subject_key_stops_the_load_naming_file_and_key(tmp_path):
    with pytest.raises(PlanLoadError) as refused:
        load_plan_directory(seed(tmp_path, subject="okr:9.9.99"))
    assert any("summary.yaml" in p and "'okr:9.9.99'" in p for p in refused.value.problems), refused.value.problems
    assert not Plan.objects.filter(organization__short_name="สนข.ทดสอบข้อขัดแย้ง").exists()  # all or nothing


def test_a_disagreement_with_one_place_or_an_unknown_category_stops_the_load(tmp_path):
    seed(tmp_path)
    text = (tmp_path / "summary.yaml").read_text(encoding="utf-8")
    text = text.replace("category: count", "category: spelling").replace('      - {where: ตาราง ค, value: "๒,๐๑๐"}\n', "")
    (tmp_path / "summary.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PlanLoadError) as refused:
        load_plan_directory(tmp_path)
    problems = "\n".join(refused.value.problems)
    assert "unknown category 'spelling'" in problems
    assert "at least two places" in problems


# -- the workbook --------------------------------------------------------------------------

@pytest.fixture
def planner(real_plan):
    return make_user("planner", roles.PLANNER, real_plan.organization)


def sheet_rows(data):
    ws = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, (c.value for c in row), strict=False)) for row in ws.iter_rows(min_row=2)]


def problems(preview):
    out = list(preview.errors)
    for sheet in preview.sheets:
        out += [f"{sheet.name}: {e}" for e in sheet.errors]
        out += [f"{sheet.name} row {r.number}: {c}: {m}" for r in sheet.rows for c, m in r.errors]
    return out


def test_the_workbook_sheet_round_trips_the_real_plans_disagreements(real_plan, planner):
    before = records(real_plan)
    data = export_workbook(real_plan)
    header, rows = sheet_rows(data)
    assert len(rows) == 40
    welfare = next(r for r in rows if r["หมวด"] == "จำนวนเงิน")
    assert (welfare["ชนิดของรายการที่เกี่ยวข้อง"], welfare["รหัสอ้างอิง"]) == ("โครงการ", "p1:2")
    assert welfare["ค่าที่พิมพ์ 3"] == "งบประมาณ ๔๘๕,๕๐๐ บาท (งบรายจ่ายอื่น)"
    # The instructions explain the sheet.
    instructions = openpyxl.load_workbook(io.BytesIO(data))["คำอธิบาย"]
    assert any(SHEET in str(c.value) for c in instructions["A"])

    Discrepancy.objects.filter(plan=real_plan).delete()
    preview = import_workbook(data, "plan-2567.xlsx", user=planner, dry_run=False)
    assert problems(preview) == []
    outcome = next(s for s in preview.sheets if s.name == SHEET)
    assert [r.action for r in outcome.rows] == ["new"] * 40
    assert records(real_plan) == before

    # Importing the same file again changes nothing.
    again = import_workbook(data, "plan-2567.xlsx", user=planner, dry_run=False)
    assert {r.action for r in next(s for s in again.sheets if s.name == SHEET).rows} == {"skip"}


def edited(data, change):
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book[SHEET])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(ws, row, header):
    col = next(c.column for c in ws[1] if c.value == header)
    return ws.cell(row=row, column=col)


def test_a_planner_adds_a_disagreement_in_the_workbook(real_plan, planner):
    def add(ws):
        row = ws.max_row + 1
        for header, value in {"ลำดับ": "๔๒", "หมวด": "ค่าเป้าหมาย", "ความร้ายแรง": "ข้อผิดพลาด",
                              "ชนิดของรายการที่เกี่ยวข้อง": "ตัวชี้วัด", "รหัสอ้างอิง": "okr:1.1.03",
                              "สิ่งที่พิมพ์ไม่ตรงกัน": "จำนวนดวงไฟ", "ที่พิมพ์ 1": "ส่วนที่ ๒ OKR ๑.๑.๐๓",
                              "ค่าที่พิมพ์ 1": "๑๐,๕๐๐ ดวง", "ที่พิมพ์ 2": "ตาราง ง", "ค่าที่พิมพ์ 2": "๗๐ ดวง"}.items():
            cell(ws, row, header).value = value

    preview = import_workbook(edited(export_workbook(real_plan), add), "เพิ่ม.xlsx", user=planner, dry_run=False)
    assert problems(preview) == []
    added = Discrepancy.objects.get(plan=real_plan, order=42)
    assert (added.category, added.severity, added.what) == ("target", "error", "จำนวนดวงไฟ")
    assert added.subject == Indicator.objects.get(plan=real_plan, key="okr:1.1.03")
    assert added.places == [{"where": "ส่วนที่ ๒ OKR ๑.๑.๐๓", "value": "๑๐,๕๐๐ ดวง"}, {"where": "ตาราง ง", "value": "๗๐ ดวง"}]
    assert added.history.first().history_change_reason  # the file is the reason


def test_workbook_rows_with_one_place_or_an_unknown_record_are_refused(real_plan, planner):
    def spoil(ws):
        cell(ws, 2, "ที่พิมพ์ 2").value = None
        cell(ws, 2, "ค่าที่พิมพ์ 2").value = None
        cell(ws, 3, "รหัสอ้างอิง").value = "p9:9"
        cell(ws, 3, "ชนิดของรายการที่เกี่ยวข้อง").value = "โครงการ"
        cell(ws, 4, "หมวด").value = "สะกด"

    before = records(real_plan)
    preview = import_workbook(edited(export_workbook(real_plan), spoil), "ผิด.xlsx", user=planner, dry_run=False)
    errors = problems(preview)
    assert any("row 2: ที่พิมพ์ 1: A disagreement needs at least two places" in e for e in errors), errors
    assert any("row 3: รหัสอ้างอิง: No project «p9:9»" in e for e in errors), errors
    assert any("row 4: หมวด: «สะกด» is not one of the choices" in e for e in errors), errors
    assert records(real_plan) == before  # all or nothing


def test_the_planner_sees_the_disagreements_in_the_admin(client, cast):
    from django.urls import reverse

    client.force_login(cast.planner)
    url = reverse("admin:plans_discrepancy_changelist")
    assert client.get(url).status_code == 200
    found = Discrepancy.objects.filter(plan=cast.plan).first()
    page = client.get(reverse("admin:plans_discrepancy_change", args=[found.pk]))
    assert page.status_code == 200
    assert found.what in page.content.decode()


def test_the_planner_edits_a_disagreement_by_key_and_lines_in_the_admin(client, cast):
    from django.urls import reverse

    from tests.admin_forms import form_data

    client.force_login(cast.planner)
    record = Discrepancy.objects.get(plan=cast.plan, category="amount")
    url = reverse("admin:plans_discrepancy_change", args=[record.pk])
    page = client.get(url)
    # The places are lines «where | value», the subject its key: what the planner reads in the book.
    assert "ส่วนที่ ๑ สรุปโครงการ ลำดับที่ ๒ | ๑,๓๘๕,๐๐๐" in page.content.decode()
    assert page.context["adminform"].form["subject_key"].value() == "p1:2"

    lines = "ส่วนที่ ๑ สรุปโครงการ ลำดับที่ ๒ | ๑,๓๘๕,๐๐๐\nส่วนที่ ๔ ตาราง ก KPI ๓.๑.๑.๔ | ๔๘๕,๕๐๐ บาท\n"
    response = client.post(url, form_data(page, subject_key="kpi:3.1.1.4", places=lines, change_reason="ตรวจทาน"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    record.refresh_from_db()
    assert record.subject == Indicator.objects.get(plan=cast.plan, key="kpi:3.1.1.4")
    assert record.places == [{"where": "ส่วนที่ ๑ สรุปโครงการ ลำดับที่ ๒", "value": "๑,๓๘๕,๐๐๐"},
                             {"where": "ส่วนที่ ๔ ตาราง ก KPI ๓.๑.๑.๔", "value": "๔๘๕,๕๐๐ บาท"}]
    assert record.history.first().history_change_reason == "ตรวจทาน"

    page = client.get(url)
    refused = client.post(url, form_data(page, subject_key="p9:9", places="ส่วนที่ ๑ | ๑", change_reason="ลอง"))
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "อย่างน้อยสองแห่ง" in str(errors["places"])
    assert "p9:9" in str(errors["subject_key"])
    record.refresh_from_db()
    assert len(record.places) == 2
