"""One small wrapper that turns a report template and its builder's context into a PDF
with WeasyPrint, plus access to the laid-out pages for tests."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from kpiplan.lib.thai import format_be_date


def render_html(template: str, context: dict) -> str:
    context = {"generated_on": format_be_date(timezone.localdate()), **context}
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
