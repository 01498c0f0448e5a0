"""The progress sheet as a file format: its Thai column headers, how items and periods
are named in it, and how typed text is compared. The headers are part of the format
(a sheet downloaded in one language is uploaded in any other), so they are not
translated. Shared by progress.resources (export, reading cells) and
progress.services (the import)."""

from __future__ import annotations

import re

from kpiplan.lib import fiscal
from kpiplan.lib.thai import to_ascii_digits

KIND = "ประเภท"
CODE = "รหัสรายการ"
NAME = "ชื่อรายการ"
DIVISION = "ฝ่าย"
PERIOD = "งวดรายงาน"
MEASURE = "ตัววัด"  # an indicator whose target has several measures has a row per measure
VALUE = "ผลการดำเนินงาน"
CUMULATIVE = "ค่าสะสม"  # docs/vocabulary.md
EXPLANATION = "คำชี้แจงค่าผิดปกติ"  # why an unusual result is correct (progress.plausibility)
NARRATIVE = "สิ่งที่ดำเนินการ"
OBSTACLES = "ปัญหาอุปสรรค"
SUGGESTIONS = "ข้อเสนอแนะ"
PERCENT = "ร้อยละความก้าวหน้า"
DISBURSED = "เบิกจ่ายสะสม (บาท)"
STATE = "สถานะ"

# Headers of sheets downloaded before the vocabulary was settled (docs/vocabulary.md):
# a sheet filled in from an old download still imports.
OLD_HEADERS = {"ผลสะสม": CUMULATIVE}

# What an import may change, by column; the other columns identify the row or are
# shown for reference only (name, state).
FIELD_COLUMNS = {
    "value": VALUE,
    "value_is_cumulative": CUMULATIVE,
    "implausible_note": EXPLANATION,
    "narrative": NARRATIVE,
    "obstacles": OBSTACLES,
    "suggestions": SUGGESTIONS,
    "percent_complete": PERCENT,
    "disbursed": DISBURSED,
}
INDICATOR_ONLY = {"value", "value_is_cumulative", "implausible_note"}
PROJECT_ONLY = {"percent_complete", "disbursed"}

KIND_LABELS = {"indicator": "ตัวชี้วัด", "project": "โครงการ"}
KINDS_BY_TEXT = {"ตัวชี้วัด": "indicator", "โครงการ": "project", "indicator": "indicator", "project": "project"}

YES = {"ใช่", "สะสม", "yes", "y", "true", "1", "x", "✓", "✔"}
NO = {"ไม่ใช่", "ไม่", "ไม่สะสม", "no", "n", "false", "0", "-"}


def normalize(text) -> str:
    """Typed text compared the forgiving way: Thai digits, spacing and case ignored."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", to_ascii_digits(str(text))).strip().casefold()


def period_label(period) -> str:
    """«ธันวาคม 2566», «ไตรมาส 1/2567»: the same in every language."""
    if period.kind == "month":
        return fiscal.fiscal_months(period.fiscal_year_id)[period.number - 1].name_th
    if period.kind == "quarter":
        return f"ไตรมาส {period.number}/{period.fiscal_year_id}"
    return f"ปีงบประมาณ {period.fiscal_year_id}"


def item_code(obj) -> str:
    """The plan's seed key (okr:4.1.10, p2:6.2.1), or #id for items added by hand."""
    return obj.key or f"#{obj.pk}"
