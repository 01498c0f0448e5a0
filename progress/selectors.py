"""Read-side assembly for the progress pages: a few queries up front, plain rows out."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_to_user
from indicators.models import Indicator
from kpiplan.lib.fiscal import KINDS_WITHIN
from plans.models import Division, Period, Plan
from projects.models import Project

from .models import EDITABLE_STATES, PeriodLock, ProgressEntry, State, due_date
from .services import Item


def plans_for_user(user):
    return scope_to_user(Plan.objects.select_related("organization", "fiscal_year"), user).order_by("-fiscal_year_id", "organization__name")


def current_plan(user, plan_id=None) -> Plan | None:
    plans = plans_for_user(user)
    if plan_id:
        return plans.filter(pk=plan_id).first()
    return plans.first()


def plan_and_period(request, period_id=None) -> tuple[Plan, Period, list[Period]]:
    """The plan (one the user may see, `?plan=`) and the period a page asks for; 404
    for a plan out of the user's reach or a period of another fiscal year."""
    plan = current_plan(request.user, request.GET.get("plan"))
    if plan is None:
        raise Http404
    period_id = period_id or request.GET.get("period")
    period, periods = pick_period(plan, period_id)
    # (a period the list lacks — another year's, or none — is looked up only then)
    if period_id and str(period.pk) != str(period_id) and not Period.objects.filter(
            pk=period_id if str(period_id).isdigit() else None, fiscal_year_id=plan.fiscal_year_id).exists():
        raise Http404
    return plan, period, periods


def plan_periods(plan: Plan) -> list[Period]:
    return list(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id).exclude(kind=Period.Kind.YEAR).order_by("kind", "number"))


def default_period(plan: Plan, periods: list[Period], today: datetime.date | None = None) -> Period:
    """The month being reported now: the last month that has ended, within the plan's year."""
    today = today or timezone.localdate()
    months = [p for p in periods if p.kind == Period.Kind.MONTH]
    ended = [p for p in months if p.end < today]
    if not ended:
        return months[0]
    return ended[-1]


def pick_period(plan: Plan, period_id) -> tuple[Period, list[Period]]:
    periods = plan_periods(plan)
    chosen = next((p for p in periods if str(p.pk) == str(period_id)), None) if period_id else None
    return chosen or default_period(plan, periods), periods


def previous_period(period: Period) -> Period | None:
    if period.number <= 1:
        return None
    return Period.objects.filter(fiscal_year_id=period.fiscal_year_id, kind=period.kind, number=period.number - 1).first()


def items_for(plan: Plan, period: Period, division: Division | None = None) -> list[Item]:
    """What is reported within the period: indicators reported at a frequency that ends in
    it (a quarter: monthly and quarterly ones), and every budget line of a project
    (monthly), for one division or the whole organization."""
    indicators = (Indicator.objects.filter(plan=plan, division__isnull=False, reporting_frequency__in=KINDS_WITHIN[period.kind])
                  .select_related("division"))
    projects = Project.objects.filter(plan=plan, division__isnull=False).budget_lines().select_related("division")
    if division is not None:
        indicators = indicators.filter(division=division)
        projects = projects.filter(division=division)
    items = [Item("indicator", i) for i in indicators.order_by("division__order", "order")]
    items += [Item("project", p) for p in projects.order_by("division__order", "section", "order")]
    return items


def _frequency(item: Item) -> str:
    return item.obj.reporting_frequency if item.kind == "indicator" else Period.Kind.MONTH


def reporting_periods(period: Period) -> dict[str, list[Period]]:
    """Per reporting frequency, the periods of that kind that end within `period` (its
    own self for a period of that kind), in order. One query."""
    found = list(Period.objects.within(period).order_by("number"))
    return {kind: [p for p in found if p.kind == kind] for kind in KINDS_WITHIN[period.kind]}


@dataclass
class Row:
    item: Item
    period: Period  # the reporting period of this row (a month of a quarter, or the quarter)
    entry: ProgressEntry | None
    previous: ProgressEntry | None
    state: str
    state_label: str
    due: datetime.date
    overdue: bool
    target: str  # as printed in the plan
    evidence_count: int = 0
    # A project's budget as a number when the plan has one (shown in the page's digits),
    # and the unit the target is counted in: the indicator's, or baht for a budget.
    target_amount: Decimal | None = None
    target_unit: str = ""
    # Where the printed target is the city's (a key result every district shares), the
    # row's target is the district's own and this is the city's, shown beside it.
    city_target: str = ""


def _entries_by_item(plan, periods, items) -> dict[tuple[int, str, int], ProgressEntry]:
    periods = [p for p in periods if p is not None]
    if not periods:
        return {}
    entries = (
        ProgressEntry.objects.filter(plan=plan, period__in=periods)
        .select_related("updated_by", "indicator", "project", "division", "period")
        .prefetch_related(Prefetch("evidence"))
    )
    return {(e.period_id, "indicator", e.indicator_id) if e.indicator_id else (e.period_id, "project", e.project_id): e
            for e in entries}


def rows_for(plan: Plan, period: Period, items: list[Item], today: datetime.date | None = None) -> list[Row]:
    """One row per item and reporting period due within `period`, each with its own
    deadline: a quarter lists October, November and December for a monthly item."""
    today = today or timezone.localdate()
    due_periods = reporting_periods(period)
    # Each row shows the report of the period before its own (the one before the first
    # is looked up; the rest are the row's neighbours).
    previous_of = {}
    for ps in due_periods.values():
        chain = [previous_period(ps[0]) if ps else None, *ps]
        previous_of.update({p.pk: chain[i] for i, p in enumerate(ps)})
    all_periods = [p for ps in due_periods.values() for p in ps]
    current = _entries_by_item(plan, all_periods, items)
    previous = _entries_by_item(plan, set(previous_of.values()), items)
    rows = []
    for item in items:
        for row_period in due_periods.get(_frequency(item), []):
            key = (item.kind, item.obj.pk)
            entry = current.get((row_period.pk, *key))
            prior = previous_of.get(row_period.pk)
            state = entry.state if entry else State.NOT_STARTED
            due = due_date(plan, row_period)
            if item.kind == "indicator":
                target, amount, unit = item.obj.target_text or "", None, item.obj.unit
                if unit and unit in target:
                    unit = ""  # the printed target already names it («๑.๕๓ กม.»)
            else:
                target, amount, unit = item.obj.budget_text or "", item.obj.budget, _("baht")
            rows.append(Row(
                item=item, period=row_period, entry=entry, previous=previous.get((prior.pk, *key)) if prior else None,
                state=state, state_label=State(state).label, due=due,
                overdue=state in EDITABLE_STATES and today > due,
                target=target, evidence_count=len(entry.evidence.all()) if entry else 0,
                target_amount=amount, target_unit=unit if amount is not None or target.strip(" -") else "",
            ))
    return rows


def with_district_targets(rows: list[Row]) -> list[Row]:
    """A division works to its district's target: where an indicator's printed target is
    the city's (status.is_city_wide), the row shows the district's, as the status and entry
    pages do, with the city's beside it. Three queries, whatever the number of rows."""
    from .status import is_city_wide, main_targets

    city_wide = {r.item.obj.pk: r.item.obj for r in rows if r.item.kind == "indicator" and is_city_wide(r.item.obj)}
    if not city_wide:
        return rows
    targets = main_targets(list(city_wide.values()))
    for row in rows:
        if row.item.kind == "indicator" and row.item.obj.pk in targets:
            row.city_target = row.target
            row.target, row.target_amount, row.target_unit = "", targets[row.item.obj.pk], row.item.obj.unit
    return rows


def is_period_locked(plan: Plan, period: Period) -> bool:
    return PeriodLock.objects.filter(organization_id=plan.organization_id, period=period, locked=True).exists()


@dataclass
class DivisionCompleteness:
    division: Division
    due: int = 0
    reported: int = 0
    submitted: int = 0
    approved: int = 0
    late: int = 0
    missing: list[str] = field(default_factory=list)


def completeness(plan: Plan, period: Period, today: datetime.date | None = None,
                 rows: list[Row] | None = None) -> list[DivisionCompleteness]:
    """Per division, the period's due reports counted by state (`rows`: the
    organization's rows_for the period, when the caller has them already)."""
    today = today or timezone.localdate()
    if rows is None:
        rows = rows_for(plan, period, items_for(plan, period), today)
    return _tally(period, rows, Division.objects.filter(organization_id=plan.organization_id))


def completeness_by_month(plan: Plan, months: list[Period], today: datetime.date | None = None) -> dict[int, list[DivisionCompleteness]]:
    """completeness(plan, month) for each of `months` (months of the plan's year), keyed
    by month number: the same rows and counts, with the reports of all the months read
    at once (a fixed number of queries however many months)."""
    today = today or timezone.localdate()
    months = list(months)
    if not months:
        return {}
    items = items_for(plan, months[0])  # what a month holds is the same every month
    # The tally needs each report's state only: plain tuples, not reports with their
    # evidence (a city-sized year has thousands).
    states = {(period_id, "indicator", indicator_id) if indicator_id else (period_id, "project", project_id): state
              for period_id, indicator_id, project_id, state in ProgressEntry.objects.filter(plan=plan, period__in=months)
              .values_list("period_id", "indicator_id", "project_id", "state")}
    divisions = list(Division.objects.filter(organization_id=plan.organization_id))
    result = {}
    for month in months:
        rows = []
        for item in items:
            if _frequency(item) != month.kind:
                continue
            state = states.get((month.pk, item.kind, item.obj.pk), State.NOT_STARTED)
            due = due_date(plan, month)
            rows.append(Row(item=item, period=month, entry=None, previous=None, state=state, state_label=State(state).label,
                            due=due, overdue=state in EDITABLE_STATES and today > due, target=""))
        result[month.number] = _tally(month, rows, divisions)
    return result


def _tally(period: Period, rows: list[Row], divisions) -> list[DivisionCompleteness]:
    """Per division (in its order), the due reports of `rows` counted by their state;
    divisions with nothing due are left out."""
    divisions = {d.pk: DivisionCompleteness(d) for d in divisions}
    for row in rows:
        summary = divisions[row.item.division_id]
        summary.due += 1
        if row.state != State.NOT_STARTED:
            summary.reported += 1
        if row.state in {State.SUBMITTED, State.ENDORSED, State.APPROVED}:
            summary.submitted += 1
        if row.state == State.APPROVED:
            summary.approved += 1
        if row.overdue:
            summary.late += 1
        if row.state == State.NOT_STARTED:
            summary.missing.append(str(row.item.obj) if row.period.pk == period.pk else f"{row.item.obj} ({row.period})")
    return [s for s in sorted(divisions.values(), key=lambda s: s.division.order) if s.due]


def history_for(entry: ProgressEntry) -> list:
    """Every version of a report, newest first: who, when, why and what changed
    (progress.history)."""
    return histories_for([entry])[entry.pk]


def histories_for(entries) -> dict[int, list]:
    """history_for of many reports in a fixed number of queries."""
    from .history import versions_for

    return versions_for(entries)


# -- what a bulk action or a lock would touch -------------------------------------------
#
# Each confirmation page is built from one of these: the reports it will act on, with
# the versions it showed (sent back with the confirmation), and what it leaves alone.


@dataclass
class Skipped:
    row: Row
    reason: str


@dataclass
class BulkPreview:
    ready: list[Row] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    not_reported: int = 0

    @property
    def versions(self) -> str:
        """"id:version,..." of the ready reports, for the confirmation form."""
        return ",".join(f"{r.entry.pk}:{r.entry.version}" for r in self.ready)


def submit_all_preview(plan: Plan, period: Period, division: Division) -> BulkPreview:
    """Staff's "submit all": complete drafts go; incomplete drafts and returned reports
    (whose correction is still to be made) stay, each with its reason."""
    from .services import submit_problems

    preview = BulkPreview()
    for row in rows_for(plan, period, items_for(plan, period, division)):
        if row.entry is None:
            preview.not_reported += 1
        elif row.state == State.DRAFT:
            problems = submit_problems(row.entry)
            if problems:
                preview.skipped.append(Skipped(row, " ".join(problems)))
            else:
                preview.ready.append(row)
        elif row.state == State.RETURNED:
            preview.skipped.append(Skipped(row, _("Returned for correction: open it, correct it and submit it there.")))
    return preview


def approve_all_preview(plan: Plan, period: Period, division: Division) -> BulkPreview:
    """The head's "approve all": only what staff submitted. Drafts are listed as left
    alone, so the head knows they exist and that this button does not send them."""
    preview = BulkPreview()
    for row in rows_for(plan, period, items_for(plan, period, division)):
        if row.entry is None:
            preview.not_reported += 1
        elif row.state == State.SUBMITTED:
            preview.ready.append(row)
        elif row.state in (State.DRAFT, State.RETURNED):
            preview.skipped.append(Skipped(row, _("Not submitted by staff: open the report to submit it yourself.")))
    return preview


def endorsed_rows(plan: Plan, period: Period) -> list[Row]:
    """Reports the head has forwarded, waiting for the planner's verification."""
    return [r for r in rows_for(plan, period, items_for(plan, period)) if r.state == State.ENDORSED]


@dataclass
class OpenItems:
    """What is still open in a period: the planner sees it before locking."""

    not_reported: list[Row] = field(default_factory=list)
    draft: list[Row] = field(default_factory=list)
    submitted: list[Row] = field(default_factory=list)
    endorsed: list[Row] = field(default_factory=list)
    approved: int = 0
    _keys: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.not_reported) + len(self.draft) + len(self.submitted) + len(self.endorsed)

    def signature(self) -> str:
        """Changes whenever a report of the period is saved or moves on."""
        return hashlib.sha256("|".join(sorted(self._keys)).encode()).hexdigest()[:32]


def open_items(plan: Plan, period: Period) -> OpenItems:
    result = OpenItems()
    for row in rows_for(plan, period, items_for(plan, period)):
        result._keys.append(f"{row.item.kind}:{row.item.obj.pk}:{row.state}:{row.entry.version if row.entry else 0}")
        if row.entry is None:
            result.not_reported.append(row)
        elif row.state in (State.DRAFT, State.RETURNED):
            result.draft.append(row)
        elif row.state == State.SUBMITTED:
            result.submitted.append(row)
        elif row.state == State.ENDORSED:
            result.endorsed.append(row)
        else:
            result.approved += 1
    return result
