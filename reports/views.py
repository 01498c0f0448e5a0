"""Report downloads made while the user waits. Every PDF comes from the registry's
function of its kind, the same one the background worker calls; the Excel tables come
from the same builders."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

from accounts.policy import can_oversee
from plans.models import Division, Period
from progress.caching import cached_html
from progress.selectors import plan_and_period
from progress.versions import plan_version

from . import registry


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # A division's report names it in Thai: filename*=utf-8'' for names beyond ASCII.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def report_params(request, kind: str | None = None):
    """The plan and the report's parameters named by the request (query string, or the
    form for ?division=): the period (unless the kind has none), and a division of the
    plan's organization."""
    plan, period, _periods = plan_and_period(request)
    params = {"period": period.pk} if kind is None or registry.KINDS[kind].periodic else {}
    division_id = request.POST.get("division") or request.GET.get("division")
    if division_id:
        division = (Division.objects.filter(organization_id=plan.organization_id, pk=division_id).first()
                    if str(division_id).isdigit() else None)
        if division is None:
            raise Http404
        params["division"] = division.pk
    return plan, period, params


@login_required
def pdf_now(request, kind: str):
    if not registry.may_request(request.user, kind):
        raise PermissionDenied
    plan, _period, params = report_params(request, kind)
    produced = registry.produce(kind, plan, params)
    return _download(produced.content, produced.content_type, produced.filename)


@login_required
def scorecard_xlsx(request):
    """Table ค in Excel, from the scorecard page's builder."""
    if not can_oversee(request.user):
        raise PermissionDenied
    plan, period, _periods = plan_and_period(request)
    produced = registry.scorecard_workbook(plan, period)
    return _download(produced.content, produced.content_type, produced.filename)


@login_required
def quarterly_xlsx(request):
    """The quarterly progress tables in Excel, from the PDF's builder."""
    if not can_oversee(request.user):
        raise PermissionDenied
    plan, period, params = report_params(request)
    division = Division.objects.get(pk=params["division"]) if "division" in params else None
    produced = registry.quarterly_workbook(plan, period.quarter, division)
    return _download(produced.content, produced.content_type, produced.filename)


@login_required
def dashboard(request):
    """Where the organization stands at the end of a period, for executives and planners:
    the executive summary's numbers, each linked down to the page that explains it."""
    from .dashboard import executive_dashboard

    if not can_oversee(request.user):
        raise PermissionDenied
    plan, period, periods = plan_and_period(request)

    def build() -> str:
        return render_to_string("reports/dashboard.html", {**executive_dashboard(plan, period), "periods": periods})

    month = next((p for p in periods if p.kind == Period.Kind.MONTH and p.number == period.last_month), period)
    return render(request, "reports/dashboard_page.html", {
        "plan": plan, "period": period, "periods": periods, "month": month,
        "body": cached_html("dashboard", (period.pk,), plan_version(plan), build),
    })
