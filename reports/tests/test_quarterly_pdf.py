"""The quarterly progress report: builder numbers from the domain functions, Thai text laid out."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Period
from progress.services import Item, entry_save, entry_submit
from progress.status import indicator_statuses
from projects.models import Project
from projects.selectors import budget_execution
from reports.builders import quarterly_progress
from reports.pdf import layout, page_texts
from reports.tests.laid_out import norm

pytestmark = pytest.mark.django_db




def december(real_plan):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=3)


def test_builder_numbers_equal_the_domain_functions(cast, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=december(cast.plan), item=road_item,
                       data={"value": Decimal("30.9"), "narrative": "ปรับปรุงถนนสวยช่วงแรก", "obstacles": "ฝนตก"}, version=0)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    report = quarterly_progress(cast.plan, 1)
    roads = next(s for s in report["sections"] if s.division == cast.division)
    line = next(li for li in roads.indicators if li.status.indicator.pk == road_item.obj.pk)
    expected = next(s for s in indicator_statuses(cast.plan, december(cast.plan)) if s.indicator.pk == road_item.obj.pk)
    assert (line.status.achievement, line.status.status) == (expected.achievement, expected.status) == (Decimal("25.00"), expected.status)
    assert line.entry.narrative == "ปรับปรุงถนนสวยช่วงแรก"
    plan_budget = budget_execution(cast.plan, 3)["plan"].execution
    assert report["budget"].execution == plan_budget
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


@pytest.fixture
def road_item(real_plan):
    from indicators.models import Indicator

    return Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:4.1.10"))
