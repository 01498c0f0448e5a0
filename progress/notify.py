"""Who is told of a change to progress, and in which words: called by the one service
function of each state change (progress.services) and by the daily reminders, which
share the event keys so that the same event is never told twice."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from accounts.roles import DIVISION_HEAD, PLANNER
from notices import services as notices
from notices.models import Kind
from plans.models import Period

from .models import EDITABLE_STATES, ProgressEntry, ReopenRequest, State


def words(**params) -> dict:
    """The names a notice shows, as stored. A period is kept as what names it (fiscal
    year, kind, number), so that the notice names it in its reader's language; other
    names (items, divisions) are the plan's own Thai, as stored elsewhere."""
    stored = {}
    with translation.override(settings.LANGUAGE_CODE):
        for name, value in params.items():
            if isinstance(value, Period):
                stored[name] = {"fiscal_year": value.fiscal_year_id, "kind": value.kind, "number": value.number}
            else:
                stored[name] = str(value)
    return stored


def entry_link(period, kind: str, item) -> str:
    return reverse("progress:entry", args=[period.pk, kind, item.pk])


def report_key(event: str, entry: ProgressEntry) -> str:
    """A report's event: its version after the change, so a report sent again after its
    return is a new event, and the daily run finds the one the change wrote."""
    return f"{event}:{entry.pk}:{entry.version}"


def item_key(event: str, kind: str, item_id: int, period_id: int) -> str:
    return f"{event}:{kind}:{item_id}:{period_id}"


def _active():
    return get_user_model().objects.filter(is_active=True)


def heads_of(division_id):
    return _active().filter(groups__name=DIVISION_HEAD, profile__division_id=division_id).distinct()


def planners_of(organization_id):
    return _active().filter(groups__name=PLANNER, profile__organization_id=organization_id).distinct()


def _entry_notice(entry: ProgressEntry, event: str, kind: str, recipients, **extra) -> None:
    item_kind = "indicator" if entry.indicator_id else "project"
    notices.notify(recipients=recipients, kind=kind, key=report_key(event, entry),
                   params=words(period=entry.period, item=entry.item, **extra),
                   link=entry_link(entry.period, item_kind, entry.item))


def _settle_answered(entry: ProgressEntry) -> None:
    """What the change answered is read for everyone who was told: a sent report answers
    its deadline and its return; a head's decision answers "waiting for approval"; a
    planner's, "waiting for verification"."""
    item_kind, item_id = ("indicator", entry.indicator_id) if entry.indicator_id else ("project", entry.project_id)
    keys, prefixes = [], []
    if entry.state not in EDITABLE_STATES:
        keys += [item_key(kind, item_kind, item_id, entry.period_id) for kind in (Kind.DUE_SOON, Kind.OVERDUE)]
        prefixes.append(f"returned:{entry.pk}:")
    if entry.state != State.SUBMITTED:
        prefixes.append(f"to_approve:{entry.pk}:")
    if entry.state != State.ENDORSED:
        prefixes.append(f"to_verify:{entry.pk}:")
    notices.settle(keys=keys, prefixes=prefixes)


def entry_changed(entry: ProgressEntry, user) -> None:
    """After a report's state changed: whoever must act on it next is told, and what the
    change answered stops counting."""
    _settle_answered(entry)
    if entry.state == State.SUBMITTED:
        _entry_notice(entry, "to_approve", Kind.TO_APPROVE, heads_of(entry.division_id).exclude(pk=user.pk))
    elif entry.state == State.ENDORSED:
        _entry_notice(entry, "to_verify", Kind.TO_VERIFY, planners_of(entry.plan.organization_id).exclude(pk=user.pk),
                      division=entry.division.name)
    elif entry.state == State.RETURNED:
        # Whoever wrote it: the people who saved it as a draft or sent it (staff, or the head
        # who wrote it), not the one returning it.
        writers = set(entry.history.filter(history_type__in=["+", "~"], state__in=[State.DRAFT, State.SUBMITTED])
                      .exclude(history_user=None).values_list("history_user_id", flat=True))
        writers.discard(user.pk)
        _entry_notice(entry, "returned", Kind.RETURNED, _active().filter(pk__in=writers), comment=entry.return_comment)


def reopen_requested(request: ReopenRequest, plan, planners, *, mailed: list) -> None:
    """The planners are told of a request; those just e-mailed about it (`mailed`) are
    left out of the daily mail."""
    params = words(division=request.division.name, period=request.period, reason=request.reason)
    link = f"{reverse('progress:review')}?plan={plan.pk}&period={request.period_id}"
    key = f"reopen_request:{request.pk}"
    mailed_ids = {u.pk for u in mailed}
    notices.notify(recipients=[p for p in planners if p.pk in mailed_ids], kind=Kind.REOPEN_REQUEST, key=key,
                   params=params, link=link, mailed=True)
    notices.notify(recipients=[p for p in planners if p.pk not in mailed_ids], kind=Kind.REOPEN_REQUEST, key=key,
                   params=params, link=link)


def reopen_answered(requests: list[ReopenRequest], plan, answer: str) -> None:
    for request in requests:
        if request.requested_by_id is None:
            continue
        notices.notify(recipients=_active().filter(pk=request.requested_by_id), kind=Kind.REOPEN_ANSWER,
                       key=f"reopen_answer:{request.pk}", params=words(period=request.period, answer=answer),
                       link=f"{reverse('progress:my-work')}?plan={plan.pk}&period={request.period_id}")
