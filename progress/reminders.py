"""Who should be reminded of what: staff of reports due soon or overdue, heads of
reports waiting for them. Pure assembly; the command sends the mail."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from accounts.roles import DIVISION_HEAD, DIVISION_STAFF
from kpiplan.lib.thai import format_be_date
from plans.models import Period, Plan

from . import selectors
from .models import EDITABLE_STATES, PeriodLock, State, due_date

LOOK_BACK_DAYS = 90  # overdue reports older than this are the planner's business, not a daily mail


@dataclass
class Reminder:
    user: User
    lines: list[str] = field(default_factory=list)

    def subject(self) -> str:
        return _("kpiplan: %(n)s progress reports need you") % {"n": len(self.lines)}

    def body(self) -> str:
        return "\n".join([_("Dear %(name)s,") % {"name": self.user.get_full_name() or self.user.username}, "", *self.lines, "",
                          _("Please report at kpiplan.")])


def reminders(today: datetime.date, days: int) -> list[Reminder]:
    by_user: dict[int, Reminder] = {}
    users = list(User.objects.filter(is_active=True, profile__division__isnull=False)
                 .exclude(email="").select_related("profile").prefetch_related("groups"))
    for plan in Plan.objects.select_related("organization"):
        locked = set(PeriodLock.objects.filter(organization_id=plan.organization_id, locked=True).values_list("period_id", flat=True))
        periods = [p for p in Period.objects.filter(fiscal_year_id=plan.fiscal_year_id).exclude(kind="year")
                   if p.pk not in locked and today - datetime.timedelta(days=LOOK_BACK_DAYS) <= due_date(plan, p)
                   <= today + datetime.timedelta(days=days)]
        plan_users = [u for u in users if u.profile.division and u.profile.division.organization_id == plan.organization_id]
        for period in periods:
            due = due_date(plan, period)
            rows = selectors.rows_for(plan, period, selectors.items_for(plan, period), today)
            for user in plan_users:
                roles = {g.name for g in user.groups.all()}
                # A quarter's rows include its months' reports, which their own month reminds of.
                mine = [r for r in rows if r.item.division_id == user.profile.division_id and r.period.pk == period.pk]
                lines = []
                if DIVISION_STAFF in roles or DIVISION_HEAD in roles:
                    for r in mine:
                        if r.state in EDITABLE_STATES:
                            when = _("overdue since %(date)s") if r.overdue else _("due %(date)s")
                            lines.append(f"- {period}: {r.item.obj} — {when % {'date': format_be_date(due)}}")
                if DIVISION_HEAD in roles:
                    for r in mine:
                        if r.state == State.SUBMITTED:
                            lines.append(f"- {period}: {r.item.obj} — " + _("waiting for your approval"))
                if lines:
                    by_user.setdefault(user.pk, Reminder(user)).lines.extend(lines)
    return list(by_user.values())
