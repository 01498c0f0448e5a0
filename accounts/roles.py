"""The six roles as Django groups, and who a user is (organization, division).
Who may read or change what is asked of accounts.policy."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

DIVISION_STAFF = "division_staff"
DIVISION_HEAD = "division_head"
PLANNER = "planner"
EXECUTIVE = "executive"
ADMINISTRATOR = "administrator"
# Reads every organization's submitted work (the city's executives); changes nothing.
CITY_EXECUTIVE = "city_executive"

ROLE_LABELS = {
    DIVISION_STAFF: _("Division staff"),
    DIVISION_HEAD: _("Division head"),
    PLANNER: _("Planner"),
    EXECUTIVE: _("Executive"),
    ADMINISTRATOR: _("Administrator"),
    CITY_EXECUTIVE: _("City executive"),
}

# Models a planner maintains for their own organization in the admin.
PLAN_DATA_MODELS = {
    "plans": ["division", "workgroup", "plan", "planstatement", "strategynode", "variant", "printedtotal",
              "discrepancy"],
    "indicators": ["indicator", "indicatortarget", "baseline", "rubric", "rubriclevel", "rubriccondition"],
    "projects": ["project", "projectindicator", "keyresultlink", "workstep"],
}
# Progress is changed only through the pages (progress.services); the admin shows it.
PROGRESS_MODELS = {"progress": ["progressentry", "evidence", "periodlock", "reopenrequest"]}
# City-wide reference data: planners read it, administrators change it.
REFERENCE_MODELS = {
    "plans": ["organization", "organizationalias", "fiscalyear", "period"],
    "projects": ["policy"],
}


def _perms(models: dict[str, list[str]], actions: list[str]) -> list[Permission]:
    wanted = []
    for app, names in models.items():
        for name in names:
            for action in actions:
                wanted.append((app, f"{action}_{name}"))
    perms = Permission.objects.filter(content_type__app_label__in=models.keys()).select_related("content_type")
    by_key = {(p.content_type.app_label, p.codename): p for p in perms}
    return [by_key[w] for w in wanted if w in by_key]


def sync_roles() -> None:
    """Create the groups and give them their permissions; safe to run again. Staff,
    heads, executives and the city executive have no model permission: they work
    through the pages only (and the city executive only reads)."""
    for role in ROLE_LABELS:
        Group.objects.get_or_create(name=role)
    planner = Group.objects.get(name=PLANNER)
    planner.permissions.set(
        _perms(PLAN_DATA_MODELS, ["add", "change", "delete", "view"])
        + _perms(REFERENCE_MODELS, ["view"])
        + _perms(PROGRESS_MODELS, ["view"])
    )
    admin = Group.objects.get(name=ADMINISTRATOR)
    admin.permissions.set(
        _perms(PLAN_DATA_MODELS, ["add", "change", "delete", "view"])
        + _perms(REFERENCE_MODELS, ["add", "change", "delete", "view"])
        + _perms(PROGRESS_MODELS, ["view"])
        + list(Permission.objects.filter(content_type__app_label__in=["auth", "accounts"]))
    )


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_kpiplan_roles", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._kpiplan_roles = cache
    return role in cache


def _profile(user):
    """The user's profile with its organization and division, read once per request
    (one query, where following the relations read three)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_kpiplan_profile"):
        from .models import Profile

        user._kpiplan_profile = Profile.objects.select_related("organization", "division").filter(user=user).first()
    return user._kpiplan_profile


def user_organization(user):
    profile = _profile(user)
    return profile.organization if profile else None


def user_division(user):
    profile = _profile(user)
    return profile.division if profile else None


def role_label(group_name: str) -> str:
    """What people read for a role: the group's name is a key the code asks for, so it
    stays English; its label is translated (a group we do not know shows its name)."""
    return str(ROLE_LABELS.get(group_name, group_name))
