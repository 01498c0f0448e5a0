from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from progress.scorecard import build_scorecard
from progress.views import _can_oversee, _plan_and_period

from .pdf import render_pdf
from .registry import last_month_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def scorecard_pdf(request, fmt: str = "pdf"):
    """Table ค as an official-looking A4 landscape PDF, or the same table in Excel."""
    from .excel import scorecard_xlsx

    if not _can_oversee(request.user):
        raise PermissionDenied
    plan, period, _periods = _plan_and_period(request)
    card = build_scorecard(plan, period)
    name = f"scorecard-{plan.fiscal_year_id}-{period.pk}"
    if fmt == "xlsx":
        return _download(scorecard_xlsx(plan, period, card), XLSX, f"{name}.xlsx")
    return _download(render_pdf("reports/scorecard.html", {"plan": plan, "period": period, "card": card}),
                     "application/pdf", f"{name}.pdf")


@login_required
def quarterly_pdf(request, fmt: str = "pdf"):
    """Quarterly progress of the organization, or of one division (?division=)."""
    from django.http import Http404

    from plans.models import Division

    from .builders import quarterly_progress

    if not _can_oversee(request.user):
        raise PermissionDenied
    plan, period, _periods = _plan_and_period(request)
    quarter = period.number if period.kind == "quarter" else (period.number - 1) // 3 + 1
    division = None
    if request.GET.get("division"):
        division = Division.objects.filter(organization_id=plan.organization_id, pk=request.GET["division"]).first()
        if division is None:
            raise Http404
    from .excel import quarterly_xlsx

    report = quarterly_progress(plan, quarter, division)
    name = f"progress-{plan.fiscal_year_id}-q{quarter}"
    if fmt == "xlsx":
        return _download(quarterly_xlsx(report), XLSX, f"{name}.xlsx")
    return _download(render_pdf("reports/quarterly.html", report), "application/pdf", f"{name}.pdf")


@login_required
def book_pdf(request):
    """The action plan book regenerated from the data. It holds only the plan (no
    progress drafts), so everyone of the plan's organization may read it."""
    from progress import selectors

    from .book import plan_book

    plan = selectors.current_plan(request.user, request.GET.get("plan"))
    if plan is None:
        raise Http404
    return _download(render_pdf("reports/book.html", plan_book(plan)), "application/pdf", f"plan-{plan.fiscal_year_id}.pdf")


@login_required
def summary_pdf(request):
    """Executive summary (at most two A4 pages) to the end of the chosen period's last month."""
    from .builders import executive_summary

    if not _can_oversee(request.user):
        raise PermissionDenied
    plan, period, _periods = _plan_and_period(request)
    month = last_month_of(period)
    report = executive_summary(plan, month)
    return _download(render_pdf("reports/summary.html", report), "application/pdf",
                     f"summary-{plan.fiscal_year_id}-m{month}.pdf")
