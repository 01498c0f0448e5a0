"""Search across a plan: what a typed query means and how well a row answers it.

Framework-free and tested without a database. The plan's printed codes carry leading
zeros in their last part ("OKR 1.4.07"), people type them with Thai or Arabic digits,
with or without the zeros and often with the kind word in front ("KPI ๑.๕.๔.๑"); a code
compares by its parts as numbers, so "1.4.7", "๑.๔.๐๗" and "OKR 1.4.07" are one code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from .thai import to_ascii_digits

# Kind words written before a code: dropped when a code follows (longest first, so
# "OKR" is not read as "O" + "KR").
KIND_WORDS = (
    "ตัววัดผลหลัก", "ตัวชี้วัด", "ยุทธศาสตร์ย่อย", "ยุทธศาสตร์", "วัตถุประสงค์", "กลยุทธ์", "โครงการ",
    "okr", "kpi", "kr",
)
_KIND_PREFIX = re.compile(
    r"^(?:" + "|".join(re.escape(w) for w in KIND_WORDS) + r")\s*[:.]?\s*(?=\d)", re.IGNORECASE
)
_SPACES = re.compile(r"\s+")
# A thousands separator sits between a digit and three digits ("3,000" = "3000").
_GROUPING = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009'](?=\d{3}(?!\d))")
_CODE = re.compile(r"^\d+(?:\.\d+)*\.?$")
MAX_QUERY_LENGTH = 100


class Rank(IntEnum):
    """How well a row answers a query; lower is better."""

    EXACT_CODE = 0
    CODE_PREFIX = 1
    NAME_STARTS = 2
    NAME_CONTAINS = 3
    DIVISION = 4


def normalize_text(text: str | None) -> str:
    """Text as compared: Arabic digits, no thousands separators, one space between
    words, Latin letters folded to lower case (Thai has no case)."""
    text = unicodedata.normalize("NFC", to_ascii_digits(text or ""))
    text = _GROUPING.sub("", text)
    return _SPACES.sub(" ", text).strip().casefold()


def code_parts(code: str | None) -> tuple[int, ...] | None:
    """A printed code as numbers ("1.4.07" -> (1, 4, 7)); None for what is not a code."""
    text = normalize_text(code).rstrip(".")
    if not text or not _CODE.match(text):
        return None
    return tuple(int(part) for part in text.split("."))


@dataclass(frozen=True)
class Query:
    """A typed query, read once: `text` compares with names, `code` with codes."""

    raw: str
    text: str
    code: tuple[int, ...] | None
    code_text: str  # the code as typed (digits normalised), for a prefix such as "1.4.0"

    @property
    def is_empty(self) -> bool:
        return not self.text


def parse_query(raw: str | None) -> Query:
    raw = (raw or "")[:MAX_QUERY_LENGTH]
    text = normalize_text(raw)
    without_kind = _KIND_PREFIX.sub("", text)
    code = code_parts(without_kind)
    return Query(raw=raw.strip(), text=text, code=code, code_text=without_kind if code else "")


def _code_rank(query: Query, code: str | None) -> Rank | None:
    if query.code is None:
        return None
    parts = code_parts(code)
    if parts is None:
        return None
    if parts == query.code:
        return Rank.EXACT_CODE
    if parts[: len(query.code)] == query.code or _typing_zero_padded(query, code, parts):
        return Rank.CODE_PREFIX
    return None


def _typing_zero_padded(query: Query, code: str, parts: tuple[int, ...]) -> bool:
    """"1.4.0" on its way to "1.4.07": the last typed part begins a zero-padded part."""
    typed = query.code_text
    if typed.endswith(".") or len(query.code) > len(parts):
        return False
    last = len(query.code) - 1
    printed = normalize_text(code).split(".")[last]
    return parts[:last] == query.code[:last] and printed.startswith("0") and printed.startswith(typed.split(".")[-1])


def _name_rank(query: Query, name: str | None) -> Rank | None:
    name = normalize_text(name)
    if not name:
        return None
    if name.startswith(query.text):
        return Rank.NAME_STARTS
    if query.text in name:
        return Rank.NAME_CONTAINS
    return None


def rank(query: Query, *, codes=(), names=(), divisions=()) -> Rank | None:
    """The best rank any of a row's codes, names or division names earns; None: no match."""
    if query.is_empty:
        return None
    found = [_code_rank(query, code) for code in codes]
    found += [_name_rank(query, name) for name in names]
    found += [Rank.DIVISION for division in divisions if _name_rank(query, division) is not None]
    found = [r for r in found if r is not None]
    return min(found) if found else None
