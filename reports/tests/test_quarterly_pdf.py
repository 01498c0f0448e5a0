"""The quarterly progress report: builder numbers from the domain functions, Thai text laid out."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from plans.models import Period
from progress.budget import budget_execution
from progress.services import entry_save, entry_submit
from progress.status import indicator_statuses
from projects.models import Project
from reports.builders import quarterly_progress
from reports.pdf import layout, page_texts
from reports.tests.laid_out import norm

pytestmark = pytest.mark.django_db




def december(real_plan):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=3)


def test_builder_numbers_equal_the_domain_functions(cast, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=december(cast.plan), item=road_item,
                       data={"value": Decimal("20.4895"), "narrative": "ปรับปรุงถนนสวยช่วงแรก", "obstacles": "ฝนตก"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    report = quarterly_progress(cast.plan, 1)
    roads = next(s for s in report["sections"] if s.division == cast.division)
    line = next(li for li in roads.indicators if li.status.indicator.pk == road_item.obj.pk)
    expected = next(s for s in indicator_statuses(cast.plan, december(cast.plan)) if s.indicator.pk == road_item.obj.pk)
    assert (line.status.achievement, line.status.status) == (expected.achievement, expected.status) == (Decimal("25.00"), expected.status)
    assert line.entry.narrative == "ปรับปรุงถนนสวยช่วงแรก"
    # The plan's total counts the dengue project once (Part 1 and Part 3 both list it).
    execution = budget_execution(cast.plan, 3)
    assert report["budget"].execution == execution["plan"].execution
    assert report["budget_as_printed"].allocated == sum(s.execution.allocated for s in execution["sections"])
    assert report["budget"].execution.allocated == report["budget_as_printed"].allocated - Decimal("175780")
    assert roads.allocated == sum((p.budget or 0 for p in Project.objects.filter(plan=cast.plan, division=cast.division)
                                   .budget_lines()), Decimal(0))


def test_laid_out_report_has_thai_headings_and_division_totals(cast, road_item):
    report = quarterly_progress(cast.plan, 1, cast.division)
    document = layout("reports/quarterly.html", report)
    text = norm(" ".join(page_texts(document)))
    assert norm("รายงานผลการดำเนินงานตามแผนปฏิบัติราชการ") in text and norm("ไตรมาสที่ ๑") in text
    assert norm("รวมฝ่ายโยธา") in text
    # ฝ่ายโยธา's budget lines as the document prints them: six canals in Part 2
    # (2,068,500) and nine works in Part 3 (31,869,000).
    assert report["sections"][0].allocated == Decimal("33937500")
    assert norm("๓๓,๙๓๗,๕๐๐") in text
    assert all(page.width > page.height for page in document.pages)


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("staff", 403), ("other_planner", 404)])
def test_download_access(client, cast, who, expected):
    client.force_login(getattr(cast, who))
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    response = client.get(reverse("reports:quarterly-pdf"), {"plan": cast.plan.pk, "period": quarter.pk})
    assert response.status_code == expected


def test_builder_query_count_does_not_grow(cast, road_item):
    with CaptureQueriesContext(connection) as before:
        quarterly_progress(cast.plan, 1)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=december(cast.plan), item=road_item,
                       data={"value": Decimal(1), "narrative": "x"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    with CaptureQueriesContext(connection) as after:
        quarterly_progress(cast.plan, 1)
    assert len(after) == len(before)


def laid_out_text(report) -> str:
    with translation.override("th"):  # as the worker renders it
        return norm(" ".join(page_texts(layout("reports/quarterly.html", report))))


def test_codes_and_numbers_print_in_thai_digits_and_a_dash_budget_prints_a_dash(cast):
    report = quarterly_progress(cast.plan, 1, cast.division)
    text = laid_out_text(report)
    assert norm("OKR ๑.๔.๐๖ ล้างทำความสะอาดท่อ") in text and "OKR1.4.06" not in text
    assert not set("0123456789") & set(text.replace("kpiplan", ""))  # not even a project or page number
    # "แก้ไขจุดเสี่ยงน้ำท่วม" has no amount (the plan prints "-"): budget, disbursed, % all "-", never ๐.
    line = next(li for li in report["sections"][0].projects if li.name == "แก้ไขจุดเสี่ยงน้ำท่วม")
    assert line.execution.project.budget_text == "-" and (line.budget, line.disbursed) == (None, None)
    assert norm(f"{_thai(line.number)} แก้ไขจุดเสี่ยงน้ำท่วม - - - - -") in text
    assert norm("แก้ไขจุดเสี่ยงน้ำท่วม ๐") not in text


def test_projects_are_grouped_and_numbered_down_the_division_with_one_subtotal(cast):
    report = quarterly_progress(cast.plan, 1, cast.division)
    (roads,) = report["sections"]
    # Part 2's canal works under their project's name, Part 3 under its work groups;
    # numbered 1..21 down the table, not restarting at each group's printed "1".
    assert [(str(g.section_label)[:7], g.name) for g in roads.groups] == [
        ("Part 2:", ""), ("", "ขุดลอกคลองเปิดทางน้ำไหล"), ("Part 3:", "งานบำรุงรักษาซ่อมแซม")]
    assert [line.number for g in roads.groups for line in g.lines] == list(range(1, 22))
    text = laid_out_text(report)
    assert norm("ส่วนที่ ๓: โครงการ/กิจกรรมงานประจำ งานบำรุงรักษาซ่อมแซม ๑๓ ก่อสร้างสะพานคนเดินข้ามถนนพุทธมณฑลสาย ๑") in text
    assert norm("ขุดลอกคลองเปิดทางน้ำไหล ๗ ขุดลอกลำกระโดงสรรพากร") in text
    assert norm("๒๑ ปรับปรุงซอยเพชรเกษม ๕๔") in text
    # The table runs over several pages; its subtotal is printed once, at the end.
    assert len(layout("reports/quarterly.html", report).pages) > 2
    assert text.count(norm("รวมฝ่ายโยธา")) == 1
    assert text.index(norm("รวมฝ่ายโยธา ๓๓,๙๓๗,๕๐๐")) > text.index(norm("๒๑ ปรับปรุงซอยเพชรเกษม ๕๔"))


def test_a_project_in_two_parts_is_counted_once_with_a_note(cast):
    report = quarterly_progress(cast.plan, 1)
    environment = next(s for s in report["sections"] if s.division.name == "ฝ่ายสิ่งแวดล้อมและสุขาภิบาล")
    lines = Project.objects.filter(plan=cast.plan, division=environment.division).budget_lines()
    dengue_part3 = Project.objects.get(plan=cast.plan, key="p3:4.4")
    assert dengue_part3.same_as.key == "p1:1" and dengue_part3.same_as.budget == Decimal("175800")
    assert environment.allocated == sum((p.budget or 0 for p in lines), Decimal(0)) - Decimal("175780")
    (repeat,) = environment.repeats
    assert repeat.execution.project == dengue_part3 and repeat.counted_number == 1
    text = laid_out_text(report)
    amount = _thai(f"{environment.allocated:,.0f}")
    assert norm(f"รวมฝ่ายสิ่งแวดล้อมและสุขาภิบาล * {amount}") in text
    assert norm(f"* ลำดับที่ {_thai(repeat.number)} (ส่วนที่ ๓ ๑๗๕,๗๘๐ บาท) เป็นโครงการเดียวกับลำดับที่ ๑ (ส่วนที่ ๑ ๑๗๕,๘๐๐ บาท)"
                f" ยอดรวมข้างต้นนับครั้งเดียว") in text
    plan_total = _thai(f"{report['budget'].execution.allocated:,.0f}")
    assert norm(f"งบประมาณทั้งแผน {plan_total} บาท") in text
    assert norm("ผลรวมงบประมาณทุกส่วนตามที่แผนพิมพ์ ๙๗,๗๐๑,๕๕๐ บาท") in text
    for sec in report["sections"]:
        assert text.count(norm(f"รวม{sec.division.name}")) == 1
    # No project of ฝ่ายรักษาความสะอาดฯ has an amount: its subtotal is "-", not ๐.
    assert norm("รวมฝ่ายรักษาความสะอาดและสวนสาธารณะ - - -") in text


def _thai(value) -> str:
    return str(value).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


