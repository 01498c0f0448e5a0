"""Issue 16 item 6: the quarterly report and table ค print indicator 1.2 with the Traffy
ticket counts behind it and their source; the Excel exports list the period's tickets."""

import datetime
import subprocess
import tracemalloc
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from plans.models import Period
from progress.scorecard import build_scorecard
from reports.builders import quarterly_progress
from reports.pdf import layout, page_texts
from reports.registry import produce
from reports.tests.laid_out import norm
from traffy.models import FINISHED, Batch, Ticket

TRAFFY_INDICATOR_KEY = "pa:1.2"  # traffy.proposal's default key

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")
SOURCE = "traffy-phasi-charoen-2566-12.csv"


def at(y, m, d, h=9):
    return datetime.datetime(y, m, d, h, tzinfo=BKK)


def ticket(org, batch, n, reported, state="รอรับเรื่อง", finished=None, **kw):
    return Ticket(organization=org, batch=batch, ticket_id=f"2023-TEST{n:04d}", problem_types=kw.pop("types", ["ถนน"]),
                  subdistrict=kw.pop("subdistrict", "บางหว้า"), state=state, reported_at=reported, finished_at=finished,
                  photo_url=kw.pop("photo", f"https://storage.traffy.in.th/p/{n}.jpg"), **kw)


def add_tickets(org, n_extra=0):
    """Q1 of FY 2567 (Oct–Dec 2566), by hand:
    - October: 3 received; 2 finished in October; 1 finished in January (not by December's end).
    - November: 2 received; 1 finished in November (re-opened twice, finished again).
    - December: 3 received; 1 finished in December; 1 still in progress; 1 waiting.
    - September 2566 (fiscal 2566): 1, outside the year.
    To December's end: received 8, resolved 4 → 50.00 %."""
    batch = Batch.objects.create(organization=org, kind=Batch.Kind.CSV, source=SOURCE, read=9, created=9,
                                 finished_at=at(2024, 1, 15))
    rows = [
        ticket(org, batch, 1, at(2023, 10, 2), FINISHED, at(2023, 10, 5)),
        ticket(org, batch, 2, at(2023, 10, 10), FINISHED, at(2023, 10, 20), types=["น้ำท่วม", "ถนน"]),
        ticket(org, batch, 3, at(2023, 10, 30), FINISHED, at(2024, 1, 3)),
        ticket(org, batch, 4, at(2023, 11, 1), FINISHED, at(2023, 11, 25), count_reopen=2, subdistrict="บางจาก"),
        ticket(org, batch, 5, at(2023, 11, 15), "กำลังดำเนินการ"),
        ticket(org, batch, 6, at(2023, 12, 1), FINISHED, at(2023, 12, 2), photo=""),
        ticket(org, batch, 7, at(2023, 12, 20), "กำลังดำเนินการ"),
        ticket(org, batch, 8, at(2023, 12, 31, 23), "รอรับเรื่อง"),
        ticket(org, batch, 9, at(2023, 9, 30), FINISHED, at(2023, 10, 1)),
    ]
    rows += [ticket(org, batch, 100 + i, at(2023, 11, 1 + i % 28), FINISHED if i % 2 else "รอรับเรื่อง",
                    at(2023, 12, 1) if i % 2 else None) for i in range(n_extra)]
    Ticket.objects.bulk_create(rows)
    return batch


def test_the_key_names_indicator_1_2_of_the_real_plan(real_plan):
    from indicators.models import Indicator

    assert Indicator.objects.get(plan=real_plan, key=TRAFFY_INDICATOR_KEY).code == "1.2"


def test_quarterly_builder_carries_the_counts_to_the_quarters_end_and_the_source(cast):
    add_tickets(cast.org)
    report = quarterly_progress(cast.plan, 1)
    lines = [line for sec in report["sections"] for line in sec.indicators]
    [line] = [line for line in lines if line.status.indicator.key == TRAFFY_INDICATOR_KEY]
    ev = line.traffy
    assert (ev.received, ev.resolved, ev.rate) == (8, 4, Decimal("50.00"))
    assert ev.as_of == datetime.date(2023, 12, 31)  # imported in January: the quarter's end
    assert ev.batch.source == SOURCE and ev.imported_on == datetime.date(2024, 1, 15)
    assert all(other.traffy is None for other in lines if other is not line)


def test_data_imported_before_the_months_end_is_dated_by_its_import(cast):
    batch = add_tickets(cast.org)
    Batch.objects.filter(pk=batch.pk).update(finished_at=at(2023, 12, 10))
    ev = [r for r in build_scorecard(cast.plan, Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)).rows
          if r.indicator.key == TRAFFY_INDICATOR_KEY][0].traffy
    assert ev.as_of == datetime.date(2023, 12, 10)


def test_no_import_no_line(cast):
    report = quarterly_progress(cast.plan, 1)
    assert all(line.traffy is None for sec in report["sections"] for line in sec.indicators)


def test_scorecard_of_a_month_counts_to_that_months_end(cast, period):
    add_tickets(cast.org)
    november = Period.objects.get(fiscal_year_id=2567, kind="month", number=2)
    [row] = [r for r in build_scorecard(cast.plan, november).rows if r.indicator.key == TRAFFY_INDICATOR_KEY]
    # Oct + Nov received 5; by November's end #1, #2, #4 finished (#3 only in January).
    assert (row.traffy.received, row.traffy.resolved, row.traffy.rate) == (5, 3, Decimal("60.00"))


def _pdftotext(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_quarterly_pdf_prints_the_evidence_line_in_thai_digits(cast):
    add_tickets(cast.org)
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    document = layout("reports/quarterly.html", _official(lambda: quarterly_progress(cast.plan, 1)))
    text = norm(" ".join(page_texts(document)))
    assert norm("Traffy Fondue: รับเรื่อง ๘ เรื่อง แก้ไขเสร็จ ๔ เรื่อง ร้อยละ ๕๐.๐๐ (ถึง ๓๑ ธันวาคม ๒๕๖๖)") in text
    assert norm(f"ที่มา: ไฟล์ CSV ที่ส่งออก {SOURCE} นำเข้าเมื่อ ๑๕ มกราคม ๒๕๖๗") in text
    # The PDF file itself, as a reader's tool extracts it (pdftotext maps some vowels of
    # the embedded font oddly, so the check stops short of them).
    words = norm(_pdftotext(produce("quarterly", cast.plan, {"period": q1.pk}).content))
    assert norm("Traffy Fondue: รับเรื่อง ๘ เรื่อง แก้ไขเสร็จ ๔ เรื่อง ร้อยละ ๕๐.๐๐ (ถึง ๓๑") in words and SOURCE in words


def test_scorecard_pdf_and_page_print_the_evidence_line(client, cast):
    add_tickets(cast.org)
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    words = norm(_pdftotext(produce("scorecard", cast.plan, {"period": q1.pk}).content))
    assert norm("Traffy Fondue: รับเรื่อง ๘ เรื่อง แก้ไขเสร็จ ๔ เรื่อง ร้อยละ ๕๐.๐๐ (ถึง ๓๑") in words and SOURCE in words
    client.force_login(cast.planner)
    page = " ".join(client.get(reverse("progress:scorecard"), {"period": q1.pk}).content.decode().split())
    assert ("Traffy Fondue: รับเรื่อง ๘ เรื่อง แก้ไขเสร็จ ๔ เรื่อง ร้อยละ ๕๐.๐๐ (ถึง ๓๑ ธันวาคม ๒๕๖๖) ที่มา: ไฟล์ CSV ที่ส่งออก "
            f"{SOURCE} นำเข้าเมื่อ ๑๕ มกราคม ๒๕๖๗") in page


def _official(build):
    with translation.override("th"):
        return build()


def _count_queries(build) -> int:
    with CaptureQueriesContext(connection) as queries:
        build()
    return len(queries)


def test_builders_query_count_does_not_grow_with_the_tickets(cast):
    add_tickets(cast.org)
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    quarterly, card = _count_queries(lambda: quarterly_progress(cast.plan, 1)), _count_queries(lambda: build_scorecard(cast.plan, q1))
    add_tickets_more(cast.org, 300)
    assert _count_queries(lambda: quarterly_progress(cast.plan, 1)) == quarterly
    assert _count_queries(lambda: build_scorecard(cast.plan, q1)) == card


def add_tickets_more(org, n, first=0):
    batch = Batch.objects.create(organization=org, kind=Batch.Kind.API, source="api", finished_at=timezone.now())
    Ticket.objects.bulk_create((ticket(org, batch, 5000 + first + i, at(2023, 11, 1 + i % 28)) for i in range(n)), batch_size=1000)


def _sheet(content):
    wb = load_workbook(BytesIO(content))
    assert "Traffy Fondue" in wb.sheetnames
    ws = wb["Traffy Fondue"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "เลขที่เรื่อง")
    header = [c.value for c in ws[header_row]]
    return ws, header, [list(row) for row in ws.iter_rows(min_row=header_row + 1)]


def test_quarterly_workbook_lists_the_quarters_tickets(client, cast):
    add_tickets(cast.org)
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.planner)
    response = client.get(reverse("reports:quarterly-xlsx"), {"plan": cast.plan.pk, "period": q1.pk})
    assert response.status_code == 200
    ws, header, rows = _sheet(response.content)
    assert header == ["เลขที่เรื่อง", "วันที่รับแจ้ง", "ประเภทปัญหา", "แขวง", "สถานะ", "วันที่เสร็จสิ้น",
                      "จำนวนวัน (รับแจ้งถึงเสร็จสิ้น หรือถึงวันที่จัดทำ)", "เปิดเรื่องซ้ำ (ครั้ง)", "ภาพถ่าย"]
    ids = [r[0].value for r in rows]
    assert ids == [f"2023-TEST{n:04d}" for n in range(1, 9)]  # September's ticket is not the quarter's; oldest first
    two = rows[1]
    assert two[1].value == datetime.datetime(2023, 10, 10, 9) and two[1].number_format == "yyyy-mm-dd hh:mm"
    assert two[2].value == "น้ำท่วม, ถนน" and two[4].value == FINISHED
    assert two[5].value == datetime.datetime(2023, 10, 20, 9) and two[6].value == 10
    assert rows[3][3].value == "บางจาก" and rows[3][7].value == 2
    assert rows[4][5].value is None and rows[4][6].value > 700  # still open: days to today
    assert rows[0][8].value == '=HYPERLINK("https://storage.traffy.in.th/p/1.jpg","https://storage.traffy.in.th/p/1.jpg")'
    assert rows[5][8].value is None  # no photo


def test_scorecard_workbook_lists_the_periods_tickets_and_none_without_imports(cast):
    from reports.registry import scorecard_workbook

    december = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    assert "Traffy Fondue" not in load_workbook(BytesIO(scorecard_workbook(cast.plan, december).content)).sheetnames
    add_tickets(cast.org)
    _ws, _header, rows = _sheet(scorecard_workbook(cast.plan, december).content)
    assert [r[0].value for r in rows] == ["2023-TEST0006", "2023-TEST0007", "2023-TEST0008"]


def _workbook_peak(plan, period) -> tuple[int, int]:
    """(peak bytes allocated while making the workbook, the file's size)."""
    from reports.registry import scorecard_workbook

    tracemalloc.start()
    try:
        size = len(scorecard_workbook(plan, period).content)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_the_tickets_sheet_is_streamed_not_held(cast):
    """Ten times the tickets: the memory grows with the file that is handed out (a few
    copies of it while it is zipped), not with rows held as cells or links held until the
    end (held as cells or links, rows cost well over four times their file)."""
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    add_tickets_more(cast.org, 600)  # more than a chunk read from the database
    small, small_size = _workbook_peak(cast.plan, q1)
    add_tickets_more(cast.org, 3000, first=1000)
    big, big_size = _workbook_peak(cast.plan, q1)
    assert big_size > small_size + 50_000  # the rows are there
    assert big - small < 4 * (big_size - small_size), (big - small, big_size - small_size)
