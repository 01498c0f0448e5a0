"""Helpers for tests that read laid-out reports: text as a reader sees it, and how it is
drawn (glyph spacing against the font's own advances, boxes inside the page)."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """Laid-out Thai as comparable text: sara am may come as nikhahit + sara aa, and a line
    break may fall anywhere in a Thai phrase, so all white space is dropped (compare
    needles through norm too)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).replace("\u0e4d\u0e32", "\u0e33"))
