"""The planners' page for the whole-plan workbook: download a plan's workbook or the
empty template, upload a workbook (or one sheet as CSV), see what every row will do,
then confirm: the whole file is imported in one transaction, or nothing is."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import policy
from accounts.policy import scope_to_user
from accounts.roles import user_organization
from kpiplan.import_widgets import ImportPreview
from kpiplan.uploads import PendingUploads
from plans.models import Plan

from .workbook import MAX_UPLOAD_BYTES, export_workbook, import_workbook

SESSION_KEY = "plan_workbook_imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _planner_or_403(user):
    if not policy.allowed(user, "plans.import"):
        raise PermissionDenied
    return user_organization(user)


PENDING = PendingUploads(SESSION_KEY, "plan-imports")


@login_required
def plan_workbook(request, plan_id: int):
    """The workbook of one plan (planners of its organization, administrators)."""
    if not policy.allowed(request.user, "plans.check"):
        raise PermissionDenied
    plan = get_object_or_404(scope_to_user(Plan.objects.select_related("organization"), request.user), pk=plan_id)
    response = HttpResponse(export_workbook(plan), content_type=XLSX)
    name = f"plan-{plan.organization.code or plan.organization_id}-{plan.fiscal_year_id}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def workbook_template(request):
    if not policy.allowed(request.user, "plans.check"):
        raise PermissionDenied
    response = HttpResponse(export_workbook(None, organization=user_organization(request.user)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="plan-template.xlsx"'
    return response


@login_required
def import_plan(request):
    organization = _planner_or_403(request.user)
    plans = list(Plan.objects.filter(organization=organization).select_related("fiscal_year"))
    context = {"plans": plans, "organization": organization, "preview": None, "token": None, "error": None,
               "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "plans/import.html", context)

    def chosen_plan(plan_id):
        return next((p for p in plans if str(p.pk) == str(plan_id)), None) if plan_id else None

    if request.POST.get("action") == "confirm":
        kept = PENDING.take(request, request.POST.get("token", ""))
        if kept is None:
            context["error"] = _("This upload is no longer available (already imported or expired); upload the file again.")
            return render(request, "plans/import.html", context, status=400)
        info, data = kept
        preview = import_workbook(data, info["filename"], user=request.user, dry_run=False,
                                  plan=chosen_plan(info["plan"]), expect=info["signature"])
        if preview.has_errors:
            context.update(preview=preview.counted(), error=_("Something changed since the preview; nothing was imported. "
                                                              "Correct the rows below and upload the file again."))
            return render(request, "plans/import.html", context, status=409)
        counts = {a: sum(s.count(a) for s in preview.sheets) for a in ("new", "update", "skip")}
        messages.success(request, _("Imported %(file)s: %(new)s new, %(update)s updated, %(skip)s unchanged.")
                         % {"file": info["filename"], **counts})
        return redirect("home")

    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Choose a file to upload.")
        return render(request, "plans/import.html", context, status=400)
    filename = upload.name.rsplit("/", 1)[-1][:200]
    plan_id = request.POST.get("plan") or None
    if upload.size > MAX_UPLOAD_BYTES:
        preview = ImportPreview(filename=filename)
        preview.errors.append(_("The file is %(size).1f MB; the limit is %(limit)s MB.")
                              % {"size": upload.size / 1048576, "limit": context["max_mb"]})
    else:
        data = upload.read()
        preview = import_workbook(data, filename, user=request.user, dry_run=True, plan=chosen_plan(plan_id))
        if not preview.has_errors:
            context["token"] = PENDING.keep(request, data, filename=filename, plan=plan_id, signature=preview.signature())
    context["preview"] = preview.counted()
    return render(request, "plans/import.html", context)
