"""The planner admin's export of plan data is the workbook sheet: Thai columns in the
sheet's order, keys instead of ids, the planner's organization only, and it imports
back unchanged through the workbook import."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from plandoc import resources, workbook
from projects.models import Project
from tests.factories import IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # import-export's default export formats: CSV, XLSX, TSV, ...


def admin_export(client, model: str, file_format=XLSX, query: str = "") -> bytes:
    """POST the admin's export form with every column ticked."""
    url = reverse(f"admin:{model}_export") + query
    form = client.get(url).context["form"]
    data = {"format": file_format, **{name: "on" for name in form.fields
                                      if name.startswith(form.resources[0].__name__.lower() + "_")}}
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    if "Content-Disposition" not in response:
        from django.contrib.messages import get_messages
        raise AssertionError((response.context["form"].errors, [str(m) for m in get_messages(response.wsgi_request)]))
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


def xlsx_rows(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return ws.title, rows[0], rows[1:]


def headers(spec_class):
    return [c.header for c in spec_class.columns]


@pytest.fixture
def other_orgs_data(cast):
    IndicatorFactory(plan=cast.other_plan, key="okr:other", name="ตัวชี้วัดของบางแค")
    ProjectFactory(plan=cast.other_plan, key="p:other", name="โครงการของบางแค")


def test_every_planner_admin_of_plan_data_exports_its_workbook_sheet():
    from django.contrib import admin

    by_model = {r.Meta.model: r for r in vars(resources).values()
                if isinstance(r, type) and issubclass(r, resources.SheetResource) and r is not resources.SheetResource}
    for spec in workbook.SHEETS:
        if spec.model in by_model:
            assert admin.site._registry[spec.model].resource_classes == [by_model[spec.model]], spec.name
    assert len(by_model) == 17  # 16 + the disagreements in the document (plans.Discrepancy)


def test_indicators_export_has_the_sheet_columns_and_only_our_rows(client, cast, other_orgs_data):
    client.force_login(cast.planner)
    title, header, rows = xlsx_rows(admin_export(client, "indicators_indicator"))
    assert title == workbook.IndicatorSheet.name
    assert list(header) == headers(workbook.IndicatorSheet)
    keys = [r[0] for r in rows]
    assert len(keys) == Indicator.objects.filter(plan__organization=cast.org).count() == 76
    assert "okr:other" not in keys
    assert "ตัวชี้วัดของบางแค" not in {r[3] for r in rows}
    # The workbook's own rows, in its order, with its cell values (Thai choices, keys).
    expected = workbook.IndicatorSheet().export_rows(cast.plan)
    assert keys == [r["key"] for r in expected]
    kinds = {r[1] for r in rows}
    assert kinds <= set(workbook.INDICATOR_KINDS.values())

    client.force_login(cast.other_planner)
    _title, _header, rows = xlsx_rows(admin_export(client, "indicators_indicator"))
    assert [r[0] for r in rows] == ["okr:other"]


def test_projects_export_as_csv_has_the_sheet_columns_and_only_our_rows(client, cast, other_orgs_data):
    client.force_login(cast.planner)
    data = admin_export(client, "projects_project", CSV)
    assert data.startswith("\ufeff".encode())  # Excel reads the Thai text as UTF-8
    text = data.decode("utf-8-sig")
    reader = list(csv.reader(io.StringIO(text)))
    assert reader[0] == headers(workbook.ProjectSheet)
    keys = [r[0] for r in reader[1:]]
    assert len(keys) == Project.objects.filter(plan=cast.plan).count() == 95
    assert "p:other" not in keys and "โครงการของบางแค" not in text
    budgets = {r[0]: r[6] for r in reader[1:]}
    project = Project.objects.filter(plan=cast.plan, budget__gt=0).exclude(key="").first()
    assert Decimal(budgets[project.key]) == project.budget  # a plain number, no separators, re-readable


@pytest.mark.parametrize("model,file_format", [
    ("indicators_indicator", XLSX), ("projects_project", XLSX), ("projects_project", CSV),
    ("indicators_indicatortarget", XLSX), ("indicators_rubriccondition", XLSX), ("projects_workstep", XLSX),
    ("plans_strategynode", XLSX), ("plans_printedtotal", XLSX), ("plans_variant", XLSX), ("plans_division", XLSX),
    ("plans_workgroup", XLSX), ("projects_keyresultlink", XLSX),
])
def test_the_export_imports_back_unchanged(client, cast, other_orgs_data, model, file_format):
    client.force_login(cast.planner)
    data = admin_export(client, model, file_format)
    filename = f"{model}.{'csv' if file_format == CSV else 'xlsx'}"
    preview = workbook.import_workbook(data, filename, user=cast.planner, dry_run=True, plan=cast.plan)
    assert not preview.has_errors, [(s.name, s.errors, [r for r in s.rows if r.errors][:3]) for s in preview.sheets]
    rows = [r for s in preview.sheets for r in s.rows]
    assert rows and {r.action for r in rows} == {"skip"}


def test_a_filtered_export_of_totals_keeps_their_positions(client, cast):
    client.force_login(cast.planner)
    _title, header, rows = xlsx_rows(admin_export(client, "plans_printedtotal", query="?section__exact=3"))
    whole = workbook.TotalSheet().export_rows(cast.plan)
    assert rows and [r[0] for r in rows] == [t["position"] for t in whole if t["section"] == 3]
    preview = workbook.import_workbook(_book(header, rows, workbook.TotalSheet.name), "t.xlsx", user=cast.planner,
                                       plan=cast.plan)
    assert {r.action for s in preview.sheets for r in s.rows} == {"skip"}


def _book(header, rows, title, extra=None) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    if extra:
        notes = book.create_sheet(extra[0])
        for row in extra[1:]:
            notes.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_unknown_sheet_is_a_warning_and_the_import_still_runs(client, cast):
    client.force_login(cast.planner)
    title, header, rows = xlsx_rows(admin_export(client, "indicators_indicator"))
    changed = next(r for r in rows if r[0] and r[3])
    changed[3] = changed[3] + " (แก้ไข)"
    data = _book(header, rows, title, extra=("บันทึกของฉัน", ["เรื่อง", "ผู้รับผิดชอบ"], ["โทรหาฝ่ายโยธา", "สมชาย"]))

    preview = workbook.import_workbook(data, "indicators.xlsx", user=cast.planner, dry_run=False, plan=cast.plan)
    assert not preview.has_errors
    notes = next(s for s in preview.sheets if s.name == "บันทึกของฉัน")
    assert notes.warnings == ["แผ่นงาน «บันทึกของฉัน» ไม่ใช่แผ่นงานของแผน (ชื่อแผ่นงานและหัวคอลัมน์ไม่ตรงกับแบบฟอร์ม) "
                              "จึงไม่ได้นำเข้า"]
    assert not notes.errors and not notes.rows
    sheet = next(s for s in preview.sheets if s.name == workbook.IndicatorSheet.name)
    assert sheet.count("update") == 1 and sheet.count("skip") == len(rows) - 1
    assert Indicator.objects.get(plan=cast.plan, key=changed[0]).name == changed[3]

    # The page shows the warning and offers the import.
    page = client.post(reverse("plan-import"), {"file": _upload(data), "plan": cast.plan.pk, "action": "preview"})
    html = page.content.decode()
    assert "ไม่ใช่แผ่นงานของแผน" in html and 'id="confirm-import"' in html


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("indicators.xlsx", data)


@pytest.mark.parametrize("model", ["projects_project", "indicators_indicator"])
def test_the_admin_export_costs_the_same_queries_for_more_rows(client, cast, model):
    client.force_login(cast.planner)
    url = reverse(f"admin:{model}_export")
    form = client.get(url).context["form"]
    data = {"format": XLSX, **{name: "on" for name in form.fields
                               if name.startswith(form.resources[0].__name__.lower() + "_")}}

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.post(url, data).status_code == 200
        return len(queries)

    before = count()
    for i in range(5):
        if model == "projects_project":
            ProjectFactory(plan=cast.plan, key=f"p:extra{i}", division=cast.division)
        else:
            IndicatorFactory(plan=cast.plan, key=f"okr:extra{i}", division=cast.division)
    assert count() == before


def test_text_that_looks_like_a_formula_is_exported_as_text_and_comes_back_the_same(client, cast):
    from projects.models import Project

    project = Project.objects.get(plan=cast.plan, key="p3:1.1")
    project.name = '=HYPERLINK("http://example.com","คลิก")'
    project.save()
    client.force_login(cast.planner)
    data = admin_export(client, "projects_project")
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    assert not any(cell.data_type == "f" for row in ws.iter_rows() for cell in row)
    preview = workbook.import_workbook(data, "projects.xlsx", user=cast.planner, dry_run=True, plan=cast.plan)
    assert not preview.has_errors and {r.action for s in preview.sheets for r in s.rows} == {"skip"}
