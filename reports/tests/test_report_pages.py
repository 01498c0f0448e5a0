"""How every PDF report of the real plan looks, page by page, with a quarter of progress in
it: the Thai text is drawn at the font's own spacing, nothing leaves the page's content
area, and a few reference pages per report look as they did when a person last approved
them (tests/reference_pages/*.png).

The fontconfig fault this guards against laid text out with advances squeezed to 0.66
while the glyphs were drawn full size: every character overlapped the next, and every
text assertion still passed. Only measuring the drawn page finds that.

A deliberate visual change: look at the new pages, then run
    KPIPLAN_UPDATE_REFERENCES=1 pytest reports/tests/test_report_pages.py
and commit the changed PNGs with the change (the failure message says where the actual
page and a difference image were written).
"""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import pytest
import time_machine
from django.db import transaction

from reports.tests.laid_out import boxes_outside_content, glyph_spacing, norm

REFERENCES = Path(__file__).parent / "reference_pages"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report-pages"
# The day every report here says it was made on, so that reference pages do not change
# with the calendar.
MADE_ON = datetime.datetime(2024, 1, 15, 9, 0, tzinfo=datetime.UTC)
DPI = 80

pytestmark = pytest.mark.django_db  # (the module's fixture needs the test database set up)


def _contexts(plan):
    """(name, template, context) of every report, as the registry makes them for Q1."""
    from plans.models import Division, Period
    from progress.scorecard import build_scorecard
    from reports import builders
    from reports.book import plan_book

    q1 = Period.objects.get(fiscal_year_id=plan.fiscal_year_id, kind=Period.Kind.QUARTER, number=1)
    roads = Division.objects.get(organization=plan.organization, name="ฝ่ายโยธา")
    return [
        ("book", "reports/book.html", plan_book(plan)),
        ("quarterly", "reports/quarterly.html", builders.quarterly_progress(plan, 1)),
        ("quarterly-division", "reports/quarterly.html", builders.quarterly_progress(plan, 1, roads)),
        ("summary", "reports/summary.html", builders.executive_summary(plan, 3)),
        ("scorecard", "reports/scorecard.html", {"plan": plan, "period": q1, "card": build_scorecard(plan, q1)}),
    ]


class Laid:
    def __init__(self, document, pdf: bytes):
        self.document, self.pdf = document, pdf
        self.pages = [norm(t) for t in _page_texts(document)]


def _page_texts(document):
    from reports.pdf import page_texts

    return page_texts(document)


@pytest.fixture(scope="module")
def reports(django_db_setup, django_db_blocker):
    """Every report laid out once for the module, on the real plan with the demo quarter
    (written in a transaction that is rolled back, so no other test sees it)."""
    from plans.models import Plan
    from progress.demo import add_demo_quarter
    from reports.pdf import layout

    out = {}
    with django_db_blocker.unblock(), time_machine.travel(MADE_ON, tick=False), transaction.atomic():
        plan = Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ", fiscal_year=2567)
        add_demo_quarter(plan, 1)
        for name, template, context in _contexts(plan):
            document = layout(template, context)
            out[name] = Laid(document, document.write_pdf())
        transaction.set_rollback(True)
    return out


KINDS = ["book", "quarterly", "quarterly-division", "summary", "scorecard"]


@pytest.mark.parametrize("kind", KINDS)
def test_text_is_drawn_at_the_fonts_own_spacing(reports, kind):
    from reports.pdf import FONT_FAMILY

    spacing, fonts = glyph_spacing(reports[kind].pdf)
    pages = {s.page for s in spacing}
    assert pages == set(range(1, len(reports[kind].document.pages) + 1)), "every page has text to measure"
    squeezed = [s for s in spacing if not 0.95 <= s.median <= 1.05]
    assert not squeezed, "characters closer or further apart than the font's advances:\n" + "\n".join(map(str, squeezed[:20]))
    foreign = {f for f in fonts if not f.startswith(FONT_FAMILY)}
    assert not foreign, f"text drawn in fonts other than the packaged one: {foreign}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_box_is_inside_the_content_area(reports, kind):
    problems = boxes_outside_content(reports[kind].document)
    assert not problems, f"{len(problems)} boxes past the margins:\n" + "\n".join(problems[:20])


# -- reference pages ----------------------------------------------------------------------

def _page_with(laid: Laid, text: str, *, after: int = 0) -> int:
    """The number (1-based) of the first page after `after` whose text has `text`."""
    needle = norm(text)
    return next(i for i, t in enumerate(laid.pages, start=1) if i > after and needle in t)


REFERENCE_PAGES = {
    # report: [(reference name, how to find the page)]
    "book": [
        ("cover", lambda laid: 1),
        ("part3-portrait-table", lambda laid: _page_with(laid, "บัญชีรายการโครงการ/กิจกรรมที่มีลักษณะเป็นภารกิจประจำพื้นฐาน",
                                                          after=_page_with(laid, "สารบัญ"))),
        ("table-d-landscape", lambda laid: _page_with(laid, "ตาราง ง ตารางแสดงความเชื่อมโยงนโยบาย", after=_page_with(laid, "สารบัญ"))),
    ],
    "quarterly": [("first", lambda laid: 1), ("second", lambda laid: 2)],
    "summary": [("first", lambda laid: 1), ("second", lambda laid: 2)],
    "scorecard": [("first", lambda laid: 1)],
}


def _render_page(pdf: bytes, number: int):
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        return document[number - 1].render(scale=DPI / 72).to_pil().convert("L")
    finally:
        document.close()


def _difference(actual, expected) -> tuple[float, object]:
    """Share of pixels whose grey level differs by more than 40 of 255, and the image of
    where (black on white)."""
    from PIL import ImageChops

    diff = ImageChops.difference(actual, expected).point(lambda v: 0 if v > 40 else 255)
    changed = diff.histogram()[0]
    return changed / (actual.width * actual.height), diff


@pytest.mark.parametrize("kind, name, find", [(k, n, f) for k, pages in REFERENCE_PAGES.items() for n, f in pages],
                         ids=[f"{k}-{n}" for k, pages in REFERENCE_PAGES.items() for n, _f in pages])
def test_reference_pages_look_as_approved(reports, kind, name, find):
    from PIL import Image

    laid = reports[kind]
    actual = _render_page(laid.pdf, find(laid))
    reference = REFERENCES / f"{kind}-{name}.png"
    if os.environ.get("KPIPLAN_UPDATE_REFERENCES"):
        REFERENCES.mkdir(exist_ok=True)
        actual.save(reference, optimize=True)
        return
    assert reference.exists(), f"no reference page {reference.name}: run with KPIPLAN_UPDATE_REFERENCES=1 after looking at it"
    expected = Image.open(reference).convert("L")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if actual.size != expected.size:
        actual.save(ARTIFACTS / f"{kind}-{name}.png")
        pytest.fail(f"{reference.name}: page is {actual.size}, the reference {expected.size} (orientation or paper changed)")
    share, diff = _difference(actual, expected)
    # About 60 pixels of a 662 x 936 page: one changed digit at 80 dpi is well above it;
    # the same fonts and pdfium on every machine give identical pixels.
    if share > 0.0001:
        actual.save(ARTIFACTS / f"{kind}-{name}.png")
        diff.save(ARTIFACTS / f"{kind}-{name}-diff.png")
        pytest.fail(f"{reference.name}: {share:.3%} of the pixels changed; see {ARTIFACTS}/{kind}-{name}[-diff].png")
