"""The action plan book: its totals from the data (and the document's printed totals shown
beside them where they disagree), its Thai text as laid out, and who may download it."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, Rubric, RubricLevel
from plans.checks import section_budget_sums
from plans.models import Division, PlanStatement, StrategyNode
from projects.models import Project
from reports.book import plan_book
from reports.pdf import layout, page_texts
from reports.tests.laid_out import norm
from tests.factories import OrganizationFactory, PlanFactory

pytestmark = pytest.mark.django_db




@pytest.fixture(scope="module")
def real_book(django_db_setup, django_db_blocker):
    """The real plan's book laid out once for the module (about three seconds)."""
    from plans.models import Plan

    with django_db_blocker.unblock():
        plan = Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ", fiscal_year=2567)
        context = plan_book(plan)
        document = layout("reports/book.html", context)
    return context, document, [norm(t) for t in page_texts(document)]


def test_section_totals_are_the_sums_of_their_lines(real_plan):
    book = plan_book(real_plan)
    sums = section_budget_sums(real_plan)
    assert book["part1_total"].computed == sums[1] == Decimal("2694800")
    assert book["part3_total"].computed == sums[3] == Decimal("59752455")
    assert sum(d.total for d in book["divisions"]) == book["part3_total"].computed
    # Part 2 as printed says 35,294,295 baht and 38 projects; its rows add up to
    # 35,254,295 in 39 numbered rows. The book shows both, it does not pick one.
    part2 = book["part2_total"]
    assert part2.computed == sums[2] == Decimal("35254295")
    amounts = {(d["kind"], d["printed"], d["computed"]) for d in part2.disagreements}
    assert ("amount", Decimal("35294295"), Decimal("35254295")) in amounts
    assert ("count", 38, 39) in amounts
    assert book["part1_total"].disagreements == [] and book["part3_total"].disagreements == []
    # Table ค: six indicators, weights 10+10+10+20+10+10 as printed.
    assert len(book["table_c"]) == 6 and book["table_c_weight"] == Decimal("70")


def test_laid_out_book_reads_like_the_document(real_book):
    context, document, pages = real_book
    text = " ".join(pages)
    for heading in ("สารบัญ", "สาระสำคัญของแผนปฏิบัติราชการประจำปี", "วิสัยทัศน์", "พันธกิจ",
                    "ส่วนที่ ๑", "ส่วนที่ ๒", "ส่วนที่ ๓", "ส่วนที่ ๔", "ตาราง ก", "ตาราง ข", "ตาราง ค", "ตาราง ง", "ตาราง จ", "ตาราง ฉ",
                    "มิติที่ ๑ การบริการสาธารณะ", "ยุทธศาสตร์ย่อยที่ ๑.๕ เมืองสุขภาพดี", "จุดแข็ง", "เป็นเลิศด้านบริการ"):
        assert norm(heading) in text, heading
    # Totals in Thai digits; Part 2's printed total appears beside the lines' sum.
    for amount in ("๒,๖๙๔,๘๐๐", "๓๕,๒๕๔,๒๙๕", "๓๕,๒๙๔,๒๙๕", "๕๙,๗๕๒,๔๕๕", "๔๐,๐๐๐"):
        assert norm(amount) in text, amount
    # A rubric of table ค, level by level, with its points.
    assert norm("เกณฑ์การให้คะแนน") in text and norm("ดำเนินการตามแผนพัฒนาถนนสวย ความคืบหน้า ร้อยละ ๗๕") in text
    # Table จ's Traffy steps weigh 49 in the document: said, not hidden.
    assert norm("ไม่ครบร้อยละ ๑๐๐") in text
    assert 30 <= len(document.pages) <= 120


def test_cover_is_plain_and_later_pages_carry_header_and_thai_page_numbers(real_book):
    _context, document, pages = real_book
    total = len(document.pages)
    assert norm("หน้า") not in pages[0] and norm("สำนักงานเขตภาษีเจริญ") in pages[0]
    thai_total = str(total).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert norm(f"หน้า ๒ จาก {thai_total}") in pages[1]
    assert norm("ปีงบประมาณ พ.ศ. ๒๕๖๗") in pages[1]


def test_portrait_text_and_landscape_tables_in_one_document(real_book):
    _context, document, pages = real_book
    orientation = ["L" if p.width > p.height else "P" for p in document.pages]
    assert orientation[0] == "P" and "L" in orientation
    first_table_c = next(i for i, t in enumerate(pages) if norm("ตาราง ค แสดงตัวชี้วัดและภารกิจจากการเจรจาตกลง") in t and "สารบัญ" not in t)
    assert orientation[first_table_c] == "L"
    part3 = next(i for i, t in enumerate(pages) if norm("บัญชีรายการโครงการ/กิจกรรมที่มีลักษณะเป็นภารกิจประจำพื้นฐาน") in t and "สารบัญ" not in t)
    assert orientation[part3] == "P"


def test_table_of_contents_gives_the_pages_the_parts_start_on(real_book):
    _context, _document, pages = real_book
    toc = next(t for t in pages if "สารบัญ" in t)
    for label in ("ส่วนที่ ๓ บัญชีรายการโครงการ", "ตาราง ค แสดงตัวชี้วัดและภารกิจจากการเจรจาตกลง"):
        match = re.search(re.escape(norm(label)) + r"[^๐-๙]*?[ .]+([๐-๙]+)", toc)
        assert match, label
        page_number = int(match.group(1).translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
        starts = next(i for i, t in enumerate(pages) if norm(label) in t and "สารบัญ" not in t) + 1
        assert page_number == starts, label


def test_no_text_runs_past_the_page_edge(real_book):
    _context, document, _pages = real_book
    over = []

    def walk(box, page_width, n):
        if getattr(box, "text", None) and box.position_x + box.width > page_width + 0.5:
            over.append((n, box.text[:30]))
        for child in getattr(box, "children", []) or []:
            walk(child, page_width, n)

    for n, page in enumerate(document.pages, start=1):
        walk(page._page_box, page.width, n)
    assert over == []


def test_another_district_gets_its_own_book(db):
    org = OrganizationFactory(short_name="สนข.บางแค", name="สำนักงานเขตบางแค")
    plan = PlanFactory(organization=org, title="แผนปฏิบัติราชการประจำปี พ.ศ. ๒๕๖๘")
    division = Division.objects.create(organization=org, name="ฝ่ายโยธา", order=1)
    PlanStatement.objects.create(plan=plan, kind="vision", text="บางแคเมืองน่าอยู่")
    area = StrategyNode.objects.create(plan=plan, level="development_area", code="1", title="เดินทางดี", order=1)
    objective = StrategyNode.objects.create(plan=plan, level="objective", code="1.1", title="เดินได้ เดินดี", parent=area, order=2)
    Indicator.objects.create(plan=plan, kind="okr", code="1.1.01", name="ทางเท้าที่ปรับปรุง", node=objective, target_text="๑๒ กม.")
    pa = Indicator.objects.create(plan=plan, kind="agreement", code="1.1", name="ความสำเร็จของการซ่อมถนน", weight=30)
    rubric = Rubric.objects.create(indicator=pa, title="เกณฑ์การให้คะแนน “ซ่อมถนน”")
    RubricLevel.objects.create(rubric=rubric, level=5, threshold_text="ร้อยละ ๑๐๐", description="ซ่อมครบทุกสาย", points=30)
    Project.objects.create(plan=plan, section=2, name="ซ่อมทางเท้าถนนเพชรเกษม", budget=1250000, division=division, node=objective,
                           sequence="1", number="1")
    Project.objects.create(plan=plan, section=3, name="ล้างท่อระบายน้ำ", budget=300000, division=division)
    book = plan_book(plan)
    assert book["part2_total"].computed == Decimal("1250000") and book["part3_total"].computed == Decimal("300000")
    text = norm(" ".join(page_texts(layout("reports/book.html", book))))
    assert norm("สำนักงานเขตบางแค") in text and norm("บางแคเมืองน่าอยู่") in text and norm("๑,๒๕๐,๐๐๐") in text
    assert norm("ซ่อมครบทุกสาย") in text and norm("ภาษีเจริญ") not in text


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("staff", 200), ("other_planner", 404)])
def test_download_access(client, cast, who, expected):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("reports:book-pdf"), {"plan": cast.plan.pk})
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_anonymous_is_sent_to_log_in(client, real_plan):
    response = client.get(reverse("reports:book-pdf"), {"plan": real_plan.pk})
    assert response.status_code == 302 and "login" in response["Location"]


def test_builder_query_count_does_not_grow(real_plan):
    with CaptureQueriesContext(connection) as before:
        plan_book(real_plan)
    objective = StrategyNode.objects.filter(plan=real_plan, level="objective", code="1.1").get()
    for n in range(5):
        Project.objects.create(plan=real_plan, section=2, name=f"โครงการเพิ่ม {n}", budget=1000, node=objective, sequence=str(40 + n))
        Indicator.objects.create(plan=real_plan, kind="okr", code=f"1.1.9{n}", name=f"ตัวชี้วัดเพิ่ม {n}", node=objective)
    with CaptureQueriesContext(connection) as after:
        book = plan_book(real_plan)
    assert len(after) == len(before)
    assert book["part2_total"].computed == Decimal("35254295") + 5000


def test_staff_and_planners_are_offered_the_book(client, cast):
    client.force_login(cast.staff)
    page = client.get(reverse("home"), follow=True).content.decode()  # staff land on their work
    assert f'{reverse("reports:request", args=["book"])}?plan={cast.plan.pk}' in page
    client.force_login(cast.planner)
    assert f'{reverse("reports:request", args=["book"])}?plan={cast.plan.pk}' in client.get(reverse("home")).content.decode()
