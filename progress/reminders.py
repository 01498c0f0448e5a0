"""Who should be reminded of what: staff and heads of reports due soon or overdue, heads
of reports waiting for them. Pure assembly; `remind` writes them as notices (one per
report, period and person, so a second run the same day, or the next, adds nothing), and
the send_reminders command mails each person their new notices."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User

from accounts.roles import DIVISION_HEAD, DIVISION_STAFF
from notices import services as notices
from notices.models import Kind
from plans.models import Period, Plan

from . import notify, selectors
from .models import EDITABLE_STATES, PeriodLock, State, due_date

LOOK_BACK_DAYS = 90  # overdue reports older than this are the planner's business, not a daily mail


@dataclass(frozen=True)
class Reminder:
    user: User
    kind: str  # notices.models.Kind: due soon, overdue, waiting for approval
    period: Period
    row: selectors.Row
    due: datetime.date

    @property
    def key(self) -> str:
        if self.kind == Kind.TO_APPROVE:  # the same event as the submission's notice
            return notify.report_key("to_approve", self.row.entry)
        return notify.item_key(self.kind, self.row.item.kind, self.row.item.obj.pk, self.period.pk)


def reminders(today: datetime.date, days: int) -> list[Reminder]:
    found: list[Reminder] = []
    users = list(User.objects.filter(is_active=True, profile__division__isnull=False)
                 .select_related("profile__division").prefetch_related("groups"))
    for plan in Plan.objects.select_related("organization"):
        locked = set(PeriodLock.objects.filter(organization_id=plan.organization_id, locked=True).values_list("period_id", flat=True))
        periods = [p for p in Period.objects.filter(fiscal_year_id=plan.fiscal_year_id).exclude(kind="year")
                   if p.pk not in locked and today - datetime.timedelta(days=LOOK_BACK_DAYS) <= due_date(plan, p)
                   <= today + datetime.timedelta(days=days)]
        plan_users = [u for u in users if u.profile.division.organization_id == plan.organization_id]
        if not plan_users:
            continue
        for period in periods:
            due = due_date(plan, period)
            rows = selectors.rows_for(plan, period, selectors.items_for(plan, period), today)
            for user in plan_users:
                roles = {g.name for g in user.groups.all()}
                # A quarter's rows include its months' reports, which their own month reminds of.
                mine = [r for r in rows if r.item.division_id == user.profile.division_id and r.period.pk == period.pk]
                if DIVISION_STAFF in roles or DIVISION_HEAD in roles:
                    found += [Reminder(user, Kind.OVERDUE if r.overdue else Kind.DUE_SOON, period, r, due)
                              for r in mine if r.state in EDITABLE_STATES]
                if DIVISION_HEAD in roles:
                    found += [Reminder(user, Kind.TO_APPROVE, period, r, due) for r in mine if r.state == State.SUBMITTED]
    return found


def remind(today: datetime.date, days: int) -> int:
    """Write the day's reminders as notices; how many were new."""
    new = 0
    for r in reminders(today, days):
        words = {"period": r.period, "item": r.row.item.obj}
        if r.kind != Kind.TO_APPROVE:
            words["date"] = r.due.isoformat()
        new += notices.notify(recipients=[r.user], kind=r.kind, key=r.key, params=notify.words(**words),
                              link=notify.entry_link(r.period, r.row.item.kind, r.row.item.obj))
    return new
