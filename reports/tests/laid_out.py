"""Helpers for tests that read laid-out reports: text as a reader sees it, and how it is
drawn (glyph spacing against the font's own advances, boxes inside the page)."""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """Laid-out Thai as comparable text: sara am may come as nikhahit + sara aa, and a line
    break may fall anywhere in a Thai phrase, so all white space is dropped (compare
    needles through norm too)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).replace("\u0e4d\u0e32", "\u0e33"))


# -- how the text is drawn ---------------------------------------------------------------

_SUBSET = re.compile(r"^[A-Z]{6}\+")


@dataclass(frozen=True)
class Spacing:
    """Median over one page of (origin of the next character on the same line − origin
    of this one) / this glyph's advance in the font file, for one font at one size."""

    page: int
    font: str
    size: float
    median: float
    pairs: int


def _font_files() -> dict[str, Path]:
    """The embedded names WeasyPrint gives the packaged font's faces, with their files
    (under our family name, and under the file's own name should a template name it
    through fontconfig, so that such text is measured too)."""
    from django.conf import settings

    from reports.pdf import FONT_FAMILY

    suffix = {("normal", "normal"): "", ("bold", "normal"): "-Bold", ("normal", "italic"): "-Italic",
              ("bold", "italic"): "-BoldItalic"}
    files = {FONT_FAMILY + suffix[face]: settings.REPORT_FONT_DIR / name for face, name in settings.REPORT_FONT_FILES.items()}
    return files | {path.stem: path for path in files.values()}


@cache
def _metrics(path: Path):
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def glyph_spacing(pdf: bytes) -> tuple[list[Spacing], set[str]]:
    """Spacing of every (page, font, size) with enough character pairs to judge, and the
    names of all fonts in the PDF. Only spacing glyphs count:
    Thai vowel and tone marks have no advance and sit on their base character."""
    import pdfplumber

    files = _font_files()
    out, fonts = [], set()
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            lines: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
            for char in page.chars:
                name = _SUBSET.sub("", char["fontname"])
                fonts.add(name)
                if name not in files:
                    continue
                cmap, hmtx, upm = _metrics(files[name])
                glyph = cmap.get(ord(char["text"])) if len(char["text"]) == 1 else None
                if glyph is None or hmtx[glyph][0] == 0:
                    continue
                size = round(char["size"], 2)
                origin_x, baseline = char["matrix"][4], char["matrix"][5]
                lines[(round(baseline, 1), name, size)].append((origin_x, hmtx[glyph][0] * char["size"] / upm))
            ratios: dict[tuple[str, float], list[float]] = defaultdict(list)
            for (_baseline, name, size), chars in lines.items():
                chars.sort()
                ratios[(name, size)] += [(nxt[0] - cur[0]) / cur[1] for cur, nxt in pairwise(chars)]
            # A handful of pairs (a page number, one bold word) says nothing reliable.
            out += [Spacing(number, name, size, statistics.median(r), len(r)) for (name, size), r in ratios.items() if len(r) >= 8]
    return out, fonts


# -- where the boxes are -----------------------------------------------------------------

def boxes_outside_content(document, tolerance: float = 1.0) -> list[str]:
    """Every laid-out box of the body that reaches past its page's content area (the paper
    less the margins), as 'page N: <tag> text… x0–x1 / y0–y1 outside …'. The running
    header and page numbers live in the margins by design and are checked against the
    paper instead. Units are CSS px; `tolerance` absorbs half a collapsed border."""
    from weasyprint.formatting_structure.boxes import InlineLevelBox, LineBox, MarginBox

    problems = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        area = (page_box.content_box_x(), page_box.content_box_y(),
                page_box.content_box_x() + page_box.width, page_box.content_box_y() + page_box.height)
        paper = (0, 0, page.width, page.height)

        def walk(box, limits, where, number=number):
            x, y = box.border_box_x(), box.border_box_y()
            w, h = box.border_width(), box.border_height()
            # Text and inline boxes are as tall as the font's ascent + descent, which for
            # a Thai font with room for stacked marks exceeds the line they sit on; their
            # line box is what occupies the page vertically. A line box's width is its
            # container's (WeasyPrint may leave a table cell's first guess there): its
            # text boxes are what occupies it horizontally.
            horizontal = not isinstance(box, LineBox)
            vertical = not isinstance(box, InlineLevelBox)
            if w > 0 and h > 0 and (
                    horizontal and (x < limits[0] - tolerance or x + w > limits[2] + tolerance)
                    or vertical and (y < limits[1] - tolerance or y + h > limits[3] + tolerance)):
                text = getattr(box, "text", "") or ""
                problems.append(f"page {number}: {type(box).__name__} {getattr(box, 'element_tag', '')} {text[:30]!r} "
                                f"x {x:.1f}–{x + w:.1f} y {y:.1f}–{y + h:.1f} outside {where} "
                                f"{limits[0]:.1f}–{limits[2]:.1f} × {limits[1]:.1f}–{limits[3]:.1f}")
                return  # its children are outside too; one line per offender
            for child in getattr(box, "children", []) or []:
                walk(child, limits, where, number)

        for child in page_box.children:
            if isinstance(child, MarginBox):
                walk(child, paper, "the paper")
            else:
                walk(child, area, "the content area")
    return problems
