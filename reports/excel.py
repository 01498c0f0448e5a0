"""Excel versions of the report tables, from the same builders as the PDFs.

A workbook is for people who go on working with the numbers: numbers stay numbers (with
thousands separators as a format, never as text), words are the PDF's Thai words (the
status labels come from the PDF's own template), and each sheet opens with the same
title lines as the printed report, its header frozen under them. Text that starts like a
formula (=, +, -, @) stays text (kpiplan.lib.spreadsheets.put_cell)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from indicators.calculations import Status
from kpiplan.lib.fiscal import fiscal_months, period_name_th
from kpiplan.lib.spreadsheets import inert_cell
from kpiplan.lib.thai import format_be_date, to_thai_digits
from projects.calculations import execution
from traffy.evidence import period_tickets
from traffy.kpi import days
from traffy.models import FINISHED, Batch

HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
TOTAL_FILL = PatternFill("solid", fgColor="F3F5F8")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

WHOLE = "#,##0"
DECIMAL = "#,##0.00"
TICKETS_CHUNK = 500  # tickets read per round trip while their sheet is written
DATE_TIME = "yyyy-mm-dd hh:mm"  # ISO, sortable and unambiguous (Excel's B.E. year codes are not portable)
AUTO = "auto"  # whole numbers as WHOLE, others as DECIMAL (results of different units)

# Styles made once: a sheet of many rows reuses them rather than hashing new ones per cell.
TOP = Alignment(vertical="top")
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
LINK_FONT = Font(color="0563C1", underline="single")

NOT_ASSESSED = "ยังไม่ประเมิน"
NOT_REPORTED = "ยังไม่รายงาน"


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    number_format: str | None = None  # set for the columns that hold numbers


def number_format(value, column_format: str | None) -> str | None:
    """The format of one numeric cell; None for text and empty cells."""
    if column_format is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if column_format == AUTO:
        return WHOLE if value == int(value) else DECIMAL
    return column_format


def status_labels() -> dict[str, str]:
    """The PDF's Thai status words, read from the template the PDFs use."""
    return {s.value: render_to_string("reports/_status.html", {"value": s.value}).strip() for s in Status}


def _cell(ws, value, *, font=None, fill=None, border=None, alignment=None, number_format=None):
    """A streamed cell (the workbooks are write-only: memory stays flat however many rows),
    text that looks like a formula kept as text."""
    cell = inert_cell(WriteOnlyCell(ws, value=value))
    for name, style in (("font", font), ("fill", fill), ("border", border), ("alignment", alignment),
                        ("number_format", number_format)):
        if style is not None:
            setattr(cell, name, style)
    return cell


def _table(wb, name: str, titles: list[str], columns: list[Column], rows: Iterable[list], *, total_rows=frozenset()):
    """A sheet: title lines, a blank line, the header (frozen and repeated on printed
    pages), the rows (any iterable: written as they come); rows whose index is in
    `total_rows` are bold totals."""
    ws = wb.create_sheet(name[:31])
    header_row = len(titles) + 2
    # A streamed sheet takes its columns, panes and page before its first row.
    for c, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = column.width
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for i, text in enumerate(titles, start=1):
        ws.append([_cell(ws, text, font=Font(bold=True, size=14 if i == 1 else 12))])
    ws.append([])
    ws.append([_cell(ws, column.header, font=Font(bold=True), fill=HEADER_FILL, border=BORDER,
                     alignment=Alignment(wrap_text=True, vertical="center", horizontal="center")) for column in columns])
    for r, values in enumerate(rows):
        total = r in total_rows
        cells = []
        for value, column in zip(values, columns, strict=True):
            if isinstance(value, Link):
                cells.append(_link(ws, value.url))
                continue
            fmt = DATE_TIME if isinstance(value, datetime.datetime) else number_format(value, column.number_format)
            cells.append(_cell(ws, value, border=BORDER, number_format=fmt, alignment=TOP if fmt else TOP_WRAP,
                               font=BOLD if total else None, fill=TOTAL_FILL if total else None))
        ws.append(cells)
    return ws


@dataclass(frozen=True)
class Link:
    """A cell value written as a link to its address."""

    url: str


# An address Excel's HYPERLINK() takes as it is: http(s), no quote, no space, at most
# 255 characters (the function's limit).
_LINKABLE = re.compile(r'https?://[^"\s]{1,240}')


def _link(ws, url: str):
    """A photo's address as a link (photos stay on Traffy's servers, issue 16). A
    HYPERLINK() formula rather than a cell hyperlink: openpyxl keeps every hyperlink in
    memory until the sheet is saved, a formula is written with its row and forgotten. The
    formula is built here from a checked address, never from the text as it came (any
    other text stays text)."""
    if not _LINKABLE.fullmatch(url):
        return _cell(ws, url, border=BORDER, alignment=TOP_WRAP)
    cell = WriteOnlyCell(ws, value=f'=HYPERLINK("{url}","{url}")')
    cell.border, cell.alignment, cell.font = BORDER, TOP, LINK_FONT
    return cell


# -- Traffy Fondue tickets -------------------------------------------------------------------

TICKET_COLUMNS = [
    Column("เลขที่เรื่อง", 14), Column("วันที่รับแจ้ง", 17), Column("ประเภทปัญหา", 24), Column("แขวง", 16),
    Column("สถานะ", 14), Column("วันที่เสร็จสิ้น", 17), Column("จำนวนวัน (รับแจ้งถึงเสร็จสิ้น หรือถึงวันที่จัดทำ)", 14, "0.0"),
    Column("เปิดเรื่องซ้ำ (ครั้ง)", 10, WHOLE), Column("ภาพถ่าย", 40),
]


def _local(value):
    """An aware time as Excel holds it: Bangkok wall time without a zone."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def tickets_sheet(wb, titles: list[str], organization_id: int, start, end) -> None:
    """The organization's Traffy tickets reported from `start` to `end` (dates), one row
    each, streamed from the database in chunks into the write-only sheet; nothing when the
    organization never imported Traffy tickets (no empty sheet in every workbook)."""
    if not Batch.objects.filter(organization_id=organization_id).exists():
        return
    now = timezone.now()
    titles = [*titles, f"เรื่องร้องเรียนผ่าน Traffy Fondue ที่รับแจ้ง {format_be_date(start)} – {format_be_date(end)}"]

    def rows():
        fields = ("ticket_id", "reported_at", "problem_types", "subdistrict", "state", "finished_at", "count_reopen", "photo_url")
        for t in period_tickets(organization_id, start, end).only(*fields).iterator(chunk_size=TICKETS_CHUNK):
            until = t.finished_at if t.state == FINISHED and t.finished_at else now
            yield [t.ticket_id, _local(t.reported_at), ", ".join(t.problem_types or []), t.subdistrict, t.state,
                   _local(t.finished_at) if t.state == FINISHED else None, days((until - t.reported_at).total_seconds()),
                   t.count_reopen, Link(t.photo_url) if t.photo_url else ""]

    _table(wb, "Traffy Fondue", titles, TICKET_COLUMNS, rows())


def _made_on() -> str:
    return f"จัดทำเมื่อ {format_be_date(timezone.localdate())}"


def _save(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# -- table ค ---------------------------------------------------------------------------

def _assessment(a) -> list:
    if a is None:
        return [NOT_ASSESSED, None]
    return [a.level, a.points]


def scorecard_xlsx(plan, period, card) -> bytes:
    wb = Workbook(write_only=True)
    titles = [
        plan.organization.name,
        f"ตาราง ค ตัวชี้วัดและภารกิจจากการเจรจาตกลง การประเมินผลการปฏิบัติราชการ ประจำปี พ.ศ. {to_thai_digits(plan.fiscal_year_id)}",
        period.name_th,
        _made_on(),
    ]
    columns = [
        Column("ที่", 8), Column("ชื่อตัวชี้วัด", 45), Column("ข้อมูลพื้นฐาน", 35), Column("เป้าหมาย", 35),
        Column("ผล", 12, AUTO), Column("ผลถึง", 16), Column("น้ำหนัก (คะแนน)", 10, AUTO),
        Column("ประเมินตนเอง: ระดับ", 14, WHOLE), Column("ประเมินตนเอง: คะแนน", 12, AUTO),
        Column("ผู้ประเมิน: ระดับ", 14, WHOLE), Column("ผู้ประเมิน: คะแนน", 12, AUTO), Column("หลักฐาน (ไฟล์)", 10, WHOLE),
    ]
    rows = [[
        r.indicator.code, r.indicator.name, "\n".join(r.baseline_texts), r.indicator.target_text,
        NOT_REPORTED if r.result is None else r.result, r.result_until.short_name_th if r.result_until else "",
        r.indicator.weight, *_assessment(r.self_assessment), *_assessment(r.evaluator), r.evidence_count,
    ] for r in card.rows]
    rows.append(["", "รวม", "", "", None, "", card.total_weight,
                 NOT_ASSESSED if card.self_total is None else None, card.self_total,
                 NOT_ASSESSED if card.evaluator_total is None else None, card.evaluator_total, None])
    _table(wb, "ตาราง ค", titles, columns, rows, total_rows={len(rows) - 1})
    tickets_sheet(wb, titles, plan.organization_id, period.start, period.end)
    return _save(wb)


# -- quarterly progress --------------------------------------------------------------------

def quarterly_titles(report: dict) -> list[str]:
    plan, division = report["plan"], report["division"]
    return [
        plan.organization.name + (f" · {division.name}" if division else ""),
        f"รายงานผลการดำเนินงานตามแผนปฏิบัติราชการ ประจำปีงบประมาณ พ.ศ. {to_thai_digits(plan.fiscal_year_id)}",
        f"{period_name_th(plan.fiscal_year_id, 'quarter', report['quarter'])} · ข้อมูลถึง {report['month'].name_th}",
        _made_on(),
    ]


def quarterly_xlsx(report: dict) -> bytes:
    wb = Workbook(write_only=True)
    titles = quarterly_titles(report)
    labels = status_labels()
    indicators, projects, project_totals = [], [], set()
    lines = []  # every project line, for the grand total
    for sec in report["sections"]:
        for line in sec.indicators:
            s, e = line.status, line.entry
            indicators.append([sec.division.name, str(s.indicator), s.indicator.target_text, s.result, s.achievement,
                               labels[s.status.value], e.narrative if e else "", e.obstacles if e else "",
                               e.n_evidence if e else 0, e.verified_value if e else None, e.evaluation_comment if e else ""])
            for m in s.measures:  # a line per measure, each judged against its own target
                target = f"{m.target:f} {m.unit}" if m.target is not None else "ไม่มีเป้าหมายของเขต"
                indicators.append([sec.division.name, f"{s.indicator} – {m.label}", target, m.result, m.achievement,
                                   labels[m.status.value], "", "", None, None, ""])
        for line in sec.projects:
            ex, e = line.execution.execution, line.entry
            label = line.execution.label
            if line.counted_as is None:
                lines.append(ex)
            else:  # the plan lists it in two parts: counted once, as the PDF says
                label += f" (โครงการเดียวกับส่วนที่ {line.counted_as.section} ไม่นับซ้ำในยอดรวม)"
            projects.append([sec.division.name, label, ex.allocated, ex.disbursed, ex.percent,
                             e.percent_complete if e else None, e.narrative if e else "", e.obstacles if e else ""])
        if sec.projects:
            subtotal = execution([(sec.allocated, sec.disbursed)])
            project_totals.add(len(projects))
            projects.append([sec.division.name, f"รวม{sec.division.name}", subtotal.allocated, subtotal.disbursed,
                             subtotal.percent, None, "", ""])
    if len(report["sections"]) > 1 and lines:
        grand = execution((ex.allocated, ex.disbursed) for ex in lines)
        project_totals.add(len(projects))
        projects.append(["", "รวมทั้งสิ้น", grand.allocated, grand.disbursed, grand.percent, None, "", ""])

    _summary(wb, report, titles, labels)
    _table(wb, "ตัวชี้วัด", titles, [
        Column("ฝ่าย", 24), Column("ตัวชี้วัด", 50), Column("ค่าเป้าหมาย", 24), Column("ผลสะสม", 12, AUTO),
        Column("ร้อยละผลสัมฤทธิ์", 12, DECIMAL), Column("สถานะ", 14), Column("สิ่งที่ดำเนินการ", 40),
        Column("ปัญหาอุปสรรค", 30), Column("หลักฐาน (ไฟล์)", 9, WHOLE), Column("ผลที่ตรวจสอบ", 12, AUTO),
        Column("ความเห็นผู้ประเมิน", 30),
    ], indicators)
    _table(wb, "โครงการ", titles, [
        Column("ฝ่าย", 24), Column("โครงการ/กิจกรรม", 50), Column("งบประมาณ (บาท)", 16, DECIMAL),
        Column("เบิกจ่าย (บาท)", 16, DECIMAL), Column("ร้อยละเบิกจ่าย", 10, DECIMAL), Column("ความคืบหน้า (ร้อยละ)", 11, DECIMAL),
        Column("สิ่งที่ดำเนินการ", 40), Column("ปัญหาอุปสรรค", 30),
    ], projects, total_rows=project_totals)
    if report["division"] is None:  # the tickets are the district's, not one division's
        plan = report["plan"]
        first = fiscal_months(plan.fiscal_year_id)[(report["quarter"] - 1) * 3]
        tickets_sheet(wb, titles, plan.organization_id, first.start, report["month"].end)
    return _save(wb)


def _summary(wb, report: dict, titles: list[str], labels: dict[str, str]) -> None:
    """The PDF's opening figures: indicators by status, and the plan's budget execution."""
    counts = report["status_counts"]
    rows = [[labels[s.value], counts.get(s.value, 0), None] for s in Status]
    rows.append(["รวมตัวชี้วัด", sum(counts.get(s.value, 0) for s in Status), None])
    totals = {len(rows) - 1}
    budget = report["budget"]
    if budget is not None:
        ex = budget.execution
        rows += [["", None, None], ["งบประมาณทั้งแผน (บาท)", None, ex.allocated], ["เบิกจ่ายแล้ว (บาท)", None, ex.disbursed],
                 ["ร้อยละเบิกจ่าย", None, ex.percent]]
    _table(wb, "สรุป", titles, [Column("รายการ", 34), Column("จำนวนตัวชี้วัด", 14, WHOLE), Column("จำนวน", 20, DECIMAL)],
           rows, total_rows=totals)
