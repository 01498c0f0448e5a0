"""The reports that can be produced in the background, by name.

Each kind is a function ``produce(plan, params) -> Produced`` that builds the report from
its builder and renders it; ``params`` is the JSON the request stored:
``{"period": <Period id>}`` plus ``"division": <Division id>`` when one division was
asked for. Adding a kind is one line in ``KINDS`` (heavy imports stay inside the
function, so the worker and the pages load this module cheaply).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Reports are official Thai documents: Thai words, Thai digits, Thai month names,
# whoever asks and in whatever language their page is (docs/vocabulary.md).
OFFICIAL_LANGUAGE = "th"


def official(func):
    """Build and render in Thai. Every PDF and xlsx the office hands out is made by a
    function wearing this (produce(), quarterly_workbook(), scorecard_workbook()), so
    the pages, the worker, the commands and the benchmarks cannot forget it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(OFFICIAL_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper


class Produced(NamedTuple):
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class ReportKind:
    label: str | Promise
    produce: Callable[..., Produced]
    # The plan book holds only the plan itself (no progress, no drafts): everyone of the
    # organization may have it. Progress reports are for planners and executives.
    whole_organization: bool = False
    periodic: bool = True  # False: the report does not depend on a period (the plan book)


def _period(plan, params: dict):
    from plans.models import Period

    return Period.objects.get(pk=params["period"], fiscal_year_id=plan.fiscal_year_id)


_NOT_IN_FILE_NAMES = re.compile(r'[\s/\\:*?"<>|]+')


def quarterly_filename(plan, quarter: int, division=None, extension: str = "pdf") -> str:
    """progress-2567-q1.pdf, or for one division progress-2567-q1-ฝ่ายโยธา.pdf: its short
    name (else its name), so that a folder of divisions' reports says whose each is."""
    suffix = ""
    if division is not None:
        suffix = "-" + (_NOT_IN_FILE_NAMES.sub("-", division.short_name or division.name).strip("-.") or str(division.pk))
    return f"progress-{plan.fiscal_year_id}-q{quarter}{suffix}.{extension}"


def quarterly(plan, params: dict) -> Produced:
    from plans.models import Division

    from .builders import quarterly_progress
    from .pdf import render_pdf

    quarter = _period(plan, params).quarter
    division = Division.objects.get(organization_id=plan.organization_id, pk=params["division"]) if params.get("division") else None
    report = quarterly_progress(plan, quarter, division)
    return Produced(render_pdf("reports/quarterly.html", report), quarterly_filename(plan, quarter, division), PDF)


def scorecard(plan, params: dict) -> Produced:
    from progress.scorecard import build_scorecard

    from .pdf import render_pdf

    period = _period(plan, params)
    card = build_scorecard(plan, period)
    content = render_pdf("reports/scorecard.html", {"plan": plan, "period": period, "card": card})
    return Produced(content, f"scorecard-{plan.fiscal_year_id}-{period.pk}.pdf", PDF)


def summary(plan, params: dict) -> Produced:
    from .builders import executive_summary
    from .pdf import render_pdf

    month = _period(plan, params).last_month
    return Produced(render_pdf("reports/summary.html", executive_summary(plan, month)), f"summary-{plan.fiscal_year_id}-m{month}.pdf", PDF)


def book(plan, params: dict) -> Produced:
    from .book import plan_book
    from .pdf import render_pdf

    return Produced(render_pdf("reports/book.html", plan_book(plan)), f"plan-{plan.fiscal_year_id}.pdf", PDF)


KINDS: dict[str, ReportKind] = {
    "book": ReportKind(_("Action plan book (PDF)"), book, whole_organization=True, periodic=False),
    "summary": ReportKind(_("Executive summary (PDF)"), summary),
    "quarterly": ReportKind(_("Quarterly progress report (PDF)"), quarterly),
    "scorecard": ReportKind(_("Scorecard (PDF)"), scorecard),
}


def kind_label(kind: str):
    return KINDS[kind].label if kind in KINDS else kind


def may_request(user, kind: str) -> bool:
    from accounts.policy import can_oversee

    return kind in KINDS and (KINDS[kind].whole_organization or can_oversee(user))


@official
def produce(kind: str, plan, params: dict) -> Produced:
    return KINDS[kind].produce(plan, params)


@official
def quarterly_workbook(plan, quarter: int, division=None) -> Produced:
    """The quarterly progress tables in Excel, from the PDF's builder."""
    from .builders import quarterly_progress
    from .excel import quarterly_xlsx

    return Produced(quarterly_xlsx(quarterly_progress(plan, quarter, division)),
                    quarterly_filename(plan, quarter, division, "xlsx"), XLSX)


@official
def scorecard_workbook(plan, period) -> Produced:
    """Table ค in Excel, from the scorecard page's builder."""
    from progress.scorecard import build_scorecard

    from .excel import scorecard_xlsx

    return Produced(scorecard_xlsx(plan, period, build_scorecard(plan, period)),
                    f"scorecard-{plan.fiscal_year_id}-{period.pk}.xlsx", XLSX)
