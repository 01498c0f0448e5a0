from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from progress.scorecard import build_scorecard
from progress.views import _can_oversee, _plan_and_period

from .pdf import render_pdf


@login_required
def scorecard_pdf(request):
    """Table ค as an official-looking A4 landscape PDF (small: rendered in the request)."""
    if not _can_oversee(request.user):
        raise PermissionDenied
    plan, period, _periods = _plan_and_period(request)
    pdf = render_pdf("reports/scorecard.html", {"plan": plan, "period": period, "card": build_scorecard(plan, period)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="scorecard-{plan.fiscal_year_id}-{period.pk}.pdf"'
    return response


@login_required
def quarterly_pdf(request):
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
    pdf = render_pdf("reports/quarterly.html", quarterly_progress(plan, quarter, division))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="progress-{plan.fiscal_year_id}-q{quarter}.pdf"'
    return response
