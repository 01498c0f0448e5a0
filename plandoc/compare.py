"""When do two printed forms of the same thing disagree? Pure functions, no database.

The document prints one thing in several tables, each table in its own way: a summary
table shortens names, table ง puts the unit in a column of its own, some cells write
"P๐๐๑ (OKR ๑.๑.๐๓)" and others just "P๐๐๑", quotes and digits vary. None of that is a
disagreement, and a check that reports it buries the real ones (issue 15: 44 % noise).
Each function answers one question and normalises only what that question allows.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kpiplan.lib.thai import MONTHS_TH, MONTHS_TH_ABBR, to_ascii_digits

_QUOTES = re.compile(r"[\"'“”‘’«»„`]")
_DASHES = re.compile(r"[‐-―−]")  # hyphen, en/em dashes, minus: all "-"
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_POLICY = re.compile(r"P\s*(\d+)", re.IGNORECASE)
_OKR = re.compile(r"\d+\.\d+\.\d+")
_BRACKETS = re.compile(r"[()\[\]{}]")
_ABBREVIATION_MARKS = ("ฯลฯ", "ฯ", "...", "…")
# Thai vowels and tone marks that attach to the consonant before them: a "prefix" that
# stops in front of one stops inside a syllable ("นาที" of "นาที่"), so it is another word.
_ATTACHED = re.compile(r"[\u0e30-\u0e3a\u0e45-\u0e4e]")
# Area names: table ง prints "ด้านเดินทางดี" where the other tables print "เดินทางดี".
_AREA_PREFIX = "ด้าน"


def normal(text: str | None) -> str:
    """The text with what never carries meaning here taken out: whitespace, quote
    styles, dash styles, the * that marks an item, Thai or Arabic digits."""
    text = to_ascii_digits(text or "")
    text = _QUOTES.sub("", text)
    text = _DASHES.sub("-", text)
    text = text.replace("*", "")
    return _SPACE.sub("", text)


def numbers(text: str | None) -> list[Decimal]:
    """The numbers a text prints, in order, thousands separators read as such."""
    out = []
    for match in _NUMBER.findall(to_ascii_digits(text or "")):
        try:
            out.append(Decimal(match.replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            continue
    return out


def _strip_abbreviation(text: str) -> str:
    for mark in _ABBREVIATION_MARKS:
        if text.endswith(mark):
            return text[: -len(mark)]
    return text


def names_differ(a: str | None, b: str | None, *, area: bool = False) -> bool:
    """Two printed names of one thing disagree, unless one is the other shortened: a
    prefix of it ("ขุดลอกท่อ" for "ขุดลอกท่อ (กม.)") or an abbreviation ending in ฯ
    ("ฝ่ายพัฒนาชุมชนฯ"). `area`: the "ด้าน" prefix of development-area names is style, but
    an area's name is a few words that each count ("ด้านสังคม" is not "สังคมดี"), so it is
    never taken for a shortening."""
    x, y = normal(a), normal(b)
    if area:
        return x.removeprefix(_AREA_PREFIX) != y.removeprefix(_AREA_PREFIX)
    if x == y:
        return False
    if not x or not y:
        return True
    short, full = sorted((x, y), key=len)
    stem = _strip_abbreviation(short)
    if not (stem and full.startswith(stem)):
        return True
    return bool(_ATTACHED.match(full[len(stem):]))


def _residue(text: str, units: set[str]) -> str:
    """What a target cell prints besides its numbers and units."""
    text = to_ascii_digits(text or "")
    for unit in sorted(units, key=len, reverse=True):
        if unit:
            text = text.replace(unit, " ")
    text = _NUMBER.sub(" ", text)
    text = text.replace("ร้อยละ", " ").replace("%", " ")
    text = _BRACKETS.sub(" ", text)
    return normal(text).strip(".,;:/-")


def target_difference(a: str | None, b: str | None, units: set[str]) -> str | None:
    """How two printed target cells of one indicator disagree: "target" when they print
    different numbers, "name" when the same numbers come with different words (an agency
    abbreviated two ways), None when they agree. A cell that prints the numbers without
    the unit (table ง has a unit column of its own) or adds a word the other leaves out
    ("(สะสม)") agrees."""
    if numbers(a) != numbers(b):
        return "target"
    x, y = _residue(a or "", units), _residue(b or "", units)
    if not x or not y or x in y or y in x:
        return None
    return "name"


def units_differ(a: str | None, b: str | None, known: set[str]) -> bool:
    """A unit cell disagrees with the indicator's unit unless it names only units the
    indicator already measures in ("จุด (ราย)" for an indicator counted in จุด and ราย)."""
    if normal(a) == normal(b):
        return False
    printed = {u for u in (normal(p) for p in re.split(r"[()/,;]|และ", b or "")) if u}
    allowed = {normal(u) for u in known | {a or ""} if u}
    return not printed or not printed <= allowed


def policy_codes(text: str | None) -> set[str]:
    """The policy codes a cell prints ("P๐๐๑ (OKR ๑.๑.๐๓)" → {"P001"})."""
    return {f"P{int(code):03d}" for code in _POLICY.findall(to_ascii_digits(text or ""))}


def okr_codes(text: str | None) -> set[str]:
    return set(_OKR.findall(to_ascii_digits(text or "")))


def policy_cells_differ(a: str | None, b: str | None) -> bool:
    """Two policy cells of one project disagree when they print different policy codes
    (one of them empty included), or when both print OKR codes and those differ. A cell
    that leaves out the "(OKR …)" suffix the other prints agrees."""
    if policy_codes(a) != policy_codes(b):
        return True
    okr_a, okr_b = okr_codes(a), okr_codes(b)
    return bool(okr_a and okr_b and okr_a != okr_b)


# Table จ: work steps. Shared with the plan book, which prints these next to the table.
# Full month names as a step's text names them ("ประจำเดือนเมษายน ๒๕๖๗"), with their fiscal
# month (1 = October).
_FISCAL_MONTH_OF_NAME = {name: (calendar_month - 10) % 12 + 1 for calendar_month, name in enumerate(MONTHS_TH, start=1)}
_MONTH_NAMED = re.compile("เดือน(" + "|".join(MONTHS_TH) + ")")


def cumulative_disagreements(steps: list) -> list[dict]:
    """Steps whose printed cumulative percent is not the step before's plus their weight
    (a step whose neighbour lacks a number is not judged)."""
    out = []
    for before, step in zip([None, *steps], steps, strict=False):
        if step.cumulative_percent is None or step.weight is None:
            continue
        if before is None:
            if step.number != 1:
                continue
            expected, previous = step.weight, Decimal(0)
        elif before.cumulative_percent is None or before.number != step.number - 1:
            continue
        else:
            previous = before.cumulative_percent
            expected = previous + step.weight
        if expected != step.cumulative_percent:
            out.append({"number": step.number, "printed": step.cumulative_percent, "previous": previous,
                        "weight": step.weight, "expected": expected})
    return out


def month_disagreements(steps: list, abbreviations: list[str]) -> list[dict]:
    """Steps whose text names one month ("ประจำเดือนเมษายน") but whose mark is in other month
    columns."""
    out = []
    for step in steps:
        named = set(_MONTH_NAMED.findall(step.name))
        if len(named) != 1 or not step.months:
            continue
        name = named.pop()
        if _FISCAL_MONTH_OF_NAME[name] not in step.months:
            out.append({"number": step.number, "named": name,
                        "marked": [abbreviations[m - 1] for m in sorted(step.months) if 1 <= m <= 12]})
    return out


FISCAL_MONTH_ABBR = [MONTHS_TH_ABBR[(m + 8) % 12] for m in range(1, 13)]  # ต.ค. … ก.ย.
