"""What each role should do now: the home page's assembly, one function per role.

A few queries up front, plain rows out; the template presents them. The reports are the
same `selectors.Row`s that My work, Completeness and the reminders are built from, so a
report counted here is counted the same way there.

"Now" is the period whose reports are due next: the first month of the plan's year whose
deadline (models.due_date) has not passed, with the quarter and the year that end with it.
Reports of earlier periods still not submitted after their deadline are overdue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import groupby

from django.utils import timezone

from accounts import policy
from accounts.roles import user_division
from kpiplan.lib.fiscal import MONTHS_IN
from plans.models import Division, Period, Plan

from . import selectors
from .models import PeriodLock, ProgressEntry, ReopenRequest, State, due_date

# Reports the division still has to write and submit (returned ones are listed apart,
# with the comment that says what to correct).
TO_WRITE = (State.NOT_STARTED, State.DRAFT)
SUBMITTED_OR_LATER = (State.SUBMITTED, State.ENDORSED, State.APPROVED)


@dataclass
class Deadline:
    """The periods that end on one date and the date their reports are due."""
    periods: list[Period]
    due: datetime.date
    passed: bool
    locked: bool = False

    @property
    def month(self) -> Period:
        return self.periods[0]


@dataclass
class Now:
    year: Period
    current: Deadline
    next: Deadline | None
    # The period the status pages show by default: the last month that has ended, and
    # the quarter it lies in.
    latest_ended: Period
    latest_quarter: Period


def _by_length(periods: list[Period]) -> list[Period]:
    return sorted(periods, key=lambda p: MONTHS_IN[p.kind])


def reporting_now(plan: Plan, today: datetime.date | None = None, locked: set[int] | None = None) -> Now:
    """The current and the next deadline of the plan's year. One query."""
    today = today or timezone.localdate()
    locked = locked or set()
    periods = list(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id).order_by("kind", "number"))
    months = [p for p in periods if p.kind == Period.Kind.MONTH]
    year = next(p for p in periods if p.kind == Period.Kind.YEAR)
    # Past the year's last deadline, its last month stays "now" (with its deadline passed).
    index = next((i for i, m in enumerate(months) if due_date(plan, m) >= today), len(months) - 1)

    def deadline(month: Period) -> Deadline:
        ending = _by_length([p for p in periods if p.end == month.end])
        due = due_date(plan, month)
        return Deadline(ending, due, today > due, any(p.pk in locked for p in ending))

    latest = selectors.default_period(plan, months, today)
    return Now(
        year=year, current=deadline(months[index]),
        next=deadline(months[index + 1]) if index + 1 < len(months) else None,
        latest_ended=latest,
        latest_quarter=next(p for p in periods if p.kind == Period.Kind.QUARTER and p.start <= latest.start <= p.end),
    )


def _locked_periods(plan: Plan) -> set[int]:
    return set(PeriodLock.objects.filter(organization_id=plan.organization_id, locked=True).values_list("period_id", flat=True))


@dataclass
class PeriodGroup:
    """Reports of one period, with the period's deadline."""
    period: Period
    due: datetime.date
    rows: list = field(default_factory=list)


def _grouped(rows, plan: Plan) -> list[PeriodGroup]:
    """By period, the most recent deadline first (a quarter after its last month)."""
    ordered = sorted(rows, key=lambda r: (-r.period.end.toordinal(), MONTHS_IN[r.period.kind]))
    return [PeriodGroup(period, due_date(plan, period), list(group))
            for period, group in groupby(ordered, key=lambda r: r.period)]


@dataclass
class DivisionHome:
    """Staff's and a head's page: what their division has to report."""
    plan: Plan
    division: Division
    now: Now
    due_now: list = field(default_factory=list)  # this period's reports not yet written or submitted
    overdue: list[PeriodGroup] = field(default_factory=list)  # earlier ones past their deadline
    returned: list = field(default_factory=list)  # sent back by the head or the planner, with the comment
    # Heads only (empty for staff):
    waiting: list[PeriodGroup] = field(default_factory=list)  # submitted by staff, waiting for approval
    due_count: int = 0  # this period's reports, reported (begun) and submitted so far
    reported_count: int = 0
    submitted_count: int = 0

    @property
    def overdue_count(self) -> int:
        return sum(len(g.rows) for g in self.overdue)

    @property
    def waiting_count(self) -> int:
        return sum(len(g.rows) for g in self.waiting)


def _division_rows(plan: Plan, division: Division, today: datetime.date):
    """The division's reports of the plan's year (every item and reporting period), the
    deadlines, and the locked periods."""
    locked = _locked_periods(plan)
    now = reporting_now(plan, today, locked)
    rows = selectors.rows_for(plan, now.year, selectors.items_for(plan, now.year, division), today)
    return now, rows, locked


def _to_do(home: DivisionHome, rows, locked: set[int]) -> DivisionHome:
    current = {p.pk for p in home.now.current.periods}
    open_rows = [r for r in rows if r.period.pk not in locked]
    home.due_now = [r for r in open_rows if r.period.pk in current and r.state in TO_WRITE and not r.overdue]
    home.overdue = _grouped([r for r in open_rows if r.state in TO_WRITE and r.overdue], home.plan)
    home.returned = sorted((r for r in open_rows if r.state == State.RETURNED), key=lambda r: r.due)
    return home


def staff_home(plan: Plan, division: Division, today: datetime.date | None = None) -> DivisionHome:
    """Due this period, overdue, returned: the division's reports of the plan's year so
    far, outside locked periods (nothing can be done there but ask to reopen, which My
    work offers). The same number of queries for any number of items and reports."""
    now, rows, locked = _division_rows(plan, division, today or timezone.localdate())
    return _to_do(DivisionHome(plan=plan, division=division, now=now), rows, locked)


def head_home(plan: Plan, division: Division, today: datetime.date | None = None) -> DivisionHome:
    """Staff's page, and what waits for the head: reports staff submitted, and how
    complete the division is for this period (reported of due, as Completeness counts)."""
    now, rows, locked = _division_rows(plan, division, today or timezone.localdate())
    home = _to_do(DivisionHome(plan=plan, division=division, now=now), rows, locked)
    current = {p.pk for p in now.current.periods}
    this_period = [r for r in rows if r.period.pk in current]
    home.waiting = _grouped([r for r in rows if r.state == State.SUBMITTED and r.period.pk not in locked], plan)
    home.due_count = len(this_period)
    home.reported_count = sum(1 for r in this_period if r.state != State.NOT_STARTED)
    home.submitted_count = sum(1 for r in this_period if r.state in SUBMITTED_OR_LATER)
    return home


@dataclass
class PlannerHome:
    plan: Plan
    now: Now
    to_verify: list[EntryGroup] = field(default_factory=list)  # endorsed by the heads, by period
    requests: list[ReopenRequest] = field(default_factory=list)  # to reopen a locked period
    flagged: list[ProgressEntry] = field(default_factory=list)  # unusual results confirmed, not yet verified

    @property
    def to_verify_count(self) -> int:
        return sum(len(g.entries) for g in self.to_verify)


@dataclass
class EntryGroup:
    period: Period
    due: datetime.date
    entries: list[ProgressEntry]


def planner_home(plan: Plan, today: datetime.date | None = None) -> PlannerHome:
    """Waiting for verification, requests to reopen, unusual results to check, and the
    current and next deadlines. Four queries, whatever the data."""
    today = today or timezone.localdate()
    locked = _locked_periods(plan)
    now = reporting_now(plan, today, locked)
    waiting = list(ProgressEntry.objects.filter(plan=plan, state__in=[State.SUBMITTED, State.ENDORSED]).with_items()
                   .order_by("-period__end", "period__kind", "division__order", "id"))
    endorsed = [e for e in waiting if e.state == State.ENDORSED]
    groups = [EntryGroup(period, due_date(plan, period), list(entries))
              for period, entries in groupby(endorsed, key=lambda e: e.period)]
    requests = list(ReopenRequest.objects.filter(organization_id=plan.organization_id,
                                                 period__fiscal_year_id=plan.fiscal_year_id).open()
                    .select_related("period", "division", "requested_by").order_by("period__end", "created_at"))
    return PlannerHome(plan=plan, now=now, to_verify=groups, requests=requests,
                       flagged=[e for e in waiting if e.value_flagged])


def executive_home(plan: Plan, today: datetime.date | None = None) -> Now:
    """Where the status and the completeness of now are (the executive dashboard will
    answer the rest). One query."""
    return reporting_now(plan, today)


def home_role(user, plan: Plan | None) -> str | None:
    """Which home the user gets, asked of the one policy: a division head's, staff's, the
    planner's or the executive's; None (the list of plans only) for administrators, who
    look after every organization, and for users with no plan or role."""
    if plan is None or policy.allowed(user, "organization.all"):
        return None
    division = user_division(user)
    if division is not None and division.organization_id == plan.organization_id:
        if policy.allowed(user, "progress.head_of", division.pk):
            return "head"
        if policy.allowed(user, "progress.lands_on_own_work"):
            return "staff"
    if policy.allowed(user, "progress.planner_of", plan):
        return "planner"
    if policy.allowed(user, "progress.oversee"):
        return "executive"
    return None
