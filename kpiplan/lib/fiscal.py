"""The Thai government fiscal year: 1 October to 30 September, named by the B.E. year
in which it ends (FY 2567 = 1 Oct 2023 - 30 Sep 2024). Quarter 1 is October-December.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .thai import BE_OFFSET, MONTHS_TH, MONTHS_TH_ABBR, localize_digits, month_name_in, to_thai_digits, uses_thai


@dataclass(frozen=True)
class FiscalMonth:
    fiscal_year: int  # B.E.
    number: int  # 1 = October ... 12 = September
    year: int  # C.E. calendar year of the month
    month: int  # calendar month 1-12

    @property
    def quarter(self) -> int:
        return (self.number - 1) // 3 + 1

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def end(self) -> datetime.date:
        nxt = datetime.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return nxt - datetime.timedelta(days=1)

    @property
    def name_th(self) -> str:
        return f"{MONTHS_TH[self.month - 1]} {self.year + BE_OFFSET}"

    @property
    def abbr_th(self) -> str:
        return MONTHS_TH_ABBR[self.month - 1]

    def abbr_in(self, language: str | None) -> str:
        """«ธ.ค.» in Thai, "Dec" otherwise: a chart's month label."""
        return month_name_in(self.month, language, abbr=True)


def fiscal_year_of(date: datetime.date) -> int:
    """B.E. fiscal year containing `date`."""
    return date.year + BE_OFFSET + (1 if date.month >= 10 else 0)


def fiscal_year_bounds(fiscal_year_be: int) -> tuple[datetime.date, datetime.date]:
    ce_end = fiscal_year_be - BE_OFFSET
    return datetime.date(ce_end - 1, 10, 1), datetime.date(ce_end, 9, 30)


def fiscal_months(fiscal_year_be: int) -> list[FiscalMonth]:
    ce_end = fiscal_year_be - BE_OFFSET
    months = []
    for number in range(1, 13):
        month = (number + 8) % 12 + 1  # 1 -> 10 (Oct), 4 -> 1 (Jan), 12 -> 9 (Sep)
        year = ce_end - 1 if month >= 10 else ce_end
        months.append(FiscalMonth(fiscal_year_be, number, year, month))
    return months


def fiscal_month_of(date: datetime.date) -> int:
    """Fiscal month number of `date`: 1 = October ... 12 = September."""
    return (date.month - 10) % 12 + 1


def fiscal_quarter_of(date: datetime.date) -> int:
    return ((date.month - 10) % 12) // 3 + 1


def quarter_bounds(fiscal_year_be: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    months = fiscal_months(fiscal_year_be)[(quarter - 1) * 3 : quarter * 3]
    return months[0].start, months[-1].end


MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
# The period kinds that lie within a period of each kind, itself included: a quarter holds
# months and itself; a month only months (a quarterly report is due in no single month).
KINDS_WITHIN = {kind: tuple(k for k, n in MONTHS_IN.items() if n <= size) for kind, size in MONTHS_IN.items()}


def periods_within(kind: str, number: int, inner_kind: str) -> range:
    """Numbers of the periods of `inner_kind` that lie within period `number` of `kind`:
    the months of quarter 2 are 4-6, the quarters of the year 1-4, the month of month 5 is
    5 itself. Empty when the inner kind is the longer one (no quarter lies in a month)."""
    size, inner = MONTHS_IN[kind], MONTHS_IN[inner_kind]
    if inner > size:
        return range(0)
    first_month, last_month = (number - 1) * size + 1, number * size
    return range((first_month - 1) // inner + 1, last_month // inner + 1)


def period_name_th(fiscal_year_be: int, kind: str, number: int) -> str:
    """A period as a Thai document names it, in Thai digits whatever the user's language:
    «ธันวาคม ๒๕๖๖», «ไตรมาสที่ ๑ (ตุลาคม - ธันวาคม ๒๕๖๖)», «ปีงบประมาณ พ.ศ. ๒๕๖๗»."""
    months = fiscal_months(fiscal_year_be)
    if kind == "month":
        return to_thai_digits(months[number - 1].name_th)
    if kind == "quarter":
        first, last = months[(number - 1) * 3], months[number * 3 - 1]
        span = (f"{MONTHS_TH[first.month - 1]} - {last.name_th}" if first.year == last.year
                else f"{first.name_th} - {last.name_th}")
        return to_thai_digits(f"ไตรมาสที่ {number} ({span})")
    return to_thai_digits(f"ปีงบประมาณ พ.ศ. {fiscal_year_be}")


def period_short_name_th(fiscal_year_be: int, kind: str, number: int) -> str:
    """The same, short enough for a table cell: «ธ.ค. ๒๕๖๖», «ไตรมาสที่ ๒», «ปีงบประมาณ ๒๕๖๗»."""
    if kind == "month":
        month = fiscal_months(fiscal_year_be)[number - 1]
        return to_thai_digits(f"{month.abbr_th} {month.year + BE_OFFSET}")
    if kind == "quarter":
        return to_thai_digits(f"ไตรมาสที่ {number}")
    return to_thai_digits(f"ปีงบประมาณ {fiscal_year_be}")


def period_short_name(fiscal_year_be: int, kind: str, number: int, language: str | None) -> str:
    """A period short enough for a table cell in the reader's language: «ธ.ค. ๒๕๖๖»,
    «ไตรมาสที่ ๒» in Thai; "Dec 2566", "Q2", "FY 2567" (still B.E.) otherwise."""
    if uses_thai(language):
        return period_short_name_th(fiscal_year_be, kind, number)
    if kind == "month":
        month = fiscal_months(fiscal_year_be)[number - 1]
        return localize_digits(f"{month.abbr_in(language)} {month.year + BE_OFFSET}", language)
    if kind == "quarter":
        return f"Q{number}"
    return f"FY {fiscal_year_be}"
