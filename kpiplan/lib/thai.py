"""Thai numbers and dates: framework-free, tested without a database."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ASCII = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)

MONTHS_TH = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]
MONTHS_TH_ABBR = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]

MONTHS_EN = ["January", "February", "March", "April", "May", "June",
             "July", "August", "September", "October", "November", "December"]
MONTHS_EN_ABBR = [m[:3] for m in MONTHS_EN]

BE_OFFSET = 543

# Grouping may use commas, spaces, thin/no-break spaces or apostrophes (Excel exports).
_GROUPING = re.compile(r"[,\s\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class NumberParseError(ValueError):
    """A typed or imported value is not a number."""


def to_ascii_digits(text: str) -> str:
    return text.translate(_TO_ASCII)


def to_thai_digits(text: object) -> str:
    return str(text).translate(_TO_THAI)


def parse_decimal(text: str | int | float | Decimal | None) -> Decimal | None:
    """Read a number typed by a person: Thai or Arabic digits, thousands separators.

    Returns None for an empty value; raises NumberParseError for anything else that is
    not a number, so callers can name the field in their own message.
    """
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    if isinstance(text, (int, float)):
        return Decimal(str(text))
    cleaned = _GROUPING.sub("", to_ascii_digits(text)).strip()
    if cleaned in {"", "-"}:
        return None
    if not _NUMBER.match(cleaned):
        raise NumberParseError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise NumberParseError(text) from exc


_NUMBER_IN_TEXT = re.compile(r"\d[\d,]*(?:\.\d+)?")


def first_number(text: str | None) -> Decimal | None:
    """The first number printed in a cell such as '๓,๐๐๐ ต้น' or '๗๐ ดวง (ติดตั้ง ๒๐ ดวง ...)'."""
    match = _NUMBER_IN_TEXT.search(to_ascii_digits(text or ""))
    return parse_decimal(match.group(0)) if match else None


def format_number(value: Decimal | int | None, places: int | None = None, thai: bool = False) -> str:
    """Thousands-separated number; `places` fixes decimals, else trailing zeros go."""
    if value is None:
        return "-"
    value = Decimal(value)
    if places is None:
        text = f"{value:,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{value:,.{places}f}"
    return to_thai_digits(text) if thai else text


def be_year(date: datetime.date) -> int:
    return date.year + BE_OFFSET


def format_be_date(date: datetime.date, thai_digits: bool = True, abbr: bool = False) -> str:
    """'24 พฤศจิกายน 2569' style date in the Buddhist Era."""
    months = MONTHS_TH_ABBR if abbr else MONTHS_TH
    text = f"{date.day} {months[date.month - 1]} {be_year(date)}"
    return to_thai_digits(text) if thai_digits else text


# Digits and month names by language -----------------------------------------------
# One rule for every page, chart and form (docs/vocabulary.md): Thai digits and month
# names when the language is Thai, Arabic digits and English month names otherwise.
# Years stay Buddhist Era in both: the fiscal year is one. Each takes the language so it
# stays a pure function; callers pass django's get_language().


def uses_thai(language: str | None) -> bool:
    return (language or "").lower().startswith("th")


def localize_digits(text: object, language: str | None) -> str:
    """Text the system writes (a count, a percentage, a heading) in the language's digits."""
    return to_thai_digits(text) if uses_thai(language) else to_ascii_digits(str(text))


def format_number_in(value: Decimal | int | None, language: str | None, places: int | None = None) -> str:
    return format_number(value, places=places, thai=uses_thai(language))


def month_name_in(month: int, language: str | None, abbr: bool = False) -> str:
    """Month 1-12 by name: «ธันวาคม» / «ธ.ค.» in Thai, "December" / "Dec" otherwise."""
    if uses_thai(language):
        return (MONTHS_TH_ABBR if abbr else MONTHS_TH)[month - 1]
    return (MONTHS_EN_ABBR if abbr else MONTHS_EN)[month - 1]


def format_date_in(date: datetime.date, language: str | None, abbr: bool = False) -> str:
    """«๓ ธันวาคม ๒๕๖๙» in Thai, "3 December 2569" (still B.E.) otherwise."""
    text = f"{date.day} {month_name_in(date.month, language, abbr)} {be_year(date)}"
    return localize_digits(text, language)
