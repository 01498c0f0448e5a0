"""Every change to progress goes through one function here: it checks permission, the
period lock and the version the user started from, validates, writes the history entry
with its reason, and saves. Views, bulk actions and commands call these; nothing else
writes ProgressEntry, Evidence or PeriodLock."""

from __future__ import annotations

import datetime
import mimetypes
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.roles import user_division
from indicators.calculations import measures_total
from indicators.models import Indicator
from kpiplan.lib import images
from plans.models import Period, Plan
from projects.models import Project

from . import notify
from .models import EDITABLE_STATES, Evidence, PeriodLock, ProgressEntry, ReopenRequest, State, counted_measures


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


class ImpossibleValue(WorkflowError):
    """A result that cannot be true (progress.plausibility): refused whatever the
    explanation. The message names the field; `detail` is the same without the name,
    for a form that shows it under the field."""

    def __init__(self, message: str, *, detail: str, field: str = "value"):
        super().__init__(message)
        self.detail = detail
        self.field = field  # the form field it is about ("measure_<n>" for one measure's box)


class NeedsProposalReason(WorkflowError):
    """A result other than the one Traffy's tickets give (traffy.proposal), saved without
    saying why. `detail` is the message without the field's name, for under the box."""

    def __init__(self, message: str, *, detail: str):
        super().__init__(message)
        self.detail = detail


class NeedsExplanation(WorkflowError):
    """A result far from what the plan suggests: saved only when the person entering it
    confirms it and writes why. `reason` says why it looks wrong; `note_missing` whether
    the explanation is what is missing (else the confirmation)."""

    def __init__(self, message: str, *, reason: str, shown: str, note_missing: bool):
        super().__init__(message)
        self.reason = reason  # in the site's language, as stored (what a confirmation refers to)
        self.shown = shown  # in the user's language
        self.note_missing = note_missing


def _stored_reason(problems, unit: str) -> str:
    """Why a result looks unusual, in the site's language: stored with the report for the
    planner and compared with what the user confirmed, whatever language each one reads."""
    from django.utils import translation

    from .plausibility import reason

    with translation.override(settings.LANGUAGE_CODE):
        return reason(problems, unit=unit)


@dataclass(frozen=True)
class ValueCheck:
    """The plausibility problems of the one result of a report, or of one measure's."""

    measure: str | None  # the measure's label; None for a one-number result
    unit: str
    index: int  # the measure's place (its form box), 0 for a one-number result
    problems: list


def _reason_text(checks: list[ValueCheck], *, stored: bool) -> str:
    """Why the results look unusual, one text for the report (each measure named)."""
    from .plausibility import reason

    parts = []
    for check in checks:
        text = _stored_reason(check.problems, check.unit) if stored else reason(check.problems, unit=check.unit)
        if text:
            parts.append(f"{check.measure}: {text}" if check.measure else text)
    return " ".join(parts)


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


# -- who may do what (asked of accounts.policy, the one access policy) --------------

def _same_organization(user, plan: Plan) -> bool:
    return policy.same_organization(user, plan)


def can_edit_item(user, plan: Plan, item: Item) -> bool:
    return policy.can_edit_item(user, item, plan)


def can_view_item(user, plan: Plan, item: Item) -> bool:
    return policy.can_view_item(user, item, plan)


def can_view_content(user, entry: ProgressEntry | None) -> bool:
    return policy.can_view_content(user, entry)


def is_head_of(user, division_id) -> bool:
    return policy.is_head_of(user, division_id)


def is_planner_of(user, plan: Plan) -> bool:
    return policy.is_planner_of(user, plan)


# -- helpers -----------------------------------------------------------------------

def _check_lock(plan: Plan, period: Period) -> None:
    if PeriodLock.objects.filter(organization_id=plan.organization_id, period=period, locked=True).exists():
        raise PeriodLocked(_("This period is locked by the planner; nothing in it can be changed."))


def _locked_entry(entry: ProgressEntry, version: int | None) -> ProgressEntry:
    """Re-read the row under a lock and refuse if someone saved since the user loaded it."""
    if version is None:
        raise ConcurrentEdit(_("The page did not say which version of the report you started from, so nothing was "
                               "saved (it could overwrite someone else's work); reload the page and apply it again."))
    current = ProgressEntry.objects.select_for_update().get(pk=entry.pk)
    if current.version != version:
        raise ConcurrentEdit(
            _("Someone else saved this report after you opened it (now version %(now)s, yours %(yours)s). "
              "Your text is kept below: copy what you need, reload the page and apply it again.")
            % {"now": current.version, "yours": version}
        )
    return current


HISTORY_REASON_MAX = 100  # simple_history's history_change_reason column


def _record(obj, user, reason: str) -> None:
    """Who and why, for the history row the next save or delete writes. A long reason
    (a return comment, a reopening reason) is cut to fit the history column; the full
    text stays on the object itself."""
    if len(reason) > HISTORY_REASON_MAX:
        reason = reason[:HISTORY_REASON_MAX - 1] + "…"
    obj._change_reason = reason
    obj._history_user = user


def _save(entry: ProgressEntry, user, reason: str) -> ProgressEntry:
    entry.version += 1
    entry.updated_by = user
    _record(entry, user, reason)
    entry.save()
    return entry


EDIT_FIELDS = ["value", "measure_values", "value_is_cumulative", "narrative", "obstacles", "suggestions",
               "percent_complete", "disbursed"]
UNUSUAL_FIELDS = ["implausible_reason", "implausible_note"]
PROPOSAL_FIELDS = ["proposed_value", "proposed_received", "proposed_resolved", "proposed_batch_id", "proposed_source",
                   "proposed_as_of", "proposal_note"]


def plausible_multiple() -> Decimal:
    return Decimal(str(getattr(settings, "PROGRESS_PLAUSIBLE_MULTIPLE", 3)))


def _value_bases(indicators, periods) -> tuple[dict, dict]:
    """What plausibility compares results with, for many indicators in a few queries: the
    target the status pages judge against, and every result reported in the fiscal
    year (any state: earlier reports are the division's own; verified when verified),
    by (indicator, period kind) -> {period number: value}. An indicator reported by
    measure also has "measures" -> [MeasureTarget], and its targets and series by
    (indicator, label) and (indicator, period kind, label)."""
    from .status import _main_targets, measure_targets

    targets: dict = dict(_main_targets(indicators))
    for pk, measures in measure_targets(indicators).items():
        targets[("measures", pk)] = measures
        for m in measures:
            targets[(pk, m.label)] = m.target
    kinds = {p.kind for p in periods}
    years = {p.fiscal_year_id for p in periods}
    series: dict[tuple, dict[int, Decimal | None]] = {}
    for row in ProgressEntry.objects.filter(indicator__in=indicators, period__kind__in=kinds,
                                            period__fiscal_year_id__in=years).values(
            "indicator_id", "period__kind", "period__number", "value", "verified_value", "measure_values",
            "verified_measure_values"):
        value = row["verified_value"] if row["verified_value"] is not None else row["value"]
        series.setdefault((row["indicator_id"], row["period__kind"]), {})[row["period__number"]] = value
        for label, number in counted_measures(row["measure_values"], row["verified_measure_values"]).items():
            series.setdefault((row["indicator_id"], row["period__kind"], label), {})[row["period__number"]] = number
    return targets, series


def value_checks(*, indicator: Indicator, period: Period, value: Decimal | None, measures: dict[str, Decimal | None],
                 cumulative: bool, targets: dict, series: dict) -> list[ValueCheck]:
    """The plausibility problems of a report's result, or of each of its measures (an
    indicator reported by measure: `measures` by label), from _value_bases."""
    listed = targets.get(("measures", indicator.pk))
    if not listed:
        return [ValueCheck(None, indicator.unit, 0, value_problems(
            indicator=indicator, period=period, value=value, cumulative=cumulative, target=targets.get(indicator.pk),
            series=series.get((indicator.pk, period.kind), {})))]
    return [ValueCheck(m.label, m.unit, index, value_problems(
        indicator=indicator, period=period, value=measures.get(m.label), cumulative=cumulative,
        target=targets.get((indicator.pk, m.label)), series=series.get((indicator.pk, period.kind, m.label), {})))
        for index, m in enumerate(listed)]


def measures_json(measures: dict[str, Decimal | None]) -> dict[str, str]:
    """Values per measure as stored (JSON keeps decimals as text; an empty box is left out)."""
    return {label: f"{value:f}" for label, value in measures.items() if value is not None}


def value_problems(*, indicator: Indicator, period: Period, value: Decimal | None, cumulative: bool,
                   target: Decimal | None, series: dict[int, Decimal | None]):
    """progress.plausibility.check_value for a value reported for `period`, `series`
    being the indicator's results of the earlier periods of the year by number."""
    from indicators.calculations import result_to_date

    from .plausibility import check_value

    previous = result_to_date([series.get(n) for n in range(1, period.number)], cumulative)
    return check_value(value=value, unit=indicator.unit, target=target, previous=previous, cumulative=cumulative,
                       multiple=plausible_multiple())


def _confirm_value(entry: ProgressEntry, indicator: Indicator, period: Period, data: dict) -> None:
    """Refuse an impossible result; keep an unlikely one only with its confirmation and
    explanation (stored on the report, so the history keeps them and the planner sees
    them); forget both once the result is ordinary again. An indicator reported by
    measure has each measure checked against its own target."""
    from .plausibility import describe, impossible

    targets, series = _value_bases([indicator], [period])
    checks = value_checks(indicator=indicator, period=period, value=entry.value, measures=entry.measures,
                          cumulative=entry.value_is_cumulative, targets=targets, series=series)
    for check in checks:
        refused = impossible(check.problems)
        if refused:
            unit = check.unit
            if check.measure:
                label = _("Result: %(measure)s (%(unit)s)") % {"measure": check.measure, "unit": unit}
            else:
                label = _("Result (%(unit)s)") % {"unit": unit} if unit else _("Result")
            raise ImpossibleValue(" ".join(describe(p, unit=unit, field=label) for p in refused),
                                  detail=" ".join(describe(p, unit=unit) for p in refused),
                                  field=f"measure_{check.index}" if check.measure else "value")
    why = _reason_text(checks, stored=True)
    if not why:
        entry.implausible_reason = entry.implausible_note = ""
        return
    note = (data["implausible_note"] if "implausible_note" in data else entry.implausible_note or "").strip()
    if "implausible_confirmed" in data:
        # The form's box confirms what the user was shown, not a warning for another value.
        confirmed = bool(data["implausible_confirmed"]) and (data.get("implausible_seen") or why) == why
    else:
        confirmed = entry.implausible_reason == why and bool(entry.implausible_note)
    if not (note and confirmed):
        shown = _reason_text(checks, stored=False)
        raise NeedsExplanation(
            _("This result looks unusual: %(reason)s If it is correct, tick the confirmation and write why; "
              "otherwise correct the result. Nothing was saved.") % {"reason": shown},
            reason=why, shown=shown, note_missing=not note)
    entry.implausible_reason = why
    entry.implausible_note = note


def _confirm_proposal(entry: ProgressEntry, indicator: Indicator, period: Period, data: dict) -> None:
    """An indicator computed from Traffy: keep the proposal the result was confirmed
    against (the value, its counts, the import), and a result other than the proposal
    only with the reason the person reporting gives. The proposal is computed again here,
    from the tickets as they are now, whatever the page showed."""
    from traffy.proposal import proposal_for

    proposal = proposal_for(indicator, period, cumulative=entry.value_is_cumulative) if entry.value is not None else None
    if proposal is None:  # nothing proposed, or nothing reported yet: nothing to cite
        entry.proposed_value = entry.proposed_received = entry.proposed_resolved = entry.proposed_as_of = None
        entry.proposed_batch = None
        entry.proposed_source = entry.proposal_note = ""
        return
    note = (data["proposal_note"] if "proposal_note" in data else entry.proposal_note or "").strip()
    if entry.value == proposal.value:
        note = ""  # confirmed as proposed: no reason needed, none kept
    elif not note:
        from django.utils.translation import get_language

        from kpiplan.lib.thai import format_number_in

        detail = _("Traffy's tickets give %(proposal)s; write why the result is %(value)s, or use the proposed value.") % {
            "proposal": format_number_in(proposal.value, get_language()),
            "value": format_number_in(entry.value, get_language())}
        raise NeedsProposalReason(_("Reason for differing from Traffy: %(detail)s Nothing was saved.") % {"detail": detail},
                                  detail=detail)
    entry.proposed_value = proposal.value
    entry.proposed_received = proposal.received
    entry.proposed_resolved = proposal.resolved
    entry.proposed_batch = proposal.batch
    entry.proposed_source = proposal.source
    entry.proposed_as_of = proposal.as_of
    entry.proposal_note = note


def submit_problems(entry: ProgressEntry) -> list[str]:
    """What keeps a report from being submitted; empty when it is complete. The single
    submit and the bulk "submit all complete drafts" ask the same question."""
    problems = []
    if entry.indicator_id and entry.value is None:
        if entry.measure_values:  # reported by measure: the total needs every one
            problems.append(_("Result: enter the result of every measure before submitting."))
        else:
            problems.append(_("Result: enter the result before submitting."))
    if entry.project_id and entry.percent_complete is None:
        problems.append(_("Percent complete: enter the progress before submitting."))
    if not entry.narrative.strip():
        problems.append(_("What was done: describe the work before submitting."))
    return problems


def _validate_for_submit(entry: ProgressEntry) -> None:
    problems = submit_problems(entry)
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
    before = {name: getattr(entry, name) for name in EDIT_FIELDS + UNUSUAL_FIELDS + PROPOSAL_FIELDS}
    for name in EDIT_FIELDS:
        if name in data:
            setattr(entry, name, data[name])
    if item.kind == "indicator" and data.get("measures") is not None:
        entry.measure_values = measures_json(data["measures"])
        entry.value = measures_total(data["measures"].values())
    if item.kind == "indicator":
        _confirm_value(entry, item.obj, period, data)
        _confirm_proposal(entry, item.obj, period, data)
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
def entry_submit(*, user, entry: ProgressEntry, version: int | None, reason: str = "") -> ProgressEntry:
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
    _save(entry, user, reason or _("Submitted"))
    notify.entry_changed(entry, user)
    return entry


@transaction.atomic
def entry_endorse(*, user, entry: ProgressEntry, version: int | None, reason: str = "") -> ProgressEntry:
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
    _save(entry, user, reason or _("Approved by the division head"))
    notify.entry_changed(entry, user)
    return entry


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
    _save(entry, user, _("Returned: %(comment)s") % {"comment": comment})
    notify.entry_changed(entry, user)
    return entry


@transaction.atomic
def entry_verify(*, user, entry: ProgressEntry, verified_value: Decimal | None, comment: str,
                 version: int | None, reason: str = "", verified_measures: dict[str, Decimal | None] | None = None,
                 ) -> ProgressEntry:
    """The planner records the verified result and approves the report. A report by
    measure is verified per measure (`verified_measures`; a measure left out keeps its
    reported value), and its verified result is their total."""
    if not is_planner_of(user, entry.plan):
        raise PermissionRefused(_("Only the planner can verify and approve reports."))
    _check_lock(entry.plan, entry.period)
    entry = _locked_entry(entry, version)
    if entry.state != State.ENDORSED:
        raise WorkflowError(_("Only a report approved by the division head can be verified."))
    if entry.measure_values:
        verified = {**entry.measures, **{k: v for k, v in (verified_measures or {}).items() if v is not None}}
        if any(v < 0 for v in verified.values()):
            raise WorkflowError(_("Verified result: a count or an amount cannot be negative."))
        entry.verified_measure_values = measures_json(verified)
        verified_value = measures_total(verified.values())
    if entry.indicator_id and verified_value is None:
        raise WorkflowError(_("Verified result: enter the result you verified."))
    entry.verified_value = verified_value
    entry.evaluation_comment = (comment or "").strip()
    entry.state = State.APPROVED
    entry.approved_at = timezone.now()
    entry = _save(entry, user, reason or _("Verified and approved"))
    notify.entry_changed(entry, user)  # nobody is told; the planners' "waiting for verification" is answered
    return entry


@transaction.atomic
def period_lock(*, user, plan: Plan, period: Period, expect: str | None = None) -> PeriodLock:
    """Lock the period. `expect` is the signature of the open work the planner was shown
    (selectors.open_items): if reports moved since, nothing is locked, so a period is
    never frozen over work the planner did not see."""
    from .selectors import open_items

    if not is_planner_of(user, plan):
        raise PermissionRefused(_("Only the planner can lock a period."))
    lock, _created = PeriodLock.objects.select_for_update().get_or_create(organization_id=plan.organization_id, period=period)
    if expect is not None and open_items(plan, period).signature() != expect:
        raise ConcurrentEdit(_("Reports of this period changed after you opened the confirmation; nothing was locked. "
                               "Look at what is still open again and confirm."))
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
    # The divisions that asked for this get the planner's reason as their answer.
    answered = ReopenRequest.objects.filter(organization_id=plan.organization_id, period=period, answered_at__isnull=True)
    requests = list(answered.select_related("period"))
    answered.update(answered_by=user, answered_at=timezone.now(), answer=reason)
    notify.reopen_answered(requests, plan, reason)
    return lock


# -- bulk actions ---------------------------------------------------------------------
#
# A bulk action acts on exactly the reports its confirmation page listed, at the versions
# it showed (`versions`: entry id -> version, in the listed order). Each report goes
# through the single-report function (permission, lock, version, history with who and
# why) inside one transaction: one refusal and nothing at all is changed.


def _bulk_entries(plan: Plan, period: Period, versions: dict[int, int]) -> list[ProgressEntry]:
    if not versions:
        raise WorkflowError(_("No report was chosen; nothing was done."))
    rows = (ProgressEntry.objects.select_for_update(of=("self",))
            # A quarter's confirmation lists its months' reports too.
            .filter(plan=plan, period__in=Period.objects.within(period), pk__in=list(versions))
            .select_related("plan", "period", "indicator", "project"))
    by_id = {e.pk: e for e in rows}
    changed = [str(by_id[pk].item) for pk, version in versions.items() if pk in by_id and by_id[pk].version != version]
    if len(by_id) != len(versions) or changed:
        raise ConcurrentEdit(
            _("Some reports changed after you opened the confirmation (%(names)s); nothing was done. "
              "Look at the list again and confirm.")
            % {"names": ", ".join(changed) or _("a report was removed")}
        )
    return [by_id[pk] for pk in versions]


def _named(entry: ProgressEntry, exc: WorkflowError) -> WorkflowError:
    """The same refusal, saying which of the many reports it was about."""
    named = type(exc)(_("%(item)s: %(message)s Nothing was done.") % {"item": entry.item, "message": exc.message})
    return named


@transaction.atomic
def entries_submit_all(*, user, plan: Plan, period: Period, versions: dict[int, int]) -> list[ProgressEntry]:
    """Staff send all their complete drafts of a period to the head at once. Heads
    submit a draft from its own page: their submission forwards it to the planner."""
    entries = _bulk_entries(plan, period, versions)
    if any(is_head_of(user, e.division_id) for e in entries):
        raise PermissionRefused(_("A division head submits drafts one by one, from each report's page."))
    return _each_in_state(
        entries, State.DRAFT, _("Only drafts are submitted together; this report is %(state)s."),
        lambda entry: entry_submit(user=user, entry=entry, version=versions[entry.pk],
                                   reason=_("Submitted with the period's other complete drafts")))


def _each_in_state(entries, state, refusal, act) -> list[ProgressEntry]:
    """`act` on every entry, each of which must be in `state`; the first refusal names its
    report and (the caller being atomic) undoes the ones before it."""
    done = []
    for entry in entries:
        try:
            if entry.state != state:
                raise WorkflowError(refusal % {"state": entry.get_state_display()})
            done.append(act(entry))
        except WorkflowError as exc:
            raise _named(entry, exc) from exc
    return done


@transaction.atomic
def entries_endorse_all(*, user, plan: Plan, period: Period, versions: dict[int, int]) -> list[ProgressEntry]:
    """The head approves submitted reports at once. Only submitted ones: a draft was
    never sent by its author, and a head who wants to send it opens it."""
    return _each_in_state(
        _bulk_entries(plan, period, versions), State.SUBMITTED,
        _("Only reports submitted by staff are approved together; this report is %(state)s."),
        lambda entry: entry_endorse(user=user, entry=entry, version=versions[entry.pk],
                                    reason=_("Approved by the division head with other submitted reports")))


@transaction.atomic
def entries_verify_all(*, user, plan: Plan, period: Period, versions: dict[int, int],
                       verified: dict[int, Decimal | None], comment: str = "") -> list[ProgressEntry]:
    """The planner verifies several endorsed reports at once; `verified` holds each
    report's verified result (the reported one unless the planner changed it)."""
    entries = _bulk_entries(plan, period, versions)
    done = []
    for entry in entries:
        try:
            done.append(entry_verify(user=user, entry=entry, verified_value=verified.get(entry.pk), comment=comment,
                                     version=versions[entry.pk], reason=_("Verified and approved with other reports")))
        except WorkflowError as exc:
            raise _named(entry, exc) from exc
    return done


# -- asking for a locked period to be reopened -----------------------------------------

def can_request_reopen(user, plan: Plan) -> bool:
    return policy.can_request_reopen(user, plan)


def reopen_request_create(*, user, plan: Plan, period: Period, reason: str) -> ReopenRequest:
    """A division asks for a locked period to be reopened; the organization's planners
    get a notice and, those who want e-mail, a mail at once; the request waits on their
    review page until a reopening answers it."""
    from django.core.mail import send_mail

    from notices.services import mail_recipients

    reason = (reason or "").strip()
    if not can_request_reopen(user, plan):
        raise PermissionRefused(_("Only division staff and heads can ask for a period to be reopened."))
    if not reason:
        raise WorkflowError(_("Reason: write why the period must be reopened."))
    with transaction.atomic():
        if not PeriodLock.objects.filter(organization_id=plan.organization_id, period=period, locked=True).exists():
            raise WorkflowError(_("This period is not locked."))
        division = user_division(user)
        request = ReopenRequest.objects.create(organization_id=plan.organization_id, period=period, requested_by=user,
                                               division=division, reason=reason)
        planners = list(notify.planners_of(plan.organization_id).order_by("pk"))
        mailed = mail_recipients(planners)
        notify.reopen_requested(request, plan, planners, mailed=mailed)
    recipients = sorted({p.email for p in mailed})
    if recipients:
        who = user.get_full_name() or user.username
        # The request is kept whatever the mail server does: the review page lists it.
        send_mail(
            _("kpiplan: %(division)s asks to reopen %(period)s") % {"division": division.name, "period": period},
            "\n".join([
                _("%(who)s (%(division)s) asks you to reopen the locked period %(period)s.")
                % {"who": who, "division": division.name, "period": period},
                "", _("Reason: %(reason)s") % {"reason": reason}, "",
                _("Open requests are listed on the Review reports page; reopening the period answers them."),
            ]),
            None, recipients, fail_silently=True,
        )
    return request


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


@dataclass(frozen=True)
class PreparedEvidence:
    """An evidence upload checked and ready to store: its real type, the file to keep (a
    large photo made smaller) and when the photo says it was taken."""
    name: str
    content_type: str
    file: object
    taken_at: datetime.datetime | None


def _too_large(name: str, size: int, limit: int) -> WorkflowError:
    return WorkflowError(_("Evidence file: %(name)s is %(size)s MB; the limit is %(limit)s MB.")
                         % {"name": name, "size": round(size / 1048576, 1), "limit": limit // 1048576})


def prepare_evidence(upload) -> PreparedEvidence:
    """Check an upload by its first bytes (not its name) and its size, and make a large
    photo smaller, or refuse it in Thai naming the file. A phone photo of 12-25 MB is
    accepted up to EVIDENCE_IMAGE_MAX_BYTES as it comes and must fit EVIDENCE_MAX_BYTES
    once made smaller; any other file must fit EVIDENCE_MAX_BYTES as it is."""
    head = upload.read(8)
    upload.seek(0)
    content_type = sniff_type(head)
    is_image = content_type is not None and content_type.startswith("image/")
    raw_limit = max(settings.EVIDENCE_IMAGE_MAX_BYTES, settings.EVIDENCE_MAX_BYTES) if is_image else settings.EVIDENCE_MAX_BYTES
    if upload.size > raw_limit:
        raise _too_large(upload.name, upload.size, raw_limit)
    if content_type is None:
        raise WorkflowError(_("Evidence file: %(name)s is not a PDF, PNG or JPEG file.") % {"name": upload.name})
    if not is_image:
        return PreparedEvidence(upload.name, content_type, upload, None)
    try:
        photo = images.shrink_photo(upload)
    except images.UnreadableImage:
        raise WorkflowError(
            _("Evidence file: %(name)s looks like a picture but cannot be opened (damaged or incomplete); "
              "take the photo again or choose another file.") % {"name": upload.name}
        ) from None
    finally:
        upload.seek(0)
    stored = upload if photo.data is None else ContentFile(photo.data, name=upload.name)
    if stored.size > settings.EVIDENCE_MAX_BYTES:
        raise WorkflowError(
            _("Evidence file: %(name)s is still %(size)s MB after it was made smaller; the limit is %(limit)s MB.")
            % {"name": upload.name, "size": round(stored.size / 1048576, 1), "limit": settings.EVIDENCE_MAX_BYTES // 1048576})
    taken = timezone.make_aware(photo.taken_at) if photo.taken_at else None  # the camera's clock: local time
    return PreparedEvidence(upload.name, content_type, stored, taken)


def validate_evidence(upload) -> str:
    """The file's real type, or a Thai refusal (prepare_evidence without keeping the result)."""
    return prepare_evidence(upload).content_type


@transaction.atomic
def evidence_add(*, user, entry: ProgressEntry, upload) -> Evidence:
    """Attach an upload (or one prepare_evidence already checked) to a draft or returned report."""
    item = Item("indicator" if entry.indicator_id else "project", entry.item)
    if not can_edit_item(user, entry.plan, item):
        raise PermissionRefused(_("You may attach evidence only to your own division's reports."))
    _check_lock(entry.plan, entry.period)
    if entry.state not in EDITABLE_STATES:
        raise WorkflowError(_("Evidence can be added only while the report is a draft or returned."))
    prepared = upload if isinstance(upload, PreparedEvidence) else prepare_evidence(upload)
    evidence = Evidence(
        entry=entry, original_name=prepared.name[:255], content_type=prepared.content_type, size=prepared.file.size,
        uploaded_by=user, taken_at=prepared.taken_at,
    )
    extension = mimetypes.guess_extension(prepared.content_type) or ""
    evidence.file.save(f"{entry.pk}-{timezone.now():%Y%m%d%H%M%S}{extension}", prepared.file, save=False)
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
    from .models import Assessment

    return policy.can_assess(user, indicator, kind == Assessment.Kind.SELF)


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


# -- importing a progress sheet ----------------------------------------------------

@dataclass
class ImportRow:
    """One row of an uploaded progress sheet with its cells already read
    (progress.resources); `values` holds only the columns the sheet has."""

    sheet: str
    number: int
    kind: str
    code: str
    period: str
    division: str
    measure: str = ""  # the measure's label, for an indicator reported by measure
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (column, message) found while reading cells


# max_digits, decimal_places of the model fields
_NUMBER_LIMITS = {"value": (18, 4), "percent_complete": (5, 2), "disbursed": (16, 2)}
_TEXT_FIELDS = ("narrative", "obstacles", "suggestions")


def import_scope(user, plan: Plan) -> str | None:
    """What the user may import into the plan: "division" (staff and heads: their own
    division's reports) or None. The same people entry_save lets write a report: a
    division's drafts are its own, so planners, who never see or edit them, do not
    import progress either (their sheet is a read-only export of submitted results)."""
    return policy.import_progress_scope(user, plan)


def _number_problem(name: str, number: Decimal | None) -> tuple[Decimal | None, str | None]:
    if number is None:
        return None, None
    digits, places = _NUMBER_LIMITS[name]
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if abs(number) >= Decimal(10) ** (digits - places):
        return None, _("the number is too large.")
    if name == "percent_complete" and not (Decimal(0) <= number <= Decimal(100)):
        return None, _("enter a number from 0 to 100.")
    if name == "disbursed" and number < 0:
        return None, _("the amount cannot be negative.")
    return number, None


def _update_from_values(entries: list[ProgressEntry], names: list[str], batch_size: int = 1000) -> None:
    """UPDATE ... FROM (VALUES ...) on PostgreSQL: Django's bulk_update builds a CASE per
    field whose cost grows with the batch, which made 10,000 updates take 10 s or more."""
    model_fields = [ProgressEntry._meta.get_field(name) for name in names]
    table = connection.ops.quote_name(ProgressEntry._meta.db_table)
    columns = [connection.ops.quote_name(f.column) for f in model_fields]
    casts = [f.db_type(connection).split("(")[0] if f.get_internal_type() != "ForeignKey"
             else f.target_field.rel_db_type(connection) for f in model_fields]
    row_sql = "(%s::integer, " + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    assignments = ", ".join(f"{column} = v.c{i}" for i, column in enumerate(columns))
    names_sql = ", ".join(["id"] + [f"c{i}" for i in range(len(columns))])
    with connection.cursor() as cursor:
        for start in range(0, len(entries), batch_size):
            batch = entries[start:start + batch_size]
            params = []
            for entry in batch:
                params.append(entry.pk)
                params.extend(f.get_db_prep_save(getattr(entry, f.attname), connection) for f in model_fields)
            cursor.execute(
                f"UPDATE {table} AS e SET {assignments} FROM (VALUES {', '.join([row_sql] * len(batch))}) "
                f"AS v({names_sql}) WHERE e.id = v.id",
                params,
            )


def _import_value_check(entry: ProgressEntry | None, indicator: Indicator, period: Period, values: dict,
                        note: str | None, changes: dict, targets: dict, series: dict) -> list[tuple[str, str]]:
    """The plausibility rules for one row of a progress sheet, as entry_save applies them
    to the form: an impossible result is a row error naming the column; an unlikely one
    is an error unless the row explains it in the column «คำชี้แจงค่าผิดปกติ» (typing the
    explanation is the confirmation). Adds the stored reason and explanation to `changes`."""
    from . import sheet as cols
    from .plausibility import describe, impossible

    value = values["value"] if "value" in values else (entry.value if entry is not None else None)
    measures = values["measures"] if "measures" in values else (entry.measures if entry is not None else {})
    cumulative = values.get("value_is_cumulative")
    if cumulative is None:
        cumulative = entry.value_is_cumulative if entry is not None else indicator.cumulative
    checks = value_checks(indicator=indicator, period=period, value=value, measures=measures, cumulative=cumulative,
                          targets=targets, series=series)
    refused = [(cols.VALUE, f"{c.measure}: {describe(p, unit=c.unit)}" if c.measure else describe(p, unit=c.unit))
               for c in checks for p in impossible(c.problems)]
    if refused:
        return refused
    why = _reason_text(checks, stored=True)
    stored_reason = entry.implausible_reason if entry is not None else ""
    stored_note = entry.implausible_note if entry is not None else ""
    if not why:
        explanation = ""
    elif note is not None:
        explanation = note.strip()
    else:  # no such column: an explanation given before for this very reason still holds
        explanation = stored_note if stored_reason == why else ""
    if why and not explanation:
        return [(cols.VALUE, _("This result looks unusual: %(reason)s If it is correct, write why in the column "
                               "«%(column)s»; otherwise correct the result.")
                 % {"reason": _reason_text(checks, stored=False), "column": cols.EXPLANATION})]
    if why != stored_reason:
        changes["implausible_reason"] = why
    if explanation != (stored_note or "").strip():
        changes["implausible_note"] = explanation
    return []


class _Followers:
    """The rows of a sheet that carry the second and later measures of a report (one row
    per measure): merged into the report's first row, and given its outcome."""

    def __init__(self):
        self.rows: dict[int, list[ImportRow]] = {}
        self.measure_labels: dict[int, list[str]] = {}

    def labels(self, indicator) -> list[str]:
        return self.measure_labels.get(indicator.pk, [])

    def same(self, carrier: ImportRow, outcome_sheet, action: str, label: str) -> None:
        from kpiplan.import_widgets import RowOutcome

        for row in self.rows.get(id(carrier), []):
            outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, action, f"{label} ({row.measure})"))


def _merge_measure_rows(resolved: list) -> tuple[list, _Followers]:
    """Rows of an indicator reported by measure name their measure in «ตัววัด»; the rows of
    one report (item and period) become one: its first row carries every measure's value
    (values["measures"]) and the texts, which the other rows leave empty or repeat."""
    from indicators.models import measures_of

    from . import sheet as cols

    followers = _Followers()
    indicators = {obj.pk: obj for _row, kind, obj, _p, _e in resolved if kind == "indicator" and obj is not None}
    labels = {pk: [t.label for t in targets] for pk, targets in measures_of(list(indicators)).items()}
    followers.measure_labels = labels
    carriers: dict[tuple[int, int], ImportRow] = {}
    out = []
    for row, kind, obj, period, errors in resolved:
        own = labels.get(obj.pk) if kind == "indicator" and obj is not None else None
        typed = cols.normalize(row.measure)
        if not own:
            if typed:
                errors.append((cols.MEASURE, _("This indicator has one result; leave the column «%(column)s» empty.")
                               % {"column": cols.MEASURE}))
            out.append((row, kind, obj, period, errors))
            continue
        measure = next((m for m in own if cols.normalize(m) == typed), None)
        if measure is None:
            errors.append((cols.MEASURE, _("This indicator is reported per measure: write one of %(measures)s in the "
                                           "column «%(column)s».")
                           % {"measures": ", ".join(f"«{m}»" for m in own), "column": cols.MEASURE}))
            out.append((row, kind, obj, period, errors))
            continue
        row.measure = measure
        number = row.values.pop("value", None)
        key = (obj.pk, period.pk) if period is not None else None
        carrier = carriers.get(key) if key is not None and not errors else None
        if carrier is None:
            row.values["measures"] = {measure: number}
            if key is not None and not errors:
                carriers[key] = row
            out.append((row, kind, obj, period, errors))
            continue
        if measure in carrier.values["measures"]:
            errors.append((cols.MEASURE, _("The same item, period and measure as row %(row)s; keep only one of the "
                                           "two rows.") % {"row": carrier.number}))
            out.append((row, kind, obj, period, errors))
            continue
        carrier.values["measures"][measure] = number
        for name, value in row.values.items():
            if value in (None, "") or name == "value_is_cumulative":
                continue
            if name not in carrier.values or carrier.values[name] in (None, ""):
                carrier.values[name] = value
            elif carrier.values[name] != value:
                errors.append((cols.FIELD_COLUMNS[name], _("The rows of one report's measures share this column: "
                                                           "write it once, on row %(row)s.") % {"row": carrier.number}))
        if errors:
            out.append((row, kind, obj, period, errors))
        else:
            followers.rows.setdefault(id(carrier), []).append(row)
    return out, followers


@transaction.atomic
def entries_import(*, user, plan: Plan, preview, rows: list[ImportRow], dry_run: bool, expect: str | None = None):
    """Check every row of a progress sheet the way entry_save checks one report, fill
    `preview` (kpiplan.import_widgets.ImportPreview) with what each row will do, and,
    unless `dry_run` or anything at all is wrong, write every row in this one
    transaction with bulk operations and a history row per report whose reason names
    the file. Queries do not grow with the number of rows beyond the bulk batches.
    `expect` is the preview's signature: if a report changed since (another user saved
    it, or created one), nothing is written rather than their change overwritten."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from kpiplan.import_widgets import RowOutcome, SheetOutcome
    from plans.models import Division

    from . import sheet as cols

    scope = import_scope(user, plan)
    if scope is None:
        raise PermissionRefused(_("Progress is imported by division staff and heads, for their own division only."))
    own_division = user_division(user) if scope == "division" else None

    indicators = {}
    for obj in Indicator.objects.filter(plan=plan).select_related("division"):
        indicators[cols.normalize(cols.item_code(obj))] = obj
        indicators.setdefault(f"#{obj.pk}", obj)
    projects = {}
    for obj in Project.objects.filter(plan=plan).select_related("division"):
        projects[cols.normalize(cols.item_code(obj))] = obj
        projects.setdefault(f"#{obj.pk}", obj)
    budget_lines = set(Project.objects.filter(plan=plan).budget_lines().values_list("pk", flat=True))
    periods = {cols.normalize(cols.period_label(p)): p
               for p in Period.objects.filter(fiscal_year_id=plan.fiscal_year_id).exclude(kind=Period.Kind.YEAR)}
    locked = set(PeriodLock.objects.filter(organization_id=plan.organization_id, locked=True).values_list("period_id", flat=True))
    division_names = {cols.normalize(d.name) for d in Division.objects.filter(organization_id=plan.organization_id)}

    sheets = {s.name: s for s in preview.sheets}

    def outcome_sheet(name):
        if name not in sheets:
            sheets[name] = SheetOutcome(name)
            preview.sheets.append(sheets[name])
        return sheets[name]

    # Pass 1: which item and period each row means, and whether this user may touch it.
    resolved = []
    for row in rows:
        errors = list(row.errors)
        obj = period = None
        kind_text = cols.normalize(row.kind)
        kind = cols.KINDS_BY_TEXT.get(kind_text)
        if kind_text and kind is None:
            errors.append((cols.KIND, _("«%(text)s» is not an item type; write ตัวชี้วัด or โครงการ.") % {"text": row.kind}))
        code = cols.normalize(row.code)
        if not code:
            errors.append((cols.CODE, _("The item code is empty.")))
        else:
            if kind in (None, "indicator"):
                obj = indicators.get(code)
                kind = "indicator" if obj else kind
            if obj is None and kind in (None, "project"):
                obj = projects.get(code)
                kind = "project" if obj else kind
            if obj is None:
                errors.append((cols.CODE, _("There is no item with the code «%(code)s» in this plan.") % {"code": row.code}))
        if obj is not None:
            if obj.division_id is None:
                errors.append((cols.CODE, _("No division is responsible for this item, so it has no progress reports.")))
            elif own_division is not None and obj.division_id != own_division.pk:
                errors.append((cols.CODE, _("This item is reported by %(division)s; you may import only your own "
                                            "division's reports.") % {"division": obj.division.name}))
            elif row.division and cols.normalize(row.division) != cols.normalize(obj.division.name):
                if cols.normalize(row.division) in division_names:
                    errors.append((cols.DIVISION, _("This item is reported by %(division)s, not %(typed)s.")
                                   % {"division": obj.division.name, "typed": row.division}))
                else:
                    errors.append((cols.DIVISION, _("There is no division «%(typed)s» in this organization.") % {"typed": row.division}))
            if kind == "project" and obj.pk not in budget_lines:
                errors.append((cols.CODE, _("This project is a heading; report on the projects under it.")))
        period_text = cols.normalize(row.period)
        if not period_text:
            errors.append((cols.PERIOD, _("The reporting period is empty.")))
        else:
            period = periods.get(period_text)
            if period is None:
                errors.append((cols.PERIOD, _("«%(text)s» is not a reporting period of fiscal year %(year)s "
                                              "(write, e.g., %(example)s).")
                               % {"text": row.period, "year": plan.fiscal_year_id, "example": next(iter(periods), "")}))
            elif obj is not None and kind == "indicator" and obj.reporting_frequency != period.kind:
                errors.append((cols.PERIOD, _("This indicator is reported per %(frequency)s, not in this period.")
                               % {"frequency": Period.Kind(obj.reporting_frequency).label.lower()
                                  if obj.reporting_frequency in Period.Kind.values else obj.reporting_frequency}))
            elif obj is not None and kind == "project" and period.kind != Period.Kind.MONTH:
                errors.append((cols.PERIOD, _("Projects are reported every month.")))
        resolved.append((row, kind, obj, period, errors))

    resolved, followers = _merge_measure_rows(resolved)

    period_ids = {p.pk for _r, _k, o, p, _e in resolved if p is not None}
    existing_qs = ProgressEntry.objects.filter(plan=plan, period_id__in=period_ids)
    if not dry_run:
        existing_qs = existing_qs.select_for_update()
    existing = {(("indicator", e.indicator_id) if e.indicator_id else ("project", e.project_id)) + (e.period_id,): e
                for e in existing_qs}

    # What the plausibility rules compare each result with: the target, and the year's
    # results so far, overlaid with the values this file brings (October and November
    # in the same file: November is checked against the file's October).
    checked = [(obj, period) for _r, kind, obj, period, _e in resolved
               if kind == "indicator" and obj is not None and period is not None]
    targets, series = _value_bases([o for o, _p in checked], [p for _o, p in checked]) if checked else ({}, {})
    for row, kind, obj, period, _errors in resolved:
        if kind == "indicator" and obj is not None and period is not None and "value" in row.values:
            stored = existing.get((kind, obj.pk, period.pk))
            if stored is None or stored.value != row.values["value"]:
                series.setdefault((obj.pk, period.kind), {})[period.number] = row.values["value"]
        if kind == "indicator" and obj is not None and period is not None:
            for label, value in row.values.get("measures", {}).items():
                series.setdefault((obj.pk, period.kind, label), {})[period.number] = value

    # Pass 2: the values, duplicates and the state of the report already there.
    now = timezone.now()
    seen: dict[tuple, ImportRow] = {}
    to_create, to_update = [], []
    changed_fields: set[str] = set()
    for row, kind, obj, period, errors in resolved:
        label = f"{row.code} {obj}"[:120] if obj is not None else row.code
        entry = None
        if obj is not None and period is not None:
            key = (kind, obj.pk, period.pk)
            if key in seen and not errors:
                first = seen[key]
                where = first.number if first.sheet == row.sheet else f"{first.number} ({first.sheet})"
                errors.append((cols.CODE, _("The same item and period as row %(row)s; keep only one of the two rows.")
                               % {"row": where}))
            elif not errors:  # a row already wrong (e.g. its measure) is no one's first row
                seen[key] = row
            entry = existing.get(key)
        values = {}
        for name, value in row.values.items():
            if name == "measures":
                checked = {}
                for measure, number in value.items():
                    number, problem = _number_problem("value", number)
                    if problem:
                        errors.append((cols.VALUE, f"{measure}: {problem}"))
                    checked[measure] = number
                values[name] = checked
                continue
            column = cols.FIELD_COLUMNS[name]
            if kind == "indicator" and name in cols.PROJECT_ONLY and value is not None:
                errors.append((column, _("Only projects have this column; leave it empty for an indicator.")))
                continue
            if kind == "project" and name in cols.INDICATOR_ONLY and value not in (None, ""):
                errors.append((column, _("Only indicators have this column; leave it empty for a project.")))
                continue
            if name in _NUMBER_LIMITS:
                value, problem = _number_problem(name, value)
                if problem:
                    errors.append((column, problem))
                    continue
            if name in _TEXT_FIELDS or name == "implausible_note":
                value = value or ""
            values[name] = value
        if kind == "indicator":
            values = {k: v for k, v in values.items() if k not in cols.PROJECT_ONLY}
        elif kind == "project":
            values = {k: v for k, v in values.items() if k not in cols.INDICATOR_ONLY}
        # The explanation of an unusual result is not a field the sheet sets on its own:
        # it goes with the result it explains (below).
        note = values.pop("implausible_note", None)

        if errors:
            outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, "error", label, errors))
            followers.same(row, outcome_sheet, "error", label)
            continue
        measures = values.pop("measures", None)
        if measures is not None:
            # A report by measure: its values, and their total as the result. Measures the
            # file leaves empty keep what the report has.
            if entry is not None:
                measures = {**entry.measures, **{k: v for k, v in measures.items() if v is not None}}
            values["value"] = measures_total(measures.get(m) for m in followers.labels(obj))
        if entry is None:
            if all(v in (None, "") for k, v in values.items() if k != "value_is_cumulative") and not any(
                    v is not None for v in (measures or {}).values()):
                outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, "skip", label))
                followers.same(row, outcome_sheet, "skip", label)
                continue
            changes = {name: value for name, value in values.items() if value is not None or name != "value_is_cumulative"}
            if measures is not None:
                changes["measure_values"] = measures_json(measures)
        else:
            changes = {}
            if measures is not None and measures_json(measures) != measures_json(entry.measures):
                changes["measure_values"] = measures_json(measures)
            for name, value in values.items():
                current = getattr(entry, name)
                if name in _TEXT_FIELDS:
                    if (current or "").strip() != value.strip():
                        changes[name] = value
                elif value is None and name == "value_is_cumulative":
                    continue
                elif current != value:
                    changes[name] = value
            note_changed = note is not None and note.strip() != (entry.implausible_note or "").strip()
            if not changes and not note_changed:
                # A sheet downloaded and uploaded again unchanged: its submitted, approved
                # or locked rows are not errors, there is nothing to do with them.
                outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, "skip", label, basis=str(entry.version)))
                followers.same(row, outcome_sheet, "skip", label)
                continue
        if period.pk in locked:
            errors.append((cols.PERIOD, _("This period is locked by the planner; nothing in it can be changed.")))
        elif entry is not None and entry.state not in EDITABLE_STATES:
            errors.append((cols.STATE, _("This report was %(state)s and can no longer be edited.")
                           % {"state": entry.get_state_display()}))
        elif kind == "indicator":
            checked_values = {**values, "measures": measures} if measures is not None else values
            errors += _import_value_check(entry, obj, period, checked_values, note, changes, targets, series)
        if errors:
            outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, "error", label, errors))
            followers.same(row, outcome_sheet, "error", label)
            continue
        if entry is None:
            entry = ProgressEntry(plan=plan, period=period, division_id=obj.division_id, state=State.DRAFT, version=1,
                                  updated_by=user, **{kind: obj})
            if kind == "indicator":
                entry.value_is_cumulative = obj.cumulative
            for name, value in changes.items():
                setattr(entry, name, value)
            to_create.append(entry)
            outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, "new", label))
            followers.same(row, outcome_sheet, "new", label)
            continue
        basis = str(entry.version)
        if not changes:
            outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, "skip", label, basis=basis))
            followers.same(row, outcome_sheet, "skip", label)
            continue
        for name, value in changes.items():
            setattr(entry, name, value)
        changed_fields.update(changes)
        entry.state = State.DRAFT  # a returned report, corrected, is a draft again (as in entry_save)
        entry.version += 1
        entry.updated_by = user
        entry.updated_at = now
        to_update.append(entry)
        outcome_sheet(row.sheet).rows.append(RowOutcome(row.number, "update", label, basis=basis))
        followers.same(row, outcome_sheet, "update", label)

    if not dry_run and expect is not None and not preview.has_errors and preview.signature() != expect:
        preview.errors.append(_("Someone changed some of these reports after your preview; nothing was imported. "
                                "Download the sheet again or upload your file again to see the changes."))
    if dry_run or preview.has_errors:
        return preview
    reason = _("Imported from file %(name)s") % {"name": preview.filename}
    try:
        with transaction.atomic():
            if to_create:
                bulk_create_with_history(to_create, ProgressEntry, batch_size=1000, default_user=user,
                                         default_change_reason=reason)
            if to_update:
                fields = sorted(changed_fields | {"state", "version", "updated_by", "updated_at"})
                if connection.vendor == "postgresql":
                    _update_from_values(to_update, fields)
                    ProgressEntry.history.bulk_history_create(to_update, batch_size=1000, update=True, default_user=user,
                                                              default_change_reason=reason, default_date=now)
                else:
                    bulk_update_with_history(to_update, ProgressEntry, fields, batch_size=100, default_user=user,
                                             default_change_reason=reason, default_date=now)
    except IntegrityError as exc:
        raise ConcurrentEdit(_("Someone else started some of these reports at the same moment; nothing was "
                               "imported. Upload the file again.")) from exc
    return preview
