from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from accounts.roles import EXECUTIVE, PLANNER, has_role, scope_to_user, sees_all_organizations, user_division, user_organization
from plans.models import Plan

from .checks import CATEGORY_LABELS, check_plan


def _get_plan_for_user(user, plan_id: int) -> Plan:
    """A plan of the user's own organization (404 for any other)."""
    plans = scope_to_user(Plan.objects.select_related("organization", "fiscal_year"), user)
    return get_object_or_404(plans, pk=plan_id)


def _can_check_plans(user) -> bool:
    return sees_all_organizations(user) or has_role(user, PLANNER)


@login_required
def home(request):
    if user_division(request.user) is not None and not has_role(request.user, PLANNER):
        return redirect("progress:my-work")  # staff and heads land on their work
    plans = list(scope_to_user(Plan.objects.select_related("organization", "fiscal_year"), request.user))
    return render(
        request,
        "home.html",
        {
            "plans": plans,
            "organization": user_organization(request.user),
            "can_check": _can_check_plans(request.user),
            "can_oversee": _can_check_plans(request.user) or has_role(request.user, EXECUTIVE),
            "can_import_plan": has_role(request.user, PLANNER) and user_organization(request.user) is not None,
        },
    )


@login_required
def plan_check(request, plan_id: int):
    plan = _get_plan_for_user(request.user, plan_id)
    if not _can_check_plans(request.user):
        raise PermissionDenied
    findings = check_plan(plan)
    groups = [
        {"category": key, "label": CATEGORY_LABELS.get(key, key), "findings": list(items)}
        for key, items in groupby(sorted(findings, key=lambda f: list(CATEGORY_LABELS).index(f.category)), key=lambda f: f.category)
    ]
    return render(request, "plans/check.html", {"plan": plan, "groups": groups, "total": len(findings)})
