"""The reports that can be produced in the background, by name.

Each kind is a function ``produce(plan, params) -> Produced`` that builds the report from
its builder and renders it; ``params`` is the JSON the request stored:
``{"period": <Period id>}`` plus ``"division": <Division id>`` when one division was
asked for. Adding a kind is one line in ``KINDS`` (heavy imports stay inside the
function, so the worker and the pages load this module cheaply).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"


class Produced(NamedTuple):
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class ReportKind:
    label: str | Promise
    produce: Callable[..., Produced]


def _period(plan, params: dict):
    from plans.models import Period

    return Period.objects.get(pk=params["period"], fiscal_year_id=plan.fiscal_year_id)


def quarter_of(period) -> int:
    """The quarter a period falls in (a quarter is its own)."""
    return period.number if period.kind == "quarter" else (period.number - 1) // 3 + 1


def quarterly(plan, params: dict) -> Produced:
    from plans.models import Division

    from .builders import quarterly_progress
    from .pdf import render_pdf

    quarter = quarter_of(_period(plan, params))
    division = Division.objects.get(organization_id=plan.organization_id, pk=params["division"]) if params.get("division") else None
    report = quarterly_progress(plan, quarter, division)
    suffix = f"-{division.pk}" if division else ""
    return Produced(render_pdf("reports/quarterly.html", report), f"progress-{plan.fiscal_year_id}-q{quarter}{suffix}.pdf", PDF)


def scorecard(plan, params: dict) -> Produced:
    from progress.scorecard import build_scorecard

    from .pdf import render_pdf

    period = _period(plan, params)
    card = build_scorecard(plan, period)
    content = render_pdf("reports/scorecard.html", {"plan": plan, "period": period, "card": card})
    return Produced(content, f"scorecard-{plan.fiscal_year_id}-{period.pk}.pdf", PDF)


KINDS: dict[str, ReportKind] = {
    "quarterly": ReportKind(_("Quarterly progress report (PDF)"), quarterly),
    "scorecard": ReportKind(_("Scorecard (PDF)"), scorecard),
}


def kind_label(kind: str):
    return KINDS[kind].label if kind in KINDS else kind


def produce(kind: str, plan, params: dict) -> Produced:
    return KINDS[kind].produce(plan, params)
