"""Read-side assembly of the pages executives drill down to (one indicator, one project):
a fixed number of queries up front, plain rows out, every number from the domain
functions the status and budget pages use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from indicators.calculations import expected_value
from indicators.models import Baseline, Indicator, Rubric
from plans.models import Period
from projects.calculations import disbursed_to_date, execution, planned_disbursement
from projects.models import Project

from .budget import planned_share
from .models import EDITABLE_STATES, Assessment, Evidence, ProgressEntry
from .selectors import histories_for
from .services import Item, can_edit_item, can_view_content, can_view_item
from .status import IndicatorStatus, indicator_timeline, measure_targets, targets_of


@dataclass
class Report:
    """One period's report as the reader may see it: its words and files only when
    can_view_content allows (another division's draft shows as "not submitted")."""
    entry: ProgressEntry
    visible: bool
    evidence: list[Evidence] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)


@dataclass
class PeriodLine:
    period: Period
    status: IndicatorStatus
    expected: Decimal | None  # the value the planned pace expects by the period's end
    report: Report | None
    # Per measure (indicators with several): (MeasureStatus, expected value)
    measures: list[tuple] = field(default_factory=list)


@dataclass
class IndicatorPage:
    indicator: Indicator
    target: Decimal | None
    city_target: Decimal | None
    measures: list  # status.MeasureTarget
    baselines: list[Baseline]
    lines: list[PeriodLine]
    rubric: Rubric | None
    assessments: dict[str, Assessment]  # kind -> the latest assessment of that kind
    projects: list[Project]
    edit_period: Period | None  # the period whose entry page the user may open, if any

    @property
    def reported(self) -> bool:
        return any(line.report for line in self.lines)


def reports_of(user, entries, *, with_history: bool = True) -> dict[int, Report]:
    """Report per period id from entries fetched with their evidence prefetched; the
    history of the visible ones in two queries."""
    reports = {e.period_id: Report(e, can_view_content(user, e)) for e in entries}
    visible = [r.entry for r in reports.values() if r.visible]
    histories = histories_for(visible) if with_history and visible else {}
    for report in reports.values():
        if report.visible:
            report.evidence = list(report.entry.evidence.all())
            report.history = histories.get(report.entry.pk, [])
    return reports


def _started(periods, today: datetime.date) -> list[Period]:
    """Periods that have begun: a period to come has nothing to judge yet."""
    return [p for p in periods if p.start <= today]


def indicator_page(user, indicator: Indicator, today: datetime.date | None = None, *, until: Period | None = None,
                   with_history: bool = True) -> IndicatorPage:
    """`until`: the periods ending by that one's end (the entry page's year so far),
    rather than those begun by `today`."""
    today = today or timezone.localdate()
    plan = indicator.plan
    periods = Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind=indicator.reporting_frequency).order_by("number")
    if until is not None:
        periods = [p for p in periods if p.last_month <= until.last_month]
    else:
        periods = _started(periods, today)
    timeline = indicator_timeline(indicator, periods)
    target, city_target = targets_of(indicator)
    measures = measure_targets([indicator]).get(indicator.pk, [])
    entries = (ProgressEntry.objects.filter(indicator=indicator, period__in=periods)
               .select_related("period", "updated_by")
               .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))))
    reports = reports_of(user, entries, with_history=with_history)
    lines = []
    for period, status in zip(periods, timeline, strict=True):
        lines.append(PeriodLine(
            period, status, expected_value(status.target, status.planned), reports.get(period.pk),
            [(m, expected_value(m.target, status.planned)) for m in status.measures],
        ))
    rubric = Rubric.objects.filter(indicator=indicator).prefetch_related("levels__conditions").first()
    assessments: dict[str, Assessment] = {}
    for a in Assessment.objects.filter(indicator=indicator).select_related("period").order_by("period__end", "period__kind"):
        assessments[a.kind] = a  # the latest of each kind wins
    projects = list(Project.objects.filter(kr_links__indicator=indicator).distinct().order_by("section", "order"))
    editable = can_edit_item(user, plan, Item("indicator", indicator))
    return IndicatorPage(
        indicator=indicator, target=target, city_target=city_target, measures=measures,
        baselines=list(indicator.baselines.order_by("year", "label")), lines=lines, rubric=rubric,
        assessments=assessments, projects=projects, edit_period=periods[-1] if editable and periods else None,
    )


@dataclass
class MonthMoney:
    label: str
    planned: Decimal | None
    disbursed: Decimal | None
    planned_pct: Decimal | None
    disbursed_pct: Decimal | None


@dataclass
class ProjectReading:
    reports: list[tuple[Period, Report]]
    money: list[MonthMoney]
    indicators: list[Indicator]
    can_read_progress: bool


def project_reading(user, project: Project, curve, today: datetime.date | None = None) -> ProjectReading:
    """Disbursement by month (planned from the S-curve, paid from the official reports),
    each month's report as the user may read it, and the indicators the project serves."""
    today = today or timezone.localdate()
    plan = project.plan
    readable = can_view_item(user, plan, Item("project", project))
    months = _started(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind=Period.Kind.MONTH).order_by("number"),
                      today)
    entries = list(ProgressEntry.objects.filter(project=project, period__in=months).select_related("period", "updated_by")
                   .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))))
    reports = reports_of(user, entries) if readable else {}
    official = {e.period.number: e.disbursed for e in entries if e.state not in EDITABLE_STATES}
    paid = disbursed_to_date([official.get(n) for n in range(1, 13)]) if readable else [None] * 12
    # The dashboard's planned disbursement (budget.planned_share): along the work plan, or
    # at an even pace without work steps; without a budget there is nothing to pay.
    planned = (planned_disbursement(project.budget, [planned_share(curve, n) * 100 for n in range(1, 13)])
               if project.budget else [None] * 12)
    money = []
    for i, label in enumerate(curve.labels):
        money.append(MonthMoney(label, planned[i], paid[i],
                                execution([(project.budget, planned[i])]).percent if planned[i] is not None else None,
                                execution([(project.budget, paid[i])]).percent if paid[i] is not None else None))
    indicators = [ind for ind in Indicator.objects.filter(kr_links__project=project, division__isnull=False).distinct()
                  .order_by("order") if can_view_item(user, plan, Item("indicator", ind))]
    return ProjectReading(
        reports=[(p, reports[p.pk]) for p in months if p.pk in reports],
        money=money, indicators=indicators, can_read_progress=readable,
    )
