"""The table ค PDF: Thai text laid out by WeasyPrint, Thai digits, landscape A4, page numbers."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
from indicators.scoring import rubric_measures
from plans.models import Period
from progress.scorecard import build_scorecard
from progress.services import assessment_save
from reports.pdf import layout, page_texts
from reports.tests.laid_out import norm

pytestmark = pytest.mark.django_db




@pytest.fixture
def period(real_plan):
    return Period.objects.get(fiscal_year_id=2567, kind="quarter", number=4)


def test_the_laid_out_pages_carry_the_headings_totals_and_page_numbers(cast, period):
    trees = Indicator.objects.select_related("rubric").prefetch_related("rubric__levels__conditions").get(
        plan=cast.plan, kind="agreement", code="1.1.2")
    assessment_save(user=cast.planner, indicator=trees, period=period, kind="self",
                    measures={n: Decimal(100) for n in rubric_measures(trees.rubric)}, confirmed=[], comment="", version=0)
    document = layout("reports/scorecard.html", {"plan": cast.plan, "period": period, "card": build_scorecard(cast.plan, period)})
    assert 1 <= len(document.pages) <= 4
    page = document.pages[0]
    assert page.width > page.height  # A4 landscape
    text = norm(" ".join(page_texts(document)))
    assert norm("ร้อยละความสำเร็จในการปลูกต้นไม้") in text
    assert norm("สำนักงานเขตภาษีเจริญ") in text  # running header
    assert norm("๗๐") in text  # total weight 70 in Thai digits
    assert norm("๘") in text  # self-assessment points of 1.1.2 (level 4)
    assert norm(f"หน้า ๑ จาก {''.join('๐๑๒๓๔๕๖๗๘๙'[int(d)] for d in str(len(document.pages)))}") in text


def test_no_text_box_spills_out_of_its_page(cast, period):
    document = layout("reports/scorecard.html", {"plan": cast.plan, "period": period, "card": build_scorecard(cast.plan, period)})

    def boxes(box):
        yield box
        for child in getattr(box, "children", []) or []:
            yield from boxes(child)

    for page in document.pages:
        for box in boxes(page._page_box):
            if getattr(box, "text", None):
                assert box.position_x + box.width <= page.width + 0.5, box.text


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("staff", 403), ("other_planner", 404)])
def test_download_access(client, cast, period, who, expected):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("reports:scorecard-pdf"), {"plan": cast.plan.pk, "period": period.pk})
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_the_packaged_thai_font_is_embedded(cast, period):
    document = layout("reports/scorecard.html", {"plan": cast.plan, "period": period, "card": build_scorecard(cast.plan, period)})
    pdf = document.write_pdf(uncompressed_pdf=True)
    # Every font drawn is the packaged one, embedded (regular and bold): nothing was
    # substituted by the system's font configuration.
    names = {re.sub(rb"^[A-Z]{6}\+", b"", n) for n in re.findall(rb"/FontName\s*/([^\s/]+)", pdf)}
    assert names == {b"kpiplan-report", b"kpiplan-report-Bold"} and b"/FontFile" in pdf


def test_builder_query_count_does_not_grow(cast, period, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        build_scorecard(cast.plan, period)
    for ind in Indicator.objects.filter(plan=cast.plan, kind="agreement").select_related("rubric").prefetch_related(
            "rubric__levels__conditions"):
        assessment_save(user=cast.planner, indicator=ind, period=period, kind="self", measures={}, confirmed=[], comment="",
                        version=0)
    with CaptureQueriesContext(connection) as after:
        build_scorecard(cast.plan, period)
    assert len(after) == len(before)


def test_a_quarter_prints_its_results_and_says_what_is_not_assessed(cast, roads_and_drains_reported):
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    document = layout("reports/scorecard.html", {"plan": cast.plan, "period": quarter,
                                                 "card": build_scorecard(cast.plan, quarter)})
    pages = [norm(t) for t in page_texts(document)]
    text = "".join(pages)
    assert norm("ไตรมาสที่ ๑ (ตุลาคม - ธันวาคม ๒๕๖๖)") in text  # Thai whatever the language
    assert norm("๑.๑.๑") + norm("จำนวนระยะทาง") in text
    assert norm("๑.๒๕") in text  # 1.1.1: December's total to date
    assert norm("๔๕") in text  # 1.1.3: 10 + 15 + 20, reported month by month
    assert text.count(norm("ยังไม่ประเมิน")) == 2 * 6 + 2  # every indicator, both columns, and both totals
    assert norm("ยังไม่รายงาน") in text  # the indicators nobody reported
    assert "๐/๐" not in text
    # The grand total is printed once, on the last page (not repeated like the header).
    assert sum(p.count(norm("รวม") + norm("๗๐")) for p in pages) == 1 and norm("รวม") + norm("๗๐") in pages[-1]
