"""Who may read or change what: the one place every page, admin page, API view, import,
export and download asks.

Shaped like django-rules: small *predicates* of (user, object) combined into *named
permissions*, asked with `allowed(user, "progress.edit_item", obj)`. It is our own module
rather than django-rules because half of the answers are not yes/no about one object
but "which rows" (an organization's rows, without another division's drafts), and those
row filters must come from the same rules as the object checks; django-rules answers
only the first kind. The module sits in `accounts` (the lowest layer) and reads objects
by duck typing (`ORG_PATH`, `division_id`, `state`), so it imports no domain app.

Reading and changing are scoped apart: `scope_to_user`, `can_view_item`, `reads_organization`
answer who may *read* an organization's rows (its own people, administrators, and the
city executive, who reads every organization); `same_organization` and
`scope_to_own_organization` answer who may *change* them (its own people and
administrators only) and are what every write path (entry, verify, lock, reopen,
assessment, imports, report requests, the admin) asks. A new reader role widens the
first kind only.

The roles themselves (groups and their model permissions) stay in accounts.roles.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from .roles import (
    ADMINISTRATOR,
    CITY_EXECUTIVE,
    DIVISION_HEAD,
    DIVISION_STAFF,
    EXECUTIVE,
    PLANNER,
    has_role,
    user_division,
    user_organization,
)

# The states in which a progress report is its division's own work in progress
# (progress.models.EDITABLE_STATES, as stored strings).
PRIVATE_STATES = ("not_started", "draft", "returned")

# Models whose rows carry a progress state: the path from the row to its report.
_REPORT_PATH = {"progress.progressentry": "", "progress.evidence": "entry__"}


# -- predicates --------------------------------------------------------------------

def sees_all_organizations(user, obj=None) -> bool:
    """Administrators look after every organization of the installation."""
    return bool(user.is_authenticated and (user.is_superuser or has_role(user, ADMINISTRATOR)))


def is_city_reader(user, obj=None) -> bool:
    """The city executive: reads every organization's submitted work, changes nothing."""
    return has_role(user, CITY_EXECUTIVE)


def reads_all_organizations(user, obj=None) -> bool:
    """May read every organization's rows (administrators, the city executive). Never
    asked by a write path: changing stays with same_organization."""
    return sees_all_organizations(user) or (user.is_authenticated and is_city_reader(user))


def is_planner(user, obj=None) -> bool:
    return has_role(user, PLANNER)


def is_executive(user, obj=None) -> bool:
    return has_role(user, EXECUTIVE)


def is_division_member(user, obj=None) -> bool:
    """Staff or head of a division (the people who write reports)."""
    return (has_role(user, DIVISION_STAFF) or has_role(user, DIVISION_HEAD)) and user_division(user) is not None


def organization_id_of(obj):
    """The organization a row belongs to, following the model's ORG_PATH (None: city-wide)."""
    if obj is None:
        return None
    if hasattr(obj, "organization_id") and getattr(type(obj), "ORG_PATH", None) == "organization":
        return obj.organization_id
    path = getattr(type(obj), "ORG_PATH", None)
    if path is None:
        return None
    if path == "":
        return obj.pk
    *steps, last = path.split("__")
    target = obj
    for step in steps:
        target = getattr(target, step, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def same_organization(user, obj) -> bool:
    """The object is the user's organization's (or the user sees all): who may change it."""
    if sees_all_organizations(user):
        return True
    organization = user_organization(user)
    return organization is not None and organization_id_of(obj) == organization.pk


def reads_organization(user, obj) -> bool:
    """The object is of an organization the user may read: their own, or any for the
    administrators and the city executive."""
    return reads_all_organizations(user) or same_organization(user, obj)


def own_division(user, obj) -> bool:
    division = user_division(user)
    division_id = obj if isinstance(obj, int) else getattr(obj, "division_id", None)
    return division is not None and division.pk == division_id


def _report(obj):
    """The progress report a row is about (itself, or an evidence file's report)."""
    return obj.entry if type(obj)._meta.label_lower == "progress.evidence" else obj


def is_private_draft(obj) -> bool:
    """A report (or its evidence) its division has not submitted yet."""
    return getattr(_report(obj), "state", None) in PRIVATE_STATES


def can_oversee(user, obj=None) -> bool:
    """Reads the whole organization's submitted work: planners, executives, administrators,
    and the city executive (every organization's)."""
    return sees_all_organizations(user) or is_planner(user) or is_executive(user) or is_city_reader(user)


def can_view_content(user, entry) -> bool:
    """Drafts and returned reports are the division's own business until submitted."""
    if entry is None:
        return True
    entry = _report(entry)
    if is_division_member(user) and own_division(user, entry):
        return True
    return not is_private_draft(entry) or sees_all_organizations(user)


def can_view_item(user, item, plan=None) -> bool:
    """Staff and heads see their own division's items; planners and executives the
    organization's (but not other divisions' drafts, see can_view_content). `plan`:
    the plan the item is reported in, when the caller has it (saves reading it)."""
    if not reads_organization(user, plan if plan is not None else item):
        return False
    return can_oversee(user) or own_division(user, item)


def can_edit_item(user, item, plan=None) -> bool:
    """A division's reports are written by its own staff and head only."""
    return same_organization(user, plan if plan is not None else item) and is_division_member(user) and own_division(user, item)


def is_head_of(user, obj) -> bool:
    return has_role(user, DIVISION_HEAD) and own_division(user, obj)


def is_division_author(user, obj=None) -> bool:
    """Division staff who write reports and send them to their head (not the head)."""
    division = user_division(user)
    return has_role(user, DIVISION_STAFF) and division is not None and not is_head_of(user, division.pk)


def has_own_work(user, obj=None) -> bool:
    """Belongs to a division, so has a "my work" page."""
    return user_division(user) is not None


def lands_on_own_work(user, obj=None) -> bool:
    """Staff and heads start on their division's work; planners on the plans."""
    return has_own_work(user) and not is_planner(user)


def is_planner_of(user, obj) -> bool:
    return same_organization(user, obj) and (is_planner(user) or sees_all_organizations(user))


def can_assess(user, indicator, self_assessment: bool = True) -> bool:
    """The district's planner assesses itself; the city's evaluators (administrators,
    who see every organization) give the evaluator's result."""
    if self_assessment:
        return is_planner_of(user, indicator.plan)
    return sees_all_organizations(user)


def can_read_report_file(user, report_file, *, kind_allowed: bool) -> bool:
    """A report made in the background: the requester, and whoever of the report's
    organization may request that kind (`kind_allowed`, reports.registry.may_request)."""
    if not user.is_authenticated:
        return False
    if report_file.requested_by_id == user.pk:
        return True
    return kind_allowed and reads_organization(user, report_file)


def can_request_reopen(user, plan) -> bool:
    return same_organization(user, plan) and is_division_member(user)


def can_import_plan(user, obj=None) -> bool:
    """Plan workbooks go into the planner's own organization only."""
    return is_planner(user) and user_organization(user) is not None


def can_add_people(user, obj=None) -> bool:
    """A planner adds divisions and their staff and heads to their own organization
    (never another's, never a planner or an administrator: those are the
    administrator's, who also creates organizations)."""
    return is_planner(user) and user_organization(user) is not None


def can_check_plans(user, obj=None) -> bool:
    return sees_all_organizations(user) or is_planner(user)


def can_import_traffy(user, organization=None) -> bool:
    """Traffy Fondue tickets go into an organization by its planner, or by an administrator
    (for any organization): the KPI of table ค 1.2 is computed from them."""
    if sees_all_organizations(user):
        return True
    if not (is_planner(user) and user_organization(user) is not None):
        return False
    return organization is None or same_organization(user, organization)


def can_view_traffy(user, organization=None) -> bool:
    """An organization's tickets are read by its own people and the readers of every organization."""
    if organization is None:
        return reads_all_organizations(user) or user_organization(user) is not None
    return reads_organization(user, organization)


def import_progress_scope(user, plan) -> str | None:
    """What the user may import into the plan's progress: "division" (staff and heads,
    their own division's reports) or None (planners never write a division's report)."""
    organization = user_organization(user)
    if organization is None or organization.pk != plan.organization_id:
        return None
    return "division" if is_division_member(user) else None


# -- named permissions ---------------------------------------------------------------

PERMISSIONS: dict[str, Callable[..., bool]] = {
    "organization.all": sees_all_organizations,
    "organization.same": same_organization,
    "organization.read_all": reads_all_organizations,
    "organization.read": reads_organization,
    "progress.oversee": can_oversee,
    "progress.review": lambda user, obj=None: sees_all_organizations(user) or is_planner(user),
    "progress.view_item": can_view_item,
    "progress.edit_item": can_edit_item,
    "progress.view_content": can_view_content,
    "progress.head_of": is_head_of,
    "progress.planner_of": is_planner_of,
    "progress.request_reopen": can_request_reopen,
    "progress.author": is_division_author,
    "progress.write": is_division_member,
    "progress.own_work": has_own_work,
    "progress.lands_on_own_work": lands_on_own_work,
    "progress.assess": can_assess,
    "progress.list_items": lambda user, obj=None: can_oversee(user) or is_division_member(user),
    "plans.check": can_check_plans,
    "plans.import": can_import_plan,
    "accounts.add_people": can_add_people,
    # Traffy tickets (issue 16) are public complaints: everyone who reads the organization
    # reads them (any division's staff too: the work lists are the district's); imports
    # are the planner's of the organization (or an administrator's).
    "traffy.import": can_import_traffy,
    "traffy.view": can_view_traffy,
    "admin.change_reference": lambda user, obj=None: sees_all_organizations(user),
    # City-wide organizations and policy codes: an import may add them only for an
    # administrator; a planner's workbook names existing ones (issue 15).
    "plans.create_reference_data": lambda user, obj=None: sees_all_organizations(user),
}


def allowed(user, permission: str, obj=None, *context) -> bool:
    """The one question: may this user do `permission` (on `obj`, with the rule's further
    `context`, e.g. the plan of an item)? Unknown names and anonymous users are refused."""
    rule = PERMISSIONS.get(permission)
    return bool(rule and user.is_authenticated and rule(user, obj, *context))


# -- rows a user may see ---------------------------------------------------------------

def scope_to_user(queryset, user):
    """The rows the user may read: their own organization's, unless they read all
    (administrators, the city executive). Write paths use scope_to_own_organization."""
    if reads_all_organizations(user):
        return queryset
    return _own_organization(queryset, user)


def scope_to_own_organization(queryset, user):
    """The rows the user may change (or request work on): their own organization's,
    every organization's for administrators only. The admin and report requests use it
    (imports go by the user's own organization, import_progress_scope)."""
    if sees_all_organizations(user):
        return queryset
    return _own_organization(queryset, user)


def _own_organization(queryset, user):
    organization = user_organization(user)
    if organization is None:
        return queryset.none()
    return queryset.for_organization(organization)


def visible_items(queryset, user):
    """Indicators or projects listed for `user` (can_view_item row by row): the
    organization's for those who oversee it, the own division's for staff and heads."""
    queryset = scope_to_user(queryset, user)
    if can_oversee(user):
        return queryset
    if not is_division_member(user):
        return queryset.none()
    return queryset.filter(division_id=user_division(user).pk)


def _report_path(model) -> str | None:
    model = getattr(model, "instance_type", model)  # a simple-history model: its tracked model
    return _REPORT_PATH.get(model._meta.label_lower)


def without_others_drafts(queryset, user):
    """Progress rows (reports, evidence, and their history) without the drafts of
    divisions other than the user's own: what every list, export and history shows."""
    path = _report_path(queryset.model)
    if path is None or sees_all_organizations(user):
        return queryset
    public = ~Q(**{f"{path}state__in": PRIVATE_STATES})
    division = user_division(user)
    if is_division_member(user):
        public |= Q(**{f"{path}division": division})
    return queryset.filter(public)


def visible_progress(queryset, user):
    """The progress reports `user` may read (pages, API, sheets): the organization's,
    only the own division's items for staff and heads (can_view_item), and no other
    division's drafts (can_view_content)."""
    queryset = scope_to_user(queryset, user)
    if not can_oversee(user):
        division = user_division(user)
        if division is None:
            return queryset.none()
        queryset = queryset.filter(Q(indicator__division_id=division.pk) | Q(project__division_id=division.pk))
    return without_others_drafts(queryset, user)


def visible_rows(queryset, user):
    """Organization scope and the draft rule together: what the admin and its exports
    list (the admin changes rows, so its scope is the own organization's)."""
    queryset = without_others_drafts(queryset, user)
    if getattr(queryset.model, "ORG_PATH", None) is None:
        return queryset
    return scope_to_own_organization(queryset, user)


def may_read_row(user, obj) -> bool:
    """One row (or one historical version of it): the same answer as visible_rows."""
    if getattr(type(obj), "ORG_PATH", None) is not None and not same_organization(user, obj):
        return False
    if _report_path(type(obj)) is not None and not can_view_content(user, obj):
        return False
    return True


# -- notices ---------------------------------------------------------------------------
# A notice is its recipient's alone: nobody else reads it, administrators included.

def is_recipient(user, obj) -> bool:
    return bool(user.is_authenticated and obj is not None and getattr(obj, "recipient_id", None) == user.pk)


def own_notices(queryset, user):
    """The notices `user` may read: their own."""
    return queryset.filter(recipient_id=user.pk) if user.is_authenticated else queryset.none()


PERMISSIONS["notices.read"] = is_recipient
