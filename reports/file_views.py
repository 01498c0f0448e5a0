"""Pages of the reports made in the background: request one, watch it being made,
download it (after an access check: MEDIA_ROOT is never served), list one's own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plans.models import Division, Period
from progress.services import PermissionRefused

from . import registry
from .models import ReportFile
from .services import can_read_report_file, report_request
from .views import report_params


def _get_report_file_for_user(user, report_file_id: int) -> ReportFile:
    """The request if the user may read it; 404 otherwise, so others' reports do not
    even reveal that they exist."""
    report_file = get_object_or_404(ReportFile.objects.select_related("plan__organization", "requested_by"), pk=report_file_id)
    if not can_read_report_file(user, report_file):
        raise Http404
    return report_file


@login_required
@require_POST
def request_report(request, kind: str):
    """Queue a report of the plan and period named in the query string (as on the page
    the button is on) and show its progress."""
    if kind not in registry.KINDS:
        raise Http404
    if not registry.may_request(request.user, kind):
        raise PermissionDenied
    plan, _period, params = report_params(request, kind)
    try:
        report_file = report_request(user=request.user, plan=plan, kind=kind, params=params)
    except PermissionRefused:
        raise PermissionDenied from None
    return redirect("reports:file", report_file.pk)


def _describe(report_file: ReportFile, periods: dict[int, Period], divisions: dict[int, Division]) -> dict:
    return {
        "label": registry.kind_label(report_file.kind),
        "period": periods.get(report_file.params.get("period")),
        "division": divisions.get(report_file.params.get("division")),
    }


def _lookups(report_files: list[ReportFile]) -> tuple[dict, dict]:
    """Periods and divisions the requests name, in one query each."""
    period_ids = {rf.params.get("period") for rf in report_files} - {None}
    division_ids = {rf.params.get("division") for rf in report_files} - {None}
    periods = Period.objects.in_bulk(period_ids) if period_ids else {}
    divisions = Division.objects.in_bulk(division_ids) if division_ids else {}
    return periods, divisions


@login_required
def report_file(request, report_file_id: int):
    report_file = _get_report_file_for_user(request.user, report_file_id)
    periods, divisions = _lookups([report_file])
    expired = report_file.is_expired()
    return render(request, "reports/file.html", {
        "report_file": report_file, **_describe(report_file, periods, divisions), "expired": expired,
        "refresh": report_file.is_pending and not expired,
    })


@login_required
def report_file_download(request, report_file_id: int):
    report_file = _get_report_file_for_user(request.user, report_file_id)
    if report_file.is_expired() or (report_file.status == ReportFile.Status.READY and not report_file.file.storage.exists(
            report_file.file.name)):
        periods, divisions = _lookups([report_file])
        return render(request, "reports/file.html", {
            "report_file": report_file, **_describe(report_file, periods, divisions), "expired": True, "refresh": False,
        }, status=410)
    if report_file.status != ReportFile.Status.READY:
        return redirect("reports:file", report_file.pk)
    return FileResponse(report_file.file.open("rb"), content_type=report_file.content_type, as_attachment=True,
                        filename=report_file.filename)


@login_required
def my_reports(request):
    """The reports one asked for (kind, state filters), newest first."""
    from kpiplan import lists

    from .filters import ReportFileFilter
    from .tables import ReportFileTable

    filterset = ReportFileFilter(request.GET, queryset=ReportFile.objects.filter(requested_by=request.user)
                                 .select_related("plan__organization"))
    report_files = list(filterset.qs)
    periods, divisions = _lookups(report_files)
    rows = []
    for rf in report_files:
        row = {"report_file": rf, **_describe(rf, periods, divisions), "expired": rf.is_expired()}
        row["state"] = "expired" if row["expired"] else rf.status
        row["state_label"] = _("Expired") if row["expired"] else rf.get_status_display()
        rows.append(row)
    table = ReportFileTable(rows)
    fmt = lists.export_format(request)
    if fmt:
        return lists.export(request, table, fmt, f"my-reports-{timezone.localdate():%Y-%m-%d}")
    return render(request, "reports/files.html", {
        "table": lists.paginate(request, table), "filter": filterset, "keep": [], "rows": rows, "any": bool(rows) or bool(request.GET),
        "export_links": lists.export_links(request),
    })
