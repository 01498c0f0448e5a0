"""The planners' page for Traffy Fondue files: upload a CSV export or a GeoJSON file,
see how many tickets are new, updated, unchanged or of other districts and which rows
are wrong (nothing is written), then confirm: the whole file is imported in one
transaction, or nothing is."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import policy
from accounts.roles import user_organization
from kpiplan.lib.thai import format_number_in
from kpiplan.uploads import PendingUploads
from plans.models import Organization

from .importer import MAX_UPLOAD_BYTES, import_file
from .models import Batch

PENDING = PendingUploads("traffy_imports", "traffy-imports")


def _organizations_for(user) -> tuple[Organization | None, list[Organization]]:
    """(the user's own organization, the organizations they may import into)."""
    if not policy.allowed(user, "traffy.import"):
        raise PermissionDenied
    own = user_organization(user)
    if policy.sees_all_organizations(user):
        return own, list(Organization.objects.filter(kind=Organization.Kind.DISTRICT).order_by("short_name"))
    return own, [own]


def _chosen(request, organizations: list[Organization], own) -> Organization | None:
    wanted = request.POST.get("organization") or request.GET.get("organization")
    if wanted:
        return next((o for o in organizations if str(o.pk) == str(wanted)), None)
    return own if own in organizations else (organizations[0] if len(organizations) == 1 else None)


@login_required
def import_tickets(request):
    own, organizations = _organizations_for(request.user)
    organization = _chosen(request, organizations, own)
    context = {"organization": organization, "organizations": organizations if len(organizations) > 1 else [],
               "result": None, "token": None, "error": None, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
               "batches": list(Batch.objects.filter(organization=organization).select_related("by")[:10])
               if organization else []}
    if request.method != "POST":
        return render(request, "traffy/import.html", context)
    if organization is None:
        context["error"] = _("Choose the organization the tickets are for.")
        return render(request, "traffy/import.html", context, status=400)
    if not policy.allowed(request.user, "traffy.import", organization):
        raise PermissionDenied

    if request.POST.get("action") == "confirm":
        kept = PENDING.take(request, request.POST.get("token", ""))
        if kept is None or kept[0].get("organization") != organization.pk:
            context["error"] = _("This upload is no longer available (already imported or expired); upload the file again.")
            return render(request, "traffy/import.html", context, status=400)
        info, data = kept
        result = import_file(organization=organization, user=request.user, data=data, filename=info["filename"],
                             dry_run=False)
        if result.has_errors:
            context.update(result=result, error=_("Nothing was imported. Correct every problem listed below and upload "
                                                  "the file again."))
            return render(request, "traffy/import.html", context, status=409)
        batch = result.batch
        messages.success(request, _("Imported %(file)s: %(created)s new tickets, %(updated)s updated, %(unchanged)s "
                                    "unchanged; %(other)s of other districts skipped.")
                         % {"file": info["filename"], **{key: format_number_in(value, get_language()) for key, value in (
                             ("created", batch.created), ("updated", batch.updated), ("unchanged", batch.unchanged),
                             ("other", batch.other_districts))}})
        return redirect(f"{reverse('traffy-import')}?organization={organization.pk}")

    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = _("Choose a file to upload.")
        return render(request, "traffy/import.html", context, status=400)
    filename = upload.name.rsplit("/", 1)[-1][:200]
    if upload.size > MAX_UPLOAD_BYTES:
        context["error"] = _("The file is %(size).1f MB; the limit is %(limit)s MB.") % {
            "size": upload.size / 1048576, "limit": context["max_mb"]}
        return render(request, "traffy/import.html", context, status=400)
    data = upload.read()
    result = import_file(organization=organization, user=request.user, data=data, filename=filename, dry_run=True)
    if not result.has_errors:
        context["token"] = PENDING.keep(request, data, filename=filename, organization=organization.pk)
    context["result"] = result
    return render(request, "traffy/import.html", context)
