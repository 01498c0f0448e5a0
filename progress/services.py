"""Every change to progress goes through one function here: it checks permission, the
period lock and the version the user started from, validates, writes the history entry
with its reason, and saves. Views, bulk actions and commands call these; nothing else
writes ProgressEntry, Evidence or PeriodLock."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import (
    DIVISION_HEAD,
    DIVISION_STAFF,
    EXECUTIVE,
    PLANNER,
    has_role,
    sees_all_organizations,
    user_division,
    user_organization,
)
from indicators.models import Indicator
from plans.models import Period, Plan
from projects.models import Project

from .models import EDITABLE_STATES, Evidence, PeriodLock, ProgressEntry, State


class WorkflowError(Exception):
    """A refused change; `message` is shown to the user as is."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class PermissionRefused(WorkflowError):
    pass


class ConcurrentEdit(WorkflowError):
    pass


class PeriodLocked(WorkflowError):
    pass


@dataclass(frozen=True)
class Item:
    """An indicator or project a division reports on."""

    kind: str  # "indicator" | "project"
    obj: Indicator | Project

    @property
    def division_id(self):
        return self.obj.division_id

    @property
    def plan_id(self):
        return self.obj.plan_id


# -- who may do what ---------------------------------------------------------------

def _same_organization(user, plan: Plan) -> bool:
    return sees_all_organizations(user) or (user_organization(user) is not None and user_organization(user).pk == plan.organization_id)


def _own_division(user, division_id) -> bool:
    division = user_division(user)
    return division is not None and division.pk == division_id


def can_edit_item(user, plan: Plan, item: Item) -> bool:
    return _same_organization(user, plan) and (
        (has_role(user, DIVISION_STAFF) or has_role(user, DIVISION_HEAD)) and _own_division(user, item.division_id)
    )


def can_view_item(user, plan: Plan, item: Item) -> bool:
    """Staff and heads see their own division's items; planners and executives see the
    organization's (but not other divisions' drafts, see can_view_content)."""
    if not _same_organization(user, plan):
        return False
    if sees_all_organizations(user) or has_role(user, PLANNER) or has_role(user, EXECUTIVE):
        return True
    return _own_division(user, item.division_id)


def can_view_content(user, entry: ProgressEntry | None) -> bool:
    """Drafts and returned reports are the division's own business until submitted."""
    if entry is None:
        return True
    if _own_division(user, entry.division_id) and (has_role(user, DIVISION_STAFF) or has_role(user, DIVISION_HEAD)):
        return True
    return entry.state not in EDITABLE_STATES or sees_all_organizations(user)


def is_head_of(user, division_id) -> bool:
    return has_role(user, DIVISION_HEAD) and _own_division(user, division_id)


def is_planner_of(user, plan: Plan) -> bool:
    return _same_organization(user, plan) and (has_role(user, PLANNER) or sees_all_organizations(user))


# -- helpers -----------------------------------------------------------------------

def _check_lock(plan: Plan, period: Period) -> None:
    if PeriodLock.objects.filter(organization_id=plan.organization_id, period=period, locked=True).exists():
        raise PeriodLocked(_("This period is locked by the planner; nothing in it can be changed."))


def _locked_entry(entry: ProgressEntry, version: int | None) -> ProgressEntry:
    """Re-read the row under a lock and refuse if someone saved since the user loaded it."""
    current = ProgressEntry.objects.select_for_update().get(pk=entry.pk)
    if version is not None and current.version != version:
        raise ConcurrentEdit(
            _("Someone else saved this report after you opened it (now version %(now)s, yours %(yours)s). "
              "Your text is kept below: copy what you need, reload the page and apply it again.")
            % {"now": current.version, "yours": version}
        )
    return current


def _record(obj, user, reason: str) -> None:
    """Who and why, for the history row the next save or delete writes."""
    obj._change_reason = reason
    obj._history_user = user


def _save(entry: ProgressEntry, user, reason: str) -> ProgressEntry:
    entry.version += 1
    entry.updated_by = user
    _record(entry, user, reason)
    entry.save()
    return entry


EDIT_FIELDS = ["value", "value_is_cumulative", "narrative", "obstacles", "suggestions", "percent_complete", "disbursed"]


def _validate_for_submit(entry: ProgressEntry) -> None:
    problems = []
    if entry.indicator_id and entry.value is None:
        problems.append(_("Result: enter the result before submitting."))
    if entry.project_id and entry.percent_complete is None:
        problems.append(_("Percent complete: enter the progress before submitting."))
    if not entry.narrative.strip():
        problems.append(_("What was done: describe the work before submitting."))
    if problems:
        raise WorkflowError(" ".join(problems))


# -- state changes -----------------------------------------------------------------

@transaction.atomic
def entry_save(*, user, plan: Plan, period: Period, item: Item, data: dict, steps_done=None,
               version: int | None, reason: str = "") -> ProgressEntry:
    """Save what staff or the head typed, as a draft."""
    if not can_edit_item(user, plan, item):
        raise PermissionRefused(_("You may edit only your own division's reports."))
    _check_lock(plan, period)
    lookup = {"indicator": item.obj} if item.kind == "indicator" else {"project": item.obj}
    entry = ProgressEntry.objects.filter(period=period, **lookup).first()
    if entry is None:
        if version not in (None, 0):
            raise ConcurrentEdit(_("This report was deleted after you opened it; reload the page."))
        entry = ProgressEntry(plan=plan, period=period, division_id=item.division_id, version=0, **lookup)
        if item.kind == "indicator":
            entry.value_is_cumulative = item.obj.cumulative
    else:
        entry = _locked_entry(entry, version)
        if entry.state not in EDITABLE_STATES:
            raise WorkflowError(_("This report was %(state)s and can no longer be edited.") % {"state": entry.get_state_display()})
    before = {name: getattr(entry, name) for name in EDIT_FIELDS}
    for name in EDIT_FIELDS:
        if name in data:
            setattr(entry, name, data[name])
    unchanged = entry.pk is not None and entry.state == State.DRAFT and all(
        getattr(entry, name) == value for name, value in before.items()
    )
    if entry.percent_complete is not None and not (Decimal(0) <= entry.percent_complete <= Decimal(100)):
        raise WorkflowError(_("Percent complete: enter a number from 0 to 100."))
    if entry.disbursed is not None and entry.disbursed < 0:
        raise WorkflowError(_("Budget disbursed: the amount cannot be negative."))
    steps_changed = False
    if steps_done is not None and entry.project_id:
        valid = {s.pk for s in steps_done if s.project_id == entry.project_id}
        steps_changed = entry.pk is None or valid != set(entry.steps_done.values_list("pk", flat=True))
    if unchanged and not steps_changed:
        return entry  # "Submit" right after saving: no empty version in the history
    entry.state = State.DRAFT
    try:
        with transaction.atomic():
            _save(entry, user, reason or _("Saved as draft"))
    except IntegrityError as exc:
        raise ConcurrentEdit(_("Someone else started this report at the same moment; reload the page.")) from exc
    if steps_changed:
        entry.steps_done.set(valid)
    return entry


@transaction.atomic
def entry_submit(*, user, entry: ProgressEntry, version: int | None) -> ProgressEntry:
    """Staff send the report to their head; a head's submission is already endorsed."""
    item = Item("indicator" if entry.indicator_id else "project", entry.item)
    if not can_edit_item(user, entry.plan, item):
        raise PermissionRefused(_("You may submit only your own division's reports."))
    _check_lock(entry.plan, entry.period)
    entry = _locked_entry(entry, version)
    if entry.state not in {State.DRAFT, State.RETURNED}:
        raise WorkflowError(_("Only a draft or a returned report can be submitted."))
    _validate_for_submit(entry)
    entry.state = State.ENDORSED if is_head_of(user, entry.division_id) else State.SUBMITTED
    entry.submitted_at = timezone.now()
    entry.return_comment = ""
    return _save(entry, user, _("Submitted"))


@transaction.atomic
def entry_endorse(*, user, entry: ProgressEntry, version: int | None) -> ProgressEntry:
    """The head approves a submitted report and forwards it to the planner."""
    if not (_same_organization(user, entry.plan) and is_head_of(user, entry.division_id)):
        raise PermissionRefused(_("Only the head of this division can approve its reports."))
    _check_lock(entry.plan, entry.period)
    entry = _locked_entry(entry, version)
    if entry.state == State.DRAFT:
        _validate_for_submit(entry)
    elif entry.state != State.SUBMITTED:
        raise WorkflowError(_("Only a submitted report can be approved by the head."))
    entry.state = State.ENDORSED
    entry.submitted_at = entry.submitted_at or timezone.now()
    return _save(entry, user, _("Approved by the division head"))


@transaction.atomic
def entry_return(*, user, entry: ProgressEntry, comment: str, version: int | None) -> ProgressEntry:
    """The head returns a submitted report to staff, or the planner returns an endorsed one."""
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("Reason for return: write what must be corrected."))
    _check_lock(entry.plan, entry.period)
    entry = _locked_entry(entry, version)
    head = _same_organization(user, entry.plan) and is_head_of(user, entry.division_id)
    planner = is_planner_of(user, entry.plan)
    allowed = (head and entry.state in {State.SUBMITTED, State.ENDORSED}) or (planner and entry.state == State.ENDORSED)
    if not (head or planner):
        raise PermissionRefused(_("Only the division head or the planner can return a report."))
    if not allowed:
        raise WorkflowError(_("This report cannot be returned in its current state."))
    entry.state = State.RETURNED
    entry.return_comment = comment
    return _save(entry, user, _("Returned: %(comment)s") % {"comment": comment})


@transaction.atomic
def entry_verify(*, user, entry: ProgressEntry, verified_value: Decimal | None, comment: str,
                 version: int | None) -> ProgressEntry:
    """The planner records the verified result and approves the report."""
    if not is_planner_of(user, entry.plan):
        raise PermissionRefused(_("Only the planner can verify and approve reports."))
    _check_lock(entry.plan, entry.period)
    entry = _locked_entry(entry, version)
    if entry.state != State.ENDORSED:
        raise WorkflowError(_("Only a report approved by the division head can be verified."))
    if entry.indicator_id and verified_value is None:
        raise WorkflowError(_("Verified result: enter the result you verified."))
    entry.verified_value = verified_value
    entry.evaluation_comment = (comment or "").strip()
    entry.state = State.APPROVED
    entry.approved_at = timezone.now()
    return _save(entry, user, _("Verified and approved"))


@transaction.atomic
def period_lock(*, user, plan: Plan, period: Period) -> PeriodLock:
    if not is_planner_of(user, plan):
        raise PermissionRefused(_("Only the planner can lock a period."))
    lock, _created = PeriodLock.objects.select_for_update().get_or_create(organization_id=plan.organization_id, period=period)
    lock.locked = True
    lock.changed_by = user
    _record(lock, user, _("Locked"))
    lock.save()
    return lock


@transaction.atomic
def period_reopen(*, user, plan: Plan, period: Period, reason: str) -> PeriodLock:
    reason = (reason or "").strip()
    if not is_planner_of(user, plan):
        raise PermissionRefused(_("Only the planner can reopen a period."))
    if not reason:
        raise WorkflowError(_("Reason for reopening: write why the period must be reopened."))
    lock = PeriodLock.objects.select_for_update().filter(organization_id=plan.organization_id, period=period).first()
    if lock is None or not lock.locked:
        raise WorkflowError(_("This period is not locked."))
    lock.locked = False
    lock.reason = reason
    lock.changed_by = user
    _record(lock, user, reason)
    lock.save()
    return lock


ALLOWED_EVIDENCE = {
    b"%PDF": "application/pdf",
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_type(head: bytes) -> str | None:
    for magic, content_type in ALLOWED_EVIDENCE.items():
        if head.startswith(magic):
            return content_type
    return None


def validate_evidence(upload) -> str:
    """The file's real type (by its first bytes, not its name), or a Thai refusal."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise WorkflowError(
            _("Evidence file: %(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": upload.name, "size": round(upload.size / 1048576, 1), "limit": settings.EVIDENCE_MAX_BYTES // 1048576}
        )
    head = upload.read(8)
    upload.seek(0)
    content_type = sniff_type(head)
    if content_type is None:
        raise WorkflowError(_("Evidence file: %(name)s is not a PDF, PNG or JPEG file.") % {"name": upload.name})
    return content_type


@transaction.atomic
def evidence_add(*, user, entry: ProgressEntry, upload) -> Evidence:
    item = Item("indicator" if entry.indicator_id else "project", entry.item)
    if not can_edit_item(user, entry.plan, item):
        raise PermissionRefused(_("You may attach evidence only to your own division's reports."))
    _check_lock(entry.plan, entry.period)
    if entry.state not in EDITABLE_STATES:
        raise WorkflowError(_("Evidence can be added only while the report is a draft or returned."))
    content_type = validate_evidence(upload)
    evidence = Evidence(
        entry=entry, original_name=upload.name[:255], content_type=content_type, size=upload.size, uploaded_by=user
    )
    extension = mimetypes.guess_extension(content_type) or ""
    evidence.file.save(f"{entry.pk}-{timezone.now():%Y%m%d%H%M%S}{extension}", upload, save=False)
    _record(evidence, user, _("Evidence added"))
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, user, evidence: Evidence) -> None:
    entry = evidence.entry
    item = Item("indicator" if entry.indicator_id else "project", entry.item)
    if not can_edit_item(user, entry.plan, item):
        raise PermissionRefused(_("You may remove evidence only from your own division's reports."))
    _check_lock(entry.plan, entry.period)
    if entry.state not in EDITABLE_STATES:
        raise WorkflowError(_("Evidence can be removed only while the report is a draft or returned."))
    _record(evidence, user, _("Evidence removed"))
    evidence.delete()


def can_assess(user, indicator, kind: str) -> bool:
    """The district's planner assesses itself; the city's evaluators (administrators,
    who see every organization) give the evaluator's result."""
    from .models import Assessment

    if kind == Assessment.Kind.SELF:
        return _same_organization(user, indicator.plan) and (has_role(user, PLANNER) or sees_all_organizations(user))
    return sees_all_organizations(user)


@transaction.atomic
def assessment_save(*, user, indicator, period: Period, kind: str, measures: dict, confirmed: list[str], comment: str,
                    version: int | None):
    """Score the rubric with the engine and keep the inputs, the result and the history."""
    from indicators.calculations import score
    from indicators.scoring import rubric_levels

    from .models import Assessment

    if not can_assess(user, indicator, kind):
        raise PermissionRefused(_("You may not record this assessment."))
    _check_lock(indicator.plan, period)
    assessment = Assessment.objects.select_for_update().filter(indicator=indicator, period=period, kind=kind).first()
    if assessment is None:
        if version not in (None, 0):
            raise ConcurrentEdit(_("This assessment changed after you opened it; reload the page."))
        assessment = Assessment(indicator=indicator, period=period, kind=kind, version=0)
    elif version is not None and assessment.version != version:
        raise ConcurrentEdit(_("Someone else saved this assessment after you opened it; reload the page."))
    if confirmed and not Evidence.objects.filter(entry__indicator=indicator, entry__period=period).exists():
        raise WorkflowError(
            _("Conditions confirmed: attach the evidence (the report, the survey, ...) to this indicator's progress report "
              "for %(period)s first.") % {"period": period}
        )
    levels = rubric_levels(indicator.rubric)
    result = score(levels, {k: v for k, v in measures.items() if v is not None}, set(confirmed))
    assessment.measures = {k: (str(v) if v is not None else None) for k, v in measures.items()}
    assessment.confirmed = sorted(confirmed)
    assessment.level = result.level
    assessment.points = result.points
    assessment.comment = (comment or "").strip()
    assessment.version += 1
    assessment.updated_by = user
    _record(assessment, user, _("Assessment saved"))
    assessment.save()
    return assessment
