"""Excel versions of the report tables, from the same builders as the PDFs.

A workbook is for people who go on working with the numbers: numbers stay numbers (with
thousands separators as a format, never as text), words are the PDF's Thai words (the
status labels come from the PDF's own template), and each sheet opens with the same
title lines as the printed report, its header frozen under them. Text that starts like a
formula (=, +, -, @) stays text (kpiplan.lib.spreadsheets.put_cell)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from indicators.calculations import Status
from kpiplan.lib.fiscal import period_name_th
from kpiplan.lib.spreadsheets import put_cell
from kpiplan.lib.thai import format_be_date, to_thai_digits
from projects.calculations import execution

HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
TOTAL_FILL = PatternFill("solid", fgColor="F3F5F8")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

WHOLE = "#,##0"
DECIMAL = "#,##0.00"
AUTO = "auto"  # whole numbers as WHOLE, others as DECIMAL (results of different units)

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


def _table(wb, name: str, titles: list[str], columns: list[Column], rows: list[list], *, total_rows=frozenset()):
    """A sheet: title lines, a blank line, the header (frozen and repeated on printed
    pages), the rows; rows whose index is in `total_rows` are bold totals."""
    ws = wb.create_sheet(name[:31])
    for i, text in enumerate(titles, start=1):
        cell = put_cell(ws, i, 1, text)
        cell.font = Font(bold=True, size=14 if i == 1 else 12)
    header_row = len(titles) + 2
    for c, column in enumerate(columns, start=1):
        cell = put_cell(ws, header_row, c, column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(c)].width = column.width
    for r, values in enumerate(rows):
        total = r in total_rows
        for c, (value, column) in enumerate(zip(values, columns, strict=True), start=1):
            cell = put_cell(ws, header_row + 1 + r, c, value)
            cell.border = BORDER
            fmt = number_format(value, column.number_format)
            if fmt:
                cell.number_format = fmt
                cell.alignment = Alignment(vertical="top")
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if total:
                cell.font = Font(bold=True)
                cell.fill = TOTAL_FILL
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _made_on() -> str:
    return f"จัดทำเมื่อ {format_be_date(timezone.localdate())}"


def _save(wb) -> bytes:
    del wb[wb.sheetnames[0]]  # the empty default sheet
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# -- table ค ---------------------------------------------------------------------------

def _assessment(a) -> list:
    if a is None:
        return [NOT_ASSESSED, None]
    return [a.level, a.points]


def scorecard_xlsx(plan, period, card) -> bytes:
    wb = Workbook()
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
    wb = Workbook()
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
