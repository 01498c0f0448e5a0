"""One small wrapper that turns a report template and its builder's context into a PDF
with WeasyPrint, plus access to the laid-out pages for tests."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from weasyprint import HTML

from kpiplan.lib.thai import format_be_date

from .registry import OFFICIAL_LANGUAGE

# A family name no fontconfig rule knows, so nothing on the system can substitute or
# rescale it; every report style (body, margin boxes, SVG text) names it alone.
FONT_FAMILY = "kpiplan-report"


@cache
def font_face_css() -> str:
    """@font-face rules for the packaged report font, one per weight and style, by file.
    A missing file is a configuration error, not a silent fallback to another font."""
    rules = []
    for (weight, style), name in settings.REPORT_FONT_FILES.items():
        path = settings.REPORT_FONT_DIR / name
        if not path.is_file():
            raise ImproperlyConfigured(
                f"Report font {path} is missing: install Debian's fonts-tlwg-laksaman or set REPORT_FONT_DIR.")
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
                     f"font-weight: {weight}; font-style: {style}; }}")
    return mark_safe("\n  ".join(rules))  # noqa: S308 - paths from settings, no user input


def render_html(template: str, context: dict) -> str:
    """The report's HTML, in Thai whoever renders it: registry.official builds the
    documents the office hands out in Thai; this covers callers that render a builder's
    context themselves (tests, benchmarks/bench_reports.py)."""
    context = {"generated_on": format_be_date(timezone.localdate()), "font_faces": font_face_css(),
               "font_family": FONT_FAMILY, **context}
    with translation.override(OFFICIAL_LANGUAGE):
        return render_to_string(template, context)


def layout(template: str, context: dict):
    """The WeasyPrint document (pages and their boxes), for tests and page counts."""
    return HTML(string=render_html(template, context), base_url=str(settings.BASE_DIR)).render()


def render_pdf(template: str, context: dict) -> bytes:
    return layout(template, context).write_pdf()


def page_texts(document) -> list[str]:
    """Text of each laid-out page, margin boxes (running header, page numbers) included."""

    def walk(box, out):
        text = getattr(box, "text", None)
        if text:
            out.append(text)
        for child in getattr(box, "children", []) or []:
            walk(child, out)

    texts = []
    for page in document.pages:
        out: list[str] = []
        walk(page._page_box, out)
        texts.append(" ".join(out))
    return texts
