"""Excel versions of the report tables, from the same builders as the PDFs."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")


def _sheet(wb, title: str, headers: list[str], rows: list[list], widths: list[int]):
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(row)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return ws


def _save(wb) -> bytes:
    del wb[wb.sheetnames[0]]  # the empty default sheet
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def scorecard_xlsx(plan, period, card) -> bytes:
    wb = Workbook()
    rows = [[
        r.indicator.code, r.indicator.name, "\n".join(b.text or str(b.year) for b in r.baselines), r.indicator.target_text,
        r.result, r.indicator.weight,
        r.self_assessment.level if r.self_assessment else None, r.self_assessment.points if r.self_assessment else None,
        r.evaluator.level if r.evaluator else None, r.evaluator.points if r.evaluator else None, r.evidence_count,
    ] for r in card.rows]
    rows.append(["", "รวม", "", "", None, card.total_weight, None, card.self_total, None, card.evaluator_total, None])
    _sheet(wb, "ตาราง ค", ["ที่", "ชื่อตัวชี้วัด", "ข้อมูลพื้นฐาน", "เป้าหมาย", "ผล", "น้ำหนัก", "ระดับ (ประเมินตนเอง)",
                           "คะแนน (ประเมินตนเอง)", "ระดับ (ผู้ประเมิน)", "คะแนน (ผู้ประเมิน)", "หลักฐาน"],
           rows, [8, 50, 30, 30, 10, 8, 10, 10, 10, 10, 8])
    return _save(wb)


def quarterly_xlsx(report: dict) -> bytes:
    wb = Workbook()
    indicators, projects = [], []
    for sec in report["sections"]:
        for line in sec.indicators:
            s, e = line.status, line.entry
            indicators.append([sec.division.name, str(s.indicator), s.indicator.target_text, s.result, s.achievement,
                               str(s.status.value), e.narrative if e else "", e.obstacles if e else "",
                               e.n_evidence if e else 0, e.verified_value if e else None, e.evaluation_comment if e else ""])
        for line in sec.projects:
            ex, e = line.execution.execution, line.entry
            projects.append([sec.division.name, line.execution.label, ex.allocated, ex.disbursed, ex.percent,
                             e.percent_complete if e else None, e.narrative if e else "", e.obstacles if e else ""])
        projects.append([sec.division.name, f"รวม{sec.division.name}", sec.allocated, sec.disbursed, None, None, "", ""])
    _sheet(wb, "ตัวชี้วัด", ["ฝ่าย", "ตัวชี้วัด", "ค่าเป้าหมาย", "ผลสะสม", "ร้อยละผลสัมฤทธิ์", "สถานะ", "ผลการดำเนินงาน",
                             "ปัญหาอุปสรรค", "หลักฐาน", "ผลที่ตรวจสอบ", "ความเห็นผู้ประเมิน"],
           indicators, [24, 50, 24, 12, 12, 12, 40, 30, 8, 12, 30])
    _sheet(wb, "โครงการ", ["ฝ่าย", "โครงการ/กิจกรรม", "งบประมาณ", "เบิกจ่าย", "ร้อยละเบิกจ่าย", "ความคืบหน้า (%)",
                           "ผลการดำเนินงาน", "ปัญหาอุปสรรค"], projects, [24, 50, 14, 14, 12, 12, 40, 30])
    return _save(wb)
