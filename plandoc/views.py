from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from accounts import policy
from accounts.policy import scope_to_user
from plans.models import Plan

from .checks import CATEGORY_LABELS, check_plan


def _get_plan_for_user(user, plan_id: int) -> Plan:
    """A plan of the user's own organization (404 for any other)."""
    plans = scope_to_user(Plan.objects.select_related("organization", "fiscal_year"), user)
    return get_object_or_404(plans, pk=plan_id)


@login_required
def plan_check(request, plan_id: int):
    plan = _get_plan_for_user(request.user, plan_id)
    if not policy.allowed(request.user, "plans.check"):
        raise PermissionDenied
    findings = check_plan(plan)
    groups = [
        {"category": key, "label": CATEGORY_LABELS.get(key, key), "findings": list(items)}
        for key, items in groupby(sorted(findings, key=lambda f: list(CATEGORY_LABELS).index(f.category)), key=lambda f: f.category)
    ]
    return render(request, "plans/check.html", {"plan": plan, "groups": groups, "total": len(findings)})
