"""Where the plan workbook asks for the organization (the «แผน» sheet's short name and
code), a planner is told theirs: on the import page and filled in the empty template."""

import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from plandoc.workbook import PLAN_SHEET

pytestmark = pytest.mark.django_db


def test_the_import_page_names_the_planners_short_name_and_code(client, cast):
    client.force_login(cast.other_planner)
    page = client.get("/plans/import/").content.decode()
    assert "ชื่อย่อหน่วยงานคือ <strong>สนข.บางแค</strong> รหัสหน่วยงานคือ <strong>50400000</strong>" in page


def test_the_empty_template_offers_the_planners_organization_where_the_plan_sheet_asks_for_it(client, cast):
    client.force_login(cast.other_planner)
    response = client.get("/plans/workbook-template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[PLAN_SHEET]
    header = [c.value for c in sheet[1]]
    short_name_cell = f"{get_column_letter(header.index('ชื่อย่อหน่วยงาน') + 1)}2"
    code_cell = f"{get_column_letter(header.index('รหัสหน่วยงาน (๘ หลัก)') + 1)}2"
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    # Its drop-down offers every name the import accepts for the organization.
    assert rules[short_name_cell].formula1 == '"สนข.บางแค,สำนักงานเขตบางแค,50400000"'
    assert "สนข.บางแค" in rules[short_name_cell].prompt
    assert "50400000" in rules[code_cell].prompt
    # The row is filled with them already; the planner adds the year and the title to it.
    assert sheet.max_row == 2
    assert (sheet[short_name_cell].value, sheet[code_cell].value) == ("สนข.บางแค", "50400000")
