from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from accounts import policy
from accounts.policy import scope_to_user
from plans.findings import CATEGORIES, DOCUMENT_CATEGORIES, ERROR, PROGRESS_CATEGORIES, SEVERITIES
from plans.models import Plan
from progress.quality import progress_findings

from .checks import check_plan


def _get_plan_for_user(user, plan_id: int) -> Plan:
    """A plan of the user's own organization (404 for any other)."""
    plans = scope_to_user(Plan.objects.select_related("organization", "fiscal_year"), user)
    return get_object_or_404(plans, pk=plan_id)


def group_findings(findings, categories: dict, chosen: str | None, severity: str | None) -> dict:
    """The page's view of a list of findings: a chip per category with its count (over
    every finding, so the chips stay put while filtering), and the groups left after
    the chosen category and severity."""
    counts = {key: 0 for key in categories}
    for f in findings:
        counts[f.category] += 1
    shown = [f for f in findings if (not chosen or f.category == chosen) and (not severity or f.severity == severity)]
    groups = []
    for key, label in categories.items():
        items = [f for f in shown if f.category == key]
        if items:
            groups.append({"category": key, "label": label, "findings": items})
    chips = [{"category": key, "label": label, "count": counts[key]} for key, label in categories.items() if counts[key]]
    return {"groups": groups, "chips": chips, "total": len(findings), "shown": len(shown),
            "errors": sum(1 for f in findings if f.severity == ERROR)}


@login_required
def plan_check(request, plan_id: int):
    plan = _get_plan_for_user(request.user, plan_id)
    if not policy.allowed(request.user, "plans.check"):
        raise PermissionDenied
    chosen = request.GET.get("category") if request.GET.get("category") in CATEGORIES else None
    severity = request.GET.get("severity") if request.GET.get("severity") in SEVERITIES else None
    document = group_findings(check_plan(plan), DOCUMENT_CATEGORIES, chosen, severity)
    progress = group_findings(progress_findings(plan), PROGRESS_CATEGORIES, chosen, severity)
    return render(request, "plans/check.html", {
        "plan": plan, "parts": [document, progress], "document": document, "progress": progress,
        "total": document["total"] + progress["total"],
        "chosen": chosen, "severity": severity, "severities": SEVERITIES,
    })
