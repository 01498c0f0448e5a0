"""The executive summary: builder numbers from the domain functions, at most two A4 pages
of Thai text and server-side SVG charts."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from weasyprint.formatting_structure.boxes import ReplacedBox
from weasyprint.images import SVGImage

from indicators.models import Indicator
from kpiplan.lib.charts import budget_bar_svg, stacked_bar_svg
from plans.models import Period
from progress.budget import budget_execution, s_curve
from progress.services import Item, entry_save, entry_submit
from progress.status import indicator_statuses
from projects.models import Project
from reports.builders import executive_summary
from reports.pdf import layout, page_texts, render_html
from reports.tests.laid_out import norm

pytestmark = pytest.mark.django_db




def december():
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=3)


def submit(cast, item, value):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=december(), item=item,
                       data={"value": Decimal(value), "narrative": "รายงานผล"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)


def test_builder_numbers_equal_the_domain_functions(cast, road_item):
    statuses = indicator_statuses(cast.plan, december())
    report = executive_summary(cast.plan, 3)
    expected = Counter(s.status.value for s in statuses)
    assert report["indicator_count"] == len(statuses)
    assert report["status_counts"] == {k: expected.get(k, 0) for k in ("on_track", "at_risk", "off_track", "not_reported", "no_target")}
    # Every indicator is counted once, under its top-level element of the framework.
    assert sum(a.total for a in report["areas"]) == len(statuses)
    assert {a.node.level for a in report["areas"] if a.node} <= {"dimension", "development_area"}
    execution = budget_execution(cast.plan, 3)
    assert report["budget"].execution == execution["plan"].execution
    # The dengue project, listed in Parts 1 and 3, is one project and counted once.
    assert report["project_count"] == len(execution["projects"]) - 1 and report["repeated"] == 1
    assert execution["plan"].execution.allocated == sum(r.execution.allocated for r in execution["sections"]) - Decimal("175780")
    assert [line.execution for line in report["budget_lines"]] == [execution["plan"].execution] + [
        row.execution for row in execution["sections"]]
    assert report["attention_count"] == expected["off_track"] + expected["not_reported"]


def test_a_submitted_report_changes_the_counts(cast, road_item):
    before = executive_summary(cast.plan, 3)
    submit(cast, road_item, "30.9")  # 25 % of the year's target by December: on the planned pace
    after = executive_summary(cast.plan, 3)
    status = next(s for s in indicator_statuses(cast.plan, december()) if s.indicator.pk == road_item.obj.pk)
    assert status.status.value != "not_reported"
    assert after["status_counts"][status.status.value] == before["status_counts"][status.status.value] + 1
    assert after["status_counts"]["not_reported"] == before["status_counts"]["not_reported"] - 1
    area = next(a for a in after["areas"] if a.node and a.node.pk == _top(road_item.obj.node).pk)
    assert area.counts[status.status.value] >= 1


def test_the_curves_are_the_three_largest_budgets_each_drawing_its_reported_progress(cast):
    roads = Project.objects.get(plan=cast.plan, key="p3:3.3")  # 10,495,000 baht, the largest line; no work steps
    entry = entry_save(user=cast.staff, plan=cast.plan, period=december(), item=Item("project", roads),
                       data={"percent_complete": Decimal(40), "disbursed": Decimal(1000000), "narrative": "เริ่มงานแล้ว"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    report = executive_summary(cast.plan, 3)
    budgets = sorted((p.budget for p in Project.objects.filter(plan=cast.plan).budget_lines() if p.budget is not None), reverse=True)
    assert [line.project.budget for line in report["curves"]] == budgets[:3]
    first = report["curves"][0]
    assert first.project == roads and not roads.work_steps.exists()
    # Without work steps the actual line is the percent complete reported (December: 40 %),
    # as s_curve gives it to the project page; and no planned line is drawn at 0 %.
    assert first.curve.reported and first.curve.actual[2] == Decimal(40) == s_curve(roads).actual[2]
    assert 'class="actual"' in first.chart and 'class="planned"' not in first.chart
    with translation.override("th"):
        text = norm(" ".join(page_texts(layout("reports/summary.html", report))))
    assert norm("ความคืบหน้าร้อยละ ๔๐ *") in text and norm("เส้นผลแสดงร้อยละความคืบหน้าที่รายงานแต่ละเดือน") in text


def test_the_traffy_curve_keeps_its_work_plan(cast):
    traffy = Project.objects.filter(plan=cast.plan, work_steps__isnull=False).distinct().get()
    curve = s_curve(traffy)
    assert not curve.reported and curve.weights_total > 0 and curve.actual == [None] * 12


def test_laid_out_summary_is_thai_and_fits_two_pages(cast, road_item):
    submit(cast, road_item, "30.9")
    report = executive_summary(cast.plan, 3)
    document = layout("reports/summary.html", report)
    assert len(document.pages) <= 2
    assert all(page.width < page.height for page in document.pages)
    text = norm(" ".join(page_texts(document)))
    for heading in ("สรุปผลการดำเนินงานสำหรับผู้บริหาร", "สถานะตัวชี้วัดจำแนกตามด้านการพัฒนา", "การเบิกจ่ายงบประมาณ",
                    "ความก้าวหน้าของโครงการที่มีงบประมาณสูงสุด", "ตัวชี้วัดที่ล่าช้ากว่าแผนหรือยังไม่รายงาน"):
        assert norm(heading) in text
    assert norm("ด้านที่ ๑ เดินทางดี") in text and norm("มิติที่ ๑") in text
    allocated = f"{report['budget'].execution.allocated:,.0f}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert norm(allocated) in text
    assert norm(f"ตัวชี้วัดที่ติดตาม {_thai(report['indicator_count'])}") in text
    # Most items are not reported in December: the list stops at ten and says how many more.
    assert report["attention_more"] > 0 and norm(f"และอีก {_thai(report['attention_more'])} รายการ") in text


def test_charts_are_server_side_svg(cast):
    report = executive_summary(cast.plan, 3)
    html = render_html("reports/summary.html", report)
    assert html.count('class="stacked-bar"') == len(report["areas"])
    assert html.count('class="budget-bar"') == len(report["budget_lines"])
    assert html.count('class="s-curve"') == 3
    document = layout("reports/summary.html", report)

    def images(box):
        yield box
        for child in getattr(box, "children", []) or []:
            yield from images(child)

    drawn = [b for page in document.pages for b in images(page._page_box)
             if isinstance(b, ReplacedBox) and isinstance(b.replacement, SVGImage)]
    assert len(drawn) >= len(report["areas"]) + len(report["budget_lines"]) + 3


def test_chart_functions_write_thai_digits_and_scale_to_the_largest():
    translation.activate("th")  # a report is built in Thai (reports.registry.official)
    bar = stacked_bar_svg([("on_track", 3), ("at_risk", 0), ("not_reported", 7)], 20, width=424)
    assert 'width="60.0"' in bar and 'width="140.0"' in bar and ">๑๐<" in bar and "at_risk" not in bar
    money = budget_bar_svg(Decimal(100), Decimal(25), Decimal("25.00"), Decimal(200), width=270)
    assert 'class="allocated" x="0" y="0" width="100.0"' in money and 'width="25.0"' in money and "๒๕%" in money
    translation.activate("en")  # a page in English: Arabic digits
    assert ">10<" in stacked_bar_svg([("on_track", 3), ("not_reported", 7)], 20, width=424)


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("staff", 403), ("other_planner", 404)])
def test_download_access(client, cast, who, expected):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("reports:summary-pdf"), {"plan": cast.plan.pk, "period": december().pk})
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_status_page_links_to_the_summary(client, cast):
    client.force_login(cast.planner)
    response = client.get(reverse("progress:status"), {"plan": cast.plan.pk})
    assert reverse("reports:summary-pdf").encode() in response.content


def test_builder_query_count_does_not_grow(cast, road_item):
    with CaptureQueriesContext(connection) as before:
        executive_summary(cast.plan, 3)
    submit(cast, road_item, "1")
    submit_other = Item("indicator", Indicator.objects.get(plan=cast.plan, key="pa:1.1.1"))
    submit(cast, submit_other, "2")
    with CaptureQueriesContext(connection) as after:
        executive_summary(cast.plan, 3)
    assert len(after) == len(before)


def _top(node):
    while node.parent_id:
        node = node.parent
    return node


def _thai(n):
    return str(n).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))




def test_a_plan_with_many_areas_still_fits_two_pages(cast):
    """A city department's plan can have dozens of areas: the chart keeps its first
    eleven and sums the rest on one line, so the summary stays within two pages."""
    from plans.models import StrategyNode

    before = executive_summary(cast.plan, 3)
    for n in range(25):
        area = StrategyNode.objects.create(plan=cast.plan, level="development_area", code=str(20 + n), title=f"ด้านทดสอบ {n}",
                                           order=1000 + n)
        Indicator.objects.create(plan=cast.plan, kind="okr", code=f"{20 + n}.1.01", name=f"ตัวชี้วัดด้านทดสอบ {n}", node=area,
                                 division=cast.division, target_text="๑๐ แห่ง")
    report = executive_summary(cast.plan, 3)
    assert len(report["areas"]) == 12 and report["areas"][-1].folded > 0
    assert sum(a.total for a in report["areas"]) == report["indicator_count"] == before["indicator_count"] + 25
    document = layout("reports/summary.html", report)
    assert len(document.pages) <= 2
    assert norm(f"ด้านอื่น ๆ อีก {_thai(report['areas'][-1].folded)} ด้าน") in norm(" ".join(page_texts(document)))
