"""The Excel versions of table ค and the quarterly report, read back with openpyxl as a
user's Excel would: title lines, Thai words, numbers that stay numbers with thousands
separators, bold totals equal to the sum of their lines, a frozen header."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.calculations import Status
from indicators.models import Indicator
from plans.models import Period
from progress.demo import add_demo_quarter
from progress.scorecard import build_scorecard
from progress.services import assessment_save
from reports.builders import quarterly_progress

pytestmark = pytest.mark.django_db

HEADER_ROW = 6  # four title lines, a blank line, the header
RAW_STATUSES = {s.value for s in Status}
THAI_STATUSES = {"เป็นไปตามแผน", "มีความเสี่ยง", "ล่าช้ากว่าแผน", "ยังไม่รายงาน", "ไม่มีค่าเป้าหมายที่วัดได้"}


@pytest.fixture
def quarter(real_plan):
    return Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)


def _download(client, name, params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response, load_workbook(BytesIO(response.content))


def _table(ws):
    """{header: column letter}, and the data rows as lists of cells."""
    header = {c.value: c.column_letter for c in ws[HEADER_ROW] if c.value}
    return header, [list(row) for row in ws.iter_rows(min_row=HEADER_ROW + 1)]


def _number(cell) -> Decimal:
    assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), (cell.coordinate, cell.value)
    return Decimal(str(cell.value))


def _col(header, name):
    return ord(header[name]) - ord("A")


# -- table ค -----------------------------------------------------------------------------

@pytest.fixture
def reported_quarter(cast, quarter, roads_and_drains_reported):
    """ฝ่ายโยธา's quarter of 1.1.1 and 1.1.3; the planner self-assesses 1.1.1."""
    roads, _drains = roads_and_drains_reported
    roads = Indicator.objects.select_related("rubric").prefetch_related("rubric__levels__conditions").get(pk=roads.pk)
    assessment_save(user=cast.planner, indicator=roads, period=quarter, kind="self", measures={}, confirmed=[],
                    comment="", version=0)
    return quarter


def test_scorecard_workbook_opens_with_the_reports_titles(client, cast, reported_quarter):
    client.force_login(cast.planner)
    _response, wb = _download(client, "reports:scorecard-xlsx", {"plan": cast.plan.pk, "period": reported_quarter.pk})
    ws = wb["ตาราง ค"]
    assert ws["A1"].value == "สำนักงานเขตภาษีเจริญ" and ws["A1"].font.b
    assert ws["A2"].value.startswith("ตาราง ค ตัวชี้วัดและภารกิจจากการเจรจาตกลง") and "พ.ศ. ๒๕๖๗" in ws["A2"].value
    assert ws["A3"].value == "ไตรมาสที่ ๑ (ตุลาคม - ธันวาคม ๒๕๖๖)"
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"  # the header stays in view
    assert ws[f"A{HEADER_ROW}"].value == "ที่" and ws[f"A{HEADER_ROW}"].font.b
    assert ws.column_dimensions["B"].width >= 40


def test_scorecard_workbook_carries_the_quarters_results_and_totals(client, cast, reported_quarter):
    client.force_login(cast.planner)
    _response, wb = _download(client, "reports:scorecard-xlsx", {"plan": cast.plan.pk, "period": reported_quarter.pk})
    header, rows = _table(wb["ตาราง ค"])
    card = build_scorecard(cast.plan, reported_quarter)
    lines, total = rows[:-1], rows[-1]
    assert [r[0].value for r in lines] == [r.indicator.code for r in card.rows]
    by_code = {r[0].value: r for r in lines}
    result = _col(header, "ผล")
    assert _number(by_code["1.1.1"][result]) == Decimal("1.25")  # December's total to date
    assert by_code["1.1.1"][result].number_format == "#,##0.00"
    assert _number(by_code["1.1.3"][result]) == Decimal(45)  # 10 + 15 + 20
    assert by_code["1.1.3"][result].number_format == "#,##0"
    assert by_code["1.1.2"][result].value == "ยังไม่รายงาน"
    self_level, self_points = _col(header, "ประเมินตนเอง: ระดับ"), _col(header, "ประเมินตนเอง: คะแนน")
    evaluator_level = _col(header, "ผู้ประเมิน: ระดับ")
    assert _number(by_code["1.1.1"][self_level]) == 0 and _number(by_code["1.1.1"][self_points]) == 0  # assessed: level 0
    assert by_code["1.1.2"][self_level].value == "ยังไม่ประเมิน" and by_code["1.1.2"][self_points].value is None
    assert all(r[evaluator_level].value == "ยังไม่ประเมิน" for r in lines)
    # The grand total: bold, equal to the sum of the lines.
    weight = _col(header, "น้ำหนัก (คะแนน)")
    assert total[1].value == "รวม" and all(c.font.b for c in total)
    assert _number(total[weight]) == sum(_number(r[weight]) for r in lines) == card.total_weight == Decimal(70)
    assert _number(total[self_points]) == sum(_number(r[self_points]) for r in lines if r[self_points].value is not None)
    assert total[evaluator_level].value == "ยังไม่ประเมิน"  # nothing assessed is not a total of 0


# -- quarterly progress ----------------------------------------------------------------

@pytest.fixture
def demo_quarter(real_plan):
    add_demo_quarter(real_plan, 1)
    return real_plan


def _every_value(wb):
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_quarterly_workbook_titles_and_thai_status_words(client, cast, quarter, demo_quarter):
    client.force_login(cast.executive)
    _response, wb = _download(client, "reports:quarterly-xlsx", {"plan": cast.plan.pk, "period": quarter.pk})
    assert wb.sheetnames == ["สรุป", "ตัวชี้วัด", "โครงการ"]
    for ws in wb.worksheets:
        assert ws["A1"].value == "สำนักงานเขตภาษีเจริญ"
        assert ws["A2"].value == "รายงานผลการดำเนินงานตามแผนปฏิบัติราชการ ประจำปีงบประมาณ พ.ศ. ๒๕๖๗"
        assert ws["A3"].value == "ไตรมาสที่ ๑ (ตุลาคม - ธันวาคม ๒๕๖๖) · ข้อมูลถึง ธันวาคม ๒๕๖๖"
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    header, rows = _table(wb["ตัวชี้วัด"])
    statuses = {r[_col(header, "สถานะ")].value for r in rows}
    assert statuses <= THAI_STATUSES and len(statuses) >= 3
    assert not RAW_STATUSES & {v for v in _every_value(wb) if isinstance(v, str)}
    achievement = _col(header, "ร้อยละผลสัมฤทธิ์")
    reported = [r for r in rows if r[achievement].value is not None]
    assert reported and all(r[achievement].number_format == "#,##0.00" for r in reported)
    assert all(isinstance(r[achievement].value, (int, float)) for r in reported)
    # The summary sheet counts the same statuses.
    summary = {r[0].value: r[1].value for r in _table(wb["สรุป"])[1]}
    # An indicator with two measures (OKR 1.4.07) has a line per measure under its own.
    name = _col(header, "ตัวชี้วัด")
    measures = [r[name].value for r in rows if r[name].value.startswith("OKR 1.4.07 ") and " – " in r[name].value]
    assert measures == ["OKR 1.4.07 ขุดลอกคลอง เปิดทางน้ำไหล – ขุดลอกคลอง", "OKR 1.4.07 ขุดลอกคลอง เปิดทางน้ำไหล – เปิดทางน้ำไหล"]
    assert summary["รวมตัวชี้วัด"] == len(rows) - len(measures) == sum(summary[s] for s in THAI_STATUSES)


def test_quarterly_workbook_amounts_are_numbers_and_totals_add_up(client, cast, quarter, demo_quarter):
    client.force_login(cast.executive)
    _response, wb = _download(client, "reports:quarterly-xlsx", {"plan": cast.plan.pk, "period": quarter.pk})
    header, rows = _table(wb["โครงการ"])
    budget, disbursed = _col(header, "งบประมาณ (บาท)"), _col(header, "เบิกจ่าย (บาท)")
    for r in rows:
        for c in (budget, disbursed):
            assert r[c].number_format == "#,##0.00"
            _number(r[c])  # a number, not text
    grand = rows[-1]
    assert grand[1].value == "รวมทั้งสิ้น" and all(c.font.b for c in grand)
    # A project the plan lists in two parts (the dengue project) is counted once.
    lines = [r for r in rows if not r[1].font.b and "ไม่นับซ้ำในยอดรวม" not in r[1].value]
    assert len(lines) == len([r for r in rows if not r[1].font.b]) - 1
    subtotals = [r for r in rows[:-1] if r[1].font.b]
    assert {r[1].value for r in subtotals} >= {"รวมฝ่ายโยธา", "รวมฝ่ายการศึกษา"}
    for column in (budget, disbursed):
        assert _number(grand[column]) == sum(_number(r[column]) for r in lines) == sum(_number(r[column]) for r in subtotals)
    roads_lines = [r for r in lines if r[0].value == "ฝ่ายโยธา"]
    roads_total = next(r for r in subtotals if r[1].value == "รวมฝ่ายโยธา")
    assert _number(roads_total[budget]) == sum(_number(r[budget]) for r in roads_lines) == Decimal("33937500")
    report = quarterly_progress(cast.plan, 1)
    roads = next(s for s in report["sections"] if s.division == cast.division)
    assert _number(roads_total[disbursed]) == roads.disbursed
    assert wb["โครงการ"].print_title_rows  # the header is printed on every page


def test_one_divisions_workbook(client, cast, quarter, demo_quarter):
    client.force_login(cast.planner)
    response, wb = _download(client, "reports:quarterly-xlsx",
                             {"plan": cast.plan.pk, "period": quarter.pk, "division": cast.division.pk})
    assert "q1-%E0%B8%9D%E0%B9%88%E0%B8%B2%E0%B8%A2%E0%B9%82%E0%B8%A2%E0%B8%98%E0%B8%B2.xlsx" in response["Content-Disposition"]  # ฝ่ายโยธา
    assert wb["ตัวชี้วัด"]["A1"].value == "สำนักงานเขตภาษีเจริญ · ฝ่ายโยธา"
    _header, rows = _table(wb["โครงการ"])
    assert {r[0].value for r in rows} == {"ฝ่ายโยธา"} and rows[-1][1].value == "รวมฝ่ายโยธา"  # no grand total of one


@pytest.mark.parametrize("who, expected", [("staff", 403), ("other_planner", 404)])
def test_workbook_access(client, cast, quarter, who, expected):
    client.force_login(getattr(cast, who))
    for name in ("reports:scorecard-xlsx", "reports:quarterly-xlsx"):
        assert client.get(reverse(name), {"plan": cast.plan.pk, "period": quarter.pk}).status_code == expected
