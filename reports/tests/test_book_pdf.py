"""The action plan book: its totals from the data (and the document's printed totals shown
beside them where they disagree), its Thai text as laid out, and who may download it."""

import re
from decimal import Decimal

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, Rubric, RubricLevel
from plandoc.checks import section_budget_sums
from plans.models import Division, PlanStatement, StrategyNode
from projects.models import Project
from reports.book import plan_book
from reports.pdf import layout, page_texts, render_html
from reports.tests.laid_out import norm
from tests.factories import OrganizationFactory, PlanFactory

pytestmark = pytest.mark.django_db




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


# -- the cover, the front matter and Parts 1-3 as the document prints them -------------------

def _pages_between(pages, start_label, end_label):
    """The laid-out pages from the one a part starts on up to (not including) the next part."""
    start = next(i for i, t in enumerate(pages) if norm(start_label) in t and "สารบัญ" not in t)
    end = next(i for i, t in enumerate(pages) if i > start and norm(end_label) in t)
    return pages[start:end]


def test_indicator_names_are_never_cut(real_book):
    context, _document, pages = real_book
    text = " ".join(pages)
    long_ones = {i.code: i for i in Indicator.objects.filter(code__in=["2.2.02", "2.3.11"], kind="okr")}
    for code, ind in long_ones.items():
        assert len(ind.name) > 150 and str(ind) == f"OKR {code} {ind.name}" and ind.label == str(ind)
        thai = code.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
        assert norm(f"OKR {thai} {ind.name}") in text, code  # the whole name, in the KR/KPI summary
    assert norm("(ระบบบัญชีทรัพยากรเผชิญเหตุ (ยานพาหนะและอุปกรณ์))") in text
    assert norm("และหน่วยงานกับชุมชน (Full Scale)") in text


def test_kr_kpi_summary_keeps_the_documents_two_blocks(real_book):
    context, _document, pages = real_book
    summary = context["summary"]
    # Block 1: the BMA plan's KR and KPIs under strategy and sub-strategy, as the list heads them.
    assert summary["bma"][0]["headings"] == ["ยุทธศาสตร์ที่ ๑ การสร้างเมืองปลอดภัยและหยุดยั้งก่อการร้าย", "ยุทธศาสตร์ย่อยที่ ๑.๕ เมืองสุขภาพดี"]
    assert [i["code"] for g in summary["bma"] for i in g["items"]] == ["KR 1", "KPI 1.5.4.1", "KR 1", "KPI 3.1.1.4", "KR 2", "KPI 3.1.2.1"]
    # Block 2: the OKRs under area and objective, numbered within the objective, starred as printed.
    first = summary["okr"][0]
    assert first["headings"] == ["๑. เดินทางดี", "๑.๑ เดินได้ เดินดี"]
    assert [(i["number"], i["code"], i["indicator"].starred) for i in first["items"]] == [
        (1, "OKR 1.1.01", True), (2, "OKR 1.1.02", False), (3, "OKR 1.1.03", True)]
    learning = next(g for g in summary["okr"] if "๖.๑ Transform หลักสูตรและห้องเรียนดิจิทัล" in g["headings"])
    assert [i["code"] for i in learning["items"]] == ["OKR 6.1.06", "OKR 6.1.31"]  # the list files 6.1.31 under 6.1
    assert sum(len(g["items"]) for g in summary["okr"]) == 55
    # Where Parts 1 and 2 print it otherwise, a note says so (the list itself stays as printed).
    assert {"field": "title", "printed": "ยุทธศาสตร์ที่ ๑ การสร้างเมืองปลอดภัยและหยุดยั้งก่อการร้าย",
            "detail": "ยุทธศาสตร์ที่ ๑ การสร้างเมืองปลอดภัยและยั่งยืนต่อวิกฤตการณ์", "part": 1} in summary["differences"]
    assert {"field": "node", "printed": "OKR 6.1.31", "detail": "๖.๓ Transform หลักสูตรและห้องเรียนดิจิทัล", "part": 2} in summary["differences"]

    text = " ".join(pages)
    bma_block = text.index(norm("แผนปฏิบัติราชการกรุงเทพมหานคร ประจำปี พ.ศ. ๒๕๖๗") + norm("ยุทธศาสตร์ที่ ๑ การสร้างเมืองปลอดภัยและหยุดยั้ง"))
    okr_block = text.index(norm("ตัววัดผลหลัก (Key Result) และค่าเป้าหมายประเด็นการพัฒนา ประจำปีงบประมาณ พ.ศ. ๒๕๖๗") + norm("๑. เดินทางดี"))
    assert bma_block < okr_block
    for line in ("- KR ๑ : เสริมสร้างภูมิคุ้มกันด้านสุขภาพให้กับประชาชนและชุมชน",
                 "- ๑) OKR ๑.๑.๐๑ จำนวนจุดหาบเร่แผงลอยที่อยู่นอกจุดผ่อนผัน*",
                 "- ๒) OKR ๑.๑.๐๒ จำนวนมอเตอร์ไซค์วิ่งบนทางเท้าที่จับได้- ๓)",
                 "- ๓) OKR ๑.๒.๐๕ ปรับกายภาพ เช่น คอขวด จุดกั๊กรถ การผายปากซอย ฯลฯ*",  # as the list prints it
                 "- ๒) OKR ๖.๑.๓๑ จำนวนโรงเรียนที่ได้รับการปรับปรุงกายภาพ*"):
        assert norm(line) in text[okr_block if "OKR" in line else bma_block:], line
    assert norm("OKR ๑.๒.๐๕ ส่วนที่ ๒ พิมพ์ชื่อ «ปรับกายภาพ เช่น คอขวด จุดกลับรถ การขยายปากซอย ฯลฯ»") in text


def test_part_2_prints_only_the_okrs_it_has(real_book):
    context, _document, pages = real_book
    objectives = [o for block in context["areas"] for o in block.objectives]
    assert all(o["okrs"] for o in objectives)  # no objective row without a key result
    assert [i.code for o in objectives for i in o["okrs"]][:4] == ["1.1.01", "1.1.03", "1.2.01", "1.2.05"]
    assert sum(len(o["okrs"]) for o in objectives) == 25
    html = render_html("reports/book.html", context)
    part2 = html[html.index('id="part2"'):html.index('id="part3"')]
    assert '<td colspan="4">-</td>' not in part2
    text = " ".join(_pages_between(pages, "การดำเนินงานตามยุทธศาสตร์ของหน่วยงาน", "ส่วนที่ ๓"))
    assert norm("OKR ๑.๑.๐๑ จำนวนจุดหาบเร่ แผงลอยที่อยู่นอกจุดผ่อนผัน*") in text
    assert norm("OKR ๑.๑.๐๒") not in text and norm("OKR ๘.๑.๐๗") not in text  # the summary's and table ข's own


def test_part_2_summary_table_is_the_documents_own(real_book):
    context, _document, pages = real_book
    table = context["part2_summary"]
    assert [r.sequence for r in table.rows] == [str(n) for n in range(1, 13)] + ["12"] + [str(n) for n in range(13, 39)]
    assert table.repeated == [{"sequence": "12", "count": 2}]
    by_key = {r.project.key: r for r in table.rows}
    # Names, divisions and policy cells as the summary prints them; the area tables' kept as notes.
    assert by_key["p2:1.3"].name == "แก้ปัญหาจุดจราจรผิด (แห่ง)"
    assert {"field": "name", "detail": "แก้ปัญหาจราจรจุดฝืด (แห่ง)"} in by_key["p2:1.3"].differences
    assert by_key["p2:2.1"].division == "ฝ่ายเทศกิจ" and {"field": "division", "detail": "ฝ่ายเทคนิค"} in by_key["p2:2.1"].differences
    assert by_key["p2:7.1"].policy == "" and {"field": "policy", "detail": "P๐๔๒ OKR ๗.๒.๐๕"} in by_key["p2:7.1"].differences
    assert by_key["p2:6.2.1"].policy == "P๒๓๖ P๑๑๔" and by_key["p2:6.2.1"].budget == Decimal("2275000")
    assert by_key["p2:1.4"].differences == [] and by_key["p2:1.4"].note is None
    assert table.total.computed == Decimal("35254295") and table.total.count == 39

    text = " ".join(_pages_between(pages, "โครงการ/กิจกรรมสำคัญตามยุทธศาสตร์ของหน่วยงาน", "ส่วนที่ ๓"))
    assert norm("๑๒ บูรณาการการดำเนินงานด้านความปลอดภัยจากอาชญากรรมเชิงพื้นที่") in text
    assert norm("เอกสารต้นฉบับพิมพ์ลำดับที่ ๑๒ ซ้ำ ๒ แถว") in text
    assert norm("ลำดับที่ ๓: ชื่อ «แก้ปัญหาจราจรจุดฝืด (แห่ง)»") in text
    assert norm("๓๕,๒๙๔,๒๙๕") in text and norm("จำนวน ๓๘ โครงการ/กิจกรรม แต่ตารางมี ๓๙ รายการ") in text


def test_front_matter_reads_as_printed(real_book):
    _context, _document, pages = real_book
    essence = " ".join(_pages_between(pages, "สาระสำคัญของแผนปฏิบัติราชการประจำปี", "ตัววัดผล/ตัวชี้วัดความสำเร็จสำคัญ (KR/KPI)"))
    assert norm("จรด จรด") not in essence and norm("ทิศเหนือ จรด เขตตลิ่งชัน") in essence
    assert essence.count(norm("มีอาณาเขตติดต่อกับพื้นที่การปกครองข้างเคียง ดังนี้")) == 1
    headings = ["การวิเคราะห์สภาพแวดล้อมภายในและภายนอก (SWOT Analysis)", "สภาพแวดล้อมภายใน", "จุดแข็ง", "๑. ผู้บริหารมีวิสัยทัศน์",
                "จุดอ่อน", "สภาพแวดล้อมภายนอก", "โอกาส", "อุปสรรค", "วิสัยทัศน์"]
    at = 0
    for heading in headings:  # each after the one before, in the document's order
        at = essence.index(norm(heading), at) + 1
    assert norm("๑. สภาพแวดล้อมภายนอกองค์กร (External Environment)") in essence


def test_cover_has_a_qr_code_to_the_plan_not_a_file_name(real_book, real_plan, settings):
    context, document, pages = real_book
    assert context["plan_url"] == settings.KPIPLAN_BASE_URL + "/" and context["plan_url"].startswith("http")
    assert norm(real_plan.source) not in pages[0] and norm("จากเอกสาร") not in pages[0]
    html = render_html("reports/book.html", context)
    cover = html[html.index('<section class="cover">'):html.index("</section>")]
    assert segno.make(context["plan_url"], error="m").svg_inline(scale=1, unit="mm", border=4) in cover
    drawn = []

    def walk(box):
        if type(box).__name__.endswith("ReplacedBox"):
            drawn.append(box)
        for child in getattr(box, "children", []) or []:
            walk(child)

    walk(document.pages[0]._page_box)
    assert len(drawn) == 1 and 25 < drawn[0].width * 25.4 / 96 < 45  # one QR code, about 3 cm (in mm)
    book = plan_book(real_plan, base_url="https://kpiplan.example/")
    assert book["plan_url"] == "https://kpiplan.example/"
    assert segno.make("https://kpiplan.example/", error="m").svg_inline(scale=1, unit="mm", border=4) in book["plan_qr"]


def test_grand_totals_are_printed_once_at_the_end_of_their_table(real_book):
    _context, _document, pages = real_book
    text = " ".join(pages)
    assert text.count(norm("รวมงบประมาณทั้งสิ้น (ผลรวมรายการ)")) == 2  # Part 1's table and Part 2's, once each
    part3 = _pages_between(pages, "บัญชีรายการโครงการ/กิจกรรมที่มีลักษณะเป็นภารกิจประจำพื้นฐาน", "ส่วนที่ ๔")
    assert " ".join(part3).count(norm("๕๙,๗๕๒,๔๕๕")) == 1 and norm("๕๙,๗๕๒,๔๕๕") in part3[-1]
    for division in ("รวมฝ่ายปกครอง", "รวมฝ่ายโยธา", "รวมฝ่ายการศึกษา", "รวมฝ่ายพัฒนาชุมชนและสวัสดิการสังคม"):
        assert " ".join(part3).count(norm(division)) == 1, division


def test_no_page_of_the_front_matter_and_parts_1_to_3_holds_a_line_or_two(real_book):
    _context, document, pages = real_book
    part4 = next(i for i, t in enumerate(pages) if norm("การแปลงแผนสู่การปฏิบัติและการติดตามประเมินผล") in t and "สารบัญ" not in t)

    def body_lines(page):
        count = 0

        def walk(box, in_margin):
            nonlocal count
            in_margin = in_margin or type(box).__name__ == "MarginBox"
            if type(box).__name__ == "LineBox" and not in_margin:
                count += 1
            for child in getattr(box, "children", []) or []:
                walk(child, in_margin)

        walk(page._page_box, False)
        return count

    sparse = [n for n, page in enumerate(document.pages[1:part4], start=2) if body_lines(page) < 6]
    assert sparse == []
