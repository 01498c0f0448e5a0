"""Part 4 of the action plan book (tables ก–ฉ) read as laid out, against the document:
what each table prints, where the document's own slips are said, and that no table leaves
a page to one row or a total to every page."""

from decimal import Decimal

import pytest

from indicators.models import Baseline
from projects.models import WorkStep
from reports.book import (
    FISCAL_MONTH_ABBR,
    baseline_lines,
    cumulative_disagreements,
    month_disagreements,
    split_into_rows,
)
from reports.tests.laid_out import norm

pytestmark = pytest.mark.django_db


def table_pages(pages: list[str], title: str, next_title: str | None) -> list[str]:
    """The pages of one table: from the page its title is on to the page before the next
    table's title (the table of contents, which lists every title, is not one of them)."""
    starts = [i for i, t in enumerate(pages) if norm(title) in t and "สารบัญ" not in t]
    first = starts[0]
    last = len(pages)
    if next_title:
        last = next(i for i, t in enumerate(pages) if norm(next_title) in t and "สารบัญ" not in t and i > first)
    return pages[first:last]


# --- pure helpers -----------------------------------------------------------------------


def test_paragraphs_are_grouped_into_rows_of_a_few_lines_none_cut():
    rows = split_into_rows(["ก" * 10, "ข" * 10, "ค" * 95, "ง" * 10], max_lines=2, line_chars=50)
    assert rows == [["ก" * 10, "ข" * 10], ["ค" * 95], ["ง" * 10]]
    # The first row may be as tall as the name and baseline beside it.
    assert split_into_rows(["ก" * 10] * 4, max_lines=2, line_chars=50, first_max_lines=3) == [["ก" * 10] * 3, ["ก" * 10]]
    # Thai vowel and tone marks above or below take no room on the line.
    assert split_into_rows(["กิ่" * 50, "ข"], max_lines=1, line_chars=50) == [["กิ่" * 50], ["ข"]]
    assert split_into_rows([], max_lines=5, line_chars=50) == []


def test_a_baseline_year_with_two_measures_is_printed_once():
    text = "ปี ๒๕๖๕ = ๑๒๕,๓๑๔ ต้น เป็นไม้ยืนต้น ๒๗,๑๐๐ ต้น"
    baselines = [Baseline(year=2565, label="ต้นไม้ทั้งหมด", text=text), Baseline(year=2565, label="ไม้ยืนต้น", text=text),
                 Baseline(year=2566, value=Decimal("34.467"), unit="กม.")]
    assert baseline_lines(baselines) == [text, "พ.ศ. ๒๕๖๖ : ๓๔.๔๖๗ กม."]


def test_work_step_slips_are_found():
    steps = [WorkStep(number=9, name="รายงาน ประจำเดือนเมษายน ๒๕๖๗", weight=7, cumulative_percent=57, months=[6]),
             WorkStep(number=10, name="รายงาน ประจำเดือนพฤษภาคม ๒๕๖๗", weight=7, cumulative_percent=64, months=[8]),
             WorkStep(number=11, name="รายงานผลการดำเนินการ", weight=7, cumulative_percent=73, months=[8])]
    assert cumulative_disagreements(steps) == [
        {"number": 11, "printed": 73, "previous": 64, "weight": 7, "expected": 71}]
    # Step 9 names April (fiscal month 7) but is marked in March; step 10's mark is in May,
    # as its text says; step 11 names no month.
    assert month_disagreements(steps, FISCAL_MONTH_ABBR) == [{"number": 9, "named": "เมษายน", "marked": ["มี.ค."]}]
    first = [WorkStep(number=1, name="เตรียมการ", weight=10, cumulative_percent=12, months=[1])]
    assert cumulative_disagreements(first)[0]["expected"] == 10


# --- the real plan's book -----------------------------------------------------------------


def test_part4_title_shares_its_page_with_table_a(real_book):
    _context, document, pages = real_book
    index = next(i for i, t in enumerate(pages) if norm("ส่วนที่ ๔") in t and "สารบัญ" not in t)
    assert norm("ตาราง ก แสดงตัวชี้วัด") in pages[index]
    assert document.pages[index].width > document.pages[index].height  # landscape, as table ก


def test_table_a_prints_each_kpis_type_and_formula(real_book):
    _context, _document, pages = real_book
    text = "".join(table_pages(pages, "ตาราง ก แสดงตัวชี้วัด", "ตาราง ข แสดงตัวชี้วัด"))
    assert norm("KPI ๑.๕.๔.๑ : อัตราป่วยโรคไข้เลือดออกไม่เกินข้อมูลย้อนหลัง ๕ ปี (ผลลัพธ์)") in text
    assert norm("วิธีคำนวณ (ตัวชี้วัดของโครงการ) จำนวนชุมชนที่จัดกิจกรรม × 100 / จำนวนชุมชนทั้งหมด") in text
    assert norm("(เช่น คนพิการ ผู้สูงอายุ คนไร้บ้าน แม่ที่ท้องไม่พร้อม ฯลฯ) (ผลผลิต)") in text
    # Under the objective and key result, as the document heads each table.
    assert norm("ตัววัดผลหลัก (Key Result : KR) KR ๒ : ประชาชนกลุ่มเปราะบางได้รับการสนับสนุนให้มีอาชีพ") in text


def test_table_b_has_only_the_rows_the_document_prints(real_book):
    context, _document, pages = real_book
    okrs = [k for b in context["table_b"] for o in b["objectives"] for k in o["okrs"]]
    assert len(okrs) == 26
    text = "".join(table_pages(pages, "ตาราง ข แสดงตัวชี้วัดยุทธศาสตร์หน่วยงาน", "ตาราง ค แสดงตัวชี้วัด"))
    assert norm("OKR ๑.๑.๐๑ จำนวนจุดหาบเร่แผงลอยที่อยู่นอกจุดผ่อนผัน*") in text
    # Part 2's OKR ๑.๑.๐๒ (motorcycles on pavements) is not in table ข.
    assert norm("OKR ๑.๑.๐๒") not in text and norm("จำนวนมอเตอร์ไซค์วิ่งบนทางเท้า") not in text


def test_table_c_prints_each_baseline_year_once(real_book):
    _context, _document, pages = real_book
    text = "".join(table_pages(pages, "ตาราง ค แสดงตัวชี้วัด", "ตาราง ง ตารางแสดงความเชื่อมโยง"))
    assert text.count(norm("ปี ๒๕๖๕ = ๑๒๕,๓๑๔ ต้น")) == 1
    assert text.count(norm("พ.ศ. ๒๕๖๖ : ๑. ติดตั้ง/ซ่อมแซมไฟฟ้าส่องสว่าง ๗๙,๖๗๘ ดวง")) == 1


def test_a_table_c_row_on_any_page_names_its_indicator(real_book):
    context, _document, pages = real_book
    table_c = table_pages(pages, "ตาราง ค แสดงตัวชี้วัด", "ตาราง ง ตารางแสดงความเชื่อมโยง")
    continued = 0
    for item in context["table_c"]:
        ind = item["indicator"]
        assert len(item["rows"]) > 1, ind.code  # every definition of the real plan is longer than a row
        for paragraphs in item["rows"]:
            needle = next((norm(p) for p in paragraphs if len(norm(p)) >= 40), None)
            if needle is None:
                continue
            page = next(t for t in table_c if needle[:60] in t)
            assert norm(ind.code.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))) in page, ind.code
            assert norm(ind.name) in page, ind.code
            continued += page.count(norm(f"{ind.name} (ต่อ)"))
    assert continued > 10
    # The weight total once, after the last indicator.
    assert sum(t.count(norm("รวมน้ำหนักคะแนนตาราง ค ๗๐")) for t in pages) == 1


def test_table_d_keeps_area_9_and_the_footnote_with_its_last_rows(real_book):
    context, _document, pages = real_book
    areas = {a["label"]: a for a in context["table_d"]}
    assert [r["link"].kr_text for r in areas["ด้านที่ ๙ ด้านบริหารจัดการดี"]["rows"]] == ["จำนวนประชาชนที่มาใช้บริการขออนุญาตรูปแบบใหม่"]
    area8 = next(a for label, a in areas.items() if label.startswith("ด้านที่ ๘ "))
    assert "จำนวนประชาชนที่มาใช้บริการขออนุญาตรูปแบบใหม่" not in [r["link"].kr_text for r in area8["rows"]]
    last = next(t for t in pages if norm("หมายเหตุ * หมายถึง เป็นส่วนหนึ่งของโครงการนั้น") in t)
    assert norm("ด้านที่ ๙ ด้านบริหารจัดการดี") in last and norm("(BMA OSS)") in last
    # More than the one row under area 9 goes with the footnote.
    assert norm("พัฒนาฐานข้อมูลออนไลน์ชุมชน") in last
    # Rows of one key result print it once, as the document does (seven canal projects).
    canal = [r for a in context["table_d"] for r in a["rows"] if r["link"].kr_text == "ขุดลอกคลอง เปิดทางน้ำไหล"]
    assert [r["show_kr"] for r in canal] == [True] + [False] * 6


def test_table_e_says_where_the_document_slips_and_totals_once(real_book):
    _context, _document, pages = real_book
    text = "".join(table_pages(pages, "ตาราง จ ขั้นตอนการปฏิบัติงาน", "ตาราง ฉ แสดงตัวชี้วัด"))
    assert norm("ไม่ครบร้อยละ ๑๐๐") in text
    assert norm("ขั้นตอนที่ ๑๑ เอกสารต้นฉบับพิมพ์ร้อยละสะสม ๗๓ แต่ร้อยละสะสม ๖๔ ของขั้นตอนก่อนหน้า รวมน้ำหนัก ๗ ได้ ๗๑") in text
    assert norm("ขั้นตอนที่ ๙ ระบุเดือนเมษายน แต่เอกสารต้นฉบับทำเครื่องหมายไว้ในช่อง มี.ค.") in text
    assert norm("ขั้นตอนที่ ๑๐ ระบุเดือนพฤษภาคม แต่เอกสารต้นฉบับทำเครื่องหมายไว้ในช่อง เม.ย.") in text
    # The weight total once at the end, not at the foot of every page of the table.
    assert sum(t.count(norm("รวมน้ำหนัก ๔๙")) for t in pages) == 1
    last = next(t for t in pages if norm("รวมน้ำหนัก ๔๙") in t)
    assert norm("ขั้นตอนที่ ๑๐ ระบุเดือนพฤษภาคม") in last and norm("ประจำเดือนพฤษภาคม ๒๕๖๗") in last


def test_table_f_heads_each_component_once(real_book):
    _context, _document, pages = real_book
    text = "".join(table_pages(pages, "ตาราง ฉ แสดงตัวชี้วัด", None))
    assert norm("ตาราง ฉ แสดงตัวชี้วัดและโครงการ/กิจกรรมสนับสนุนภารกิจ ตามองค์ประกอบที่ ๒ - ๓ และองค์ประกอบที่ ๔") in text
    assert norm("องค์ประกอบที่ ๒ ประสิทธิภาพของการบริหารจัดการ") in text
    assert norm("องค์ประกอบที่ ๓ ประสิทธิภาพของการดำเนินการของหน่วยงาน (Potential Base)") in text
    assert text.count(norm("องค์ประกอบที่ ๓")) == 1 and norm("องค์ประกอบที่ ๒ องค์ประกอบที่ ๒") not in text
