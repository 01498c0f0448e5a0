"""Formula injection (issue 12): text a user typed that starts like a formula comes back
from every spreadsheet kpiplan writes as inert text, never as a live formula: the
progress sheet, the quarterly and table ค workbooks, the plan workbook and the admin's
XLSX and CSV exports. Real negative numbers stay numbers; an admin CSV export imports
back unchanged."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Baseline, Indicator
from plandoc import workbook
from plans.models import Period
from progress import sheet as cols
from progress.models import ProgressEntry
from progress.services import entry_submit
from projects.models import Project

pytestmark = pytest.mark.django_db

CALC = "=cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+cmd|' /C notepad'!A0"


def inert_in_xlsx(data: bytes, text: str) -> int:
    """How many cells hold `text`; each must be a string cell, and no sheet of the file
    has a formula at all."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >]", archive.read(name)), name
    found = 0
    for ws in openpyxl.load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == text:
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    found += 1
    return found


def admin_export(client, model: str, file_format: str) -> bytes:
    """POST the admin's export form with every column ticked; file_format "csv" or "xlsx"."""
    url = reverse(f"admin:{model}_export")
    form = client.get(url).context["form"]
    choice = next(value for value, label in form.fields["format"].choices if str(label).lower() == file_format)
    prefix = form.resources[0].__name__.lower() + "_"
    response = client.post(url, {"format": choice, **{name: "on" for name in form.fields if name.startswith(prefix)}})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment"), response.content[:300]
    return response.content


def csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


@pytest.fixture
def imported_narrative(client, cast):
    """ฝ่ายโยธา's staff import CALC as December's narrative of okr:1.4.06 through the
    progress sheet page, then submit the report."""
    december = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([cols.KIND, cols.CODE, cols.DIVISION, cols.PERIOD, cols.VALUE, cols.NARRATIVE])
    ws.append(["ตัวชี้วัด", "okr:1.4.06", "ฝ่ายโยธา", "ธันวาคม 2566", "120", None])
    ws["F2"].value = CALC
    ws["F2"].data_type = "s"  # typed as text, as Excel stores '=... (a formula would bring its computed value)
    out = io.BytesIO()
    book.save(out)
    client.force_login(cast.staff)
    url = f"{reverse('progress:import')}?period={december.pk}"
    token = client.post(url, {"file": SimpleUploadedFile("ผล.xlsx", out.getvalue())}).context["token"]
    assert client.post(url, {"token": token, "action": "confirm"}).status_code == 302
    entry = ProgressEntry.objects.get(period=december, indicator__key="okr:1.4.06")
    assert entry.narrative == CALC
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    return december


def test_the_progress_sheet_gives_it_back_as_text(client, cast, imported_narrative):
    client.force_login(cast.staff)
    response = client.get(reverse("progress:sheet"), {"period": imported_narrative.pk})
    assert inert_in_xlsx(response.content, CALC) == 1


def test_the_quarterly_workbook_gives_it_back_as_text(client, cast, imported_narrative):
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.planner)
    response = client.get(reverse("reports:quarterly-xlsx"), {"plan": cast.plan.pk, "period": quarter.pk})
    assert response.status_code == 200
    assert inert_in_xlsx(response.content, CALC) == 1


def test_the_admin_progress_exports_give_it_back_as_text(client, cast, imported_narrative):
    client.force_login(cast.administrator)
    assert inert_in_xlsx(admin_export(client, "progress_progressentry", "xlsx"), CALC) == 1
    cells = csv_cells(admin_export(client, "progress_progressentry", "csv"))
    assert "'" + CALC in cells and CALC not in cells


@pytest.fixture
def planted_plan_text(cast):
    """A planner typed formula-looking text into plan data; a baseline is negative."""
    project = Project.objects.filter(plan=cast.plan).order_by("pk").first()
    Project.objects.filter(pk=project.pk).update(name=AT)
    Indicator.objects.filter(plan=cast.plan, kind="agreement", code="1.1.1").update(name=PLUS)
    baseline = Baseline.objects.filter(indicator__plan=cast.plan).order_by("pk").first()
    Baseline.objects.filter(pk=baseline.pk).update(value=Decimal("-3"))
    return project, baseline


def test_the_plan_workbook_and_the_admin_xlsx_export_keep_text_as_text_and_numbers_as_numbers(client, cast, planted_plan_text):
    client.force_login(cast.planner)
    plan_book = client.get(reverse("plan-workbook", args=[cast.plan.pk])).content
    assert inert_in_xlsx(plan_book, AT) == 1 and inert_in_xlsx(plan_book, PLUS) == 1
    assert inert_in_xlsx(admin_export(client, "projects_project", "xlsx"), AT) == 1
    baselines = openpyxl.load_workbook(io.BytesIO(admin_export(client, "indicators_baseline", "xlsx"))).active
    negative = [c for row in baselines.iter_rows() for c in row if c.value == -3]
    assert negative and all(c.data_type == "n" for c in negative)


def test_the_admin_csv_export_quotes_formula_text_leaves_negative_numbers_and_imports_back_unchanged(
        client, cast, planted_plan_text):
    client.force_login(cast.planner)
    projects = admin_export(client, "projects_project", "csv")
    cells = csv_cells(projects)
    assert "'" + AT in cells and AT not in cells
    assert "-3" in csv_cells(admin_export(client, "indicators_baseline", "csv"))
    preview = workbook.import_workbook(projects, "projects.csv", user=cast.planner, dry_run=True, plan=cast.plan)
    rows = [r for s in preview.sheets for r in s.rows]
    assert not preview.has_errors and rows and {r.action for r in rows} == {"skip"}


def test_table_c_gives_it_back_as_text(client, cast, planted_plan_text):
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.planner)
    response = client.get(reverse("reports:scorecard-xlsx"), {"plan": cast.plan.pk, "period": quarter.pk})
    assert response.status_code == 200
    assert inert_in_xlsx(response.content, PLUS) == 1


def test_every_admin_export_offers_only_the_inert_formats():
    from django.contrib import admin
    from import_export.admin import ExportMixin

    from kpiplan.admin_base import EXPORT_FORMATS

    exporting = [a for a in admin.site._registry.values() if isinstance(a, ExportMixin)]
    assert exporting and all(a.get_export_formats() == EXPORT_FORMATS for a in exporting)
