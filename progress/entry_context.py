"""What the entry page shows beside the form, so that a division answers well: the
item's target, baseline and planned value to date, the year's earlier results as the
status page judges them, the rubric level the saved result reaches, a project's work
plan and S-curve, and last period's words to start from. Everything comes from the
reader pages' assembly (progress.reading), in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.calculations import achievement
from indicators.scoring import level_reached, main_measure
from plans.models import Period

from .budget import SCurve, s_curve
from .plausibility import is_share
from .reading import PeriodLine, Report, indicator_page, project_reading


@dataclass
class RubricReading:
    levels: list  # indicators.models.RubricLevel, from the top
    measure: str | None  # the rubric's measure the result is read against
    compared: Decimal | None  # the number compared: the result itself (a share) or its achievement %
    reached: int  # 0: no level


@dataclass
class StepLine:
    step: object  # projects.models.WorkStep
    planned_in: list[str]  # the months the work plan schedules it in
    due: bool  # planned to be under way or finished by the end of this period
    done: bool  # ticked in this period's report


@dataclass
class EntryContext:
    # indicators
    now: PeriodLine | None = None  # the status at this period's end: the planned value to date
    earlier: list[PeriodLine] = field(default_factory=list)
    baselines: list = field(default_factory=list)
    rubric: RubricReading | None = None
    cumulative_default: bool = True
    cumulative_from_report: bool = False  # the default is this report's saved choice, not the plan's
    # projects
    curve: SCurve | None = None
    planned_percent: Decimal | None = None  # the work plan's cumulative % by the end of this period
    planned_disbursed: Decimal | None = None
    steps: list[StepLine] = field(default_factory=list)
    earlier_reports: list[tuple[Period, Report]] = field(default_factory=list)
    # both
    previous: tuple[Period, Report] | None = None  # the latest earlier report with words the user may read


def _previous(reports: list[tuple[Period, Report]]) -> tuple[Period, Report] | None:
    """The latest earlier report whose "what was done" the user may read."""
    return next(((p, r) for p, r in reversed(reports) if r.visible and r.entry.narrative.strip()), None)


def indicator_context(user, indicator, period: Period, entry) -> EntryContext:
    page = indicator_page(user, indicator, until=period, with_history=False)
    lines = page.lines
    now = next((line for line in lines if line.period.pk == period.pk), lines[-1] if lines else None)
    earlier = [line for line in lines if line.period.last_month < period.last_month]
    context = EntryContext(
        now=now, earlier=earlier, baselines=page.baselines,
        previous=_previous([(line.period, line.report) for line in earlier if line.report]),
        cumulative_default=entry.value_is_cumulative if entry else indicator.cumulative,
        cumulative_from_report=entry is not None,
    )
    if page.rubric is not None:
        measure = main_measure(page.rubric)
        value = entry.value if entry else None
        # A rubric is set on a share (ร้อยละ of the plan done): a result in another unit
        # (kilometres) is read as its achievement of the district's target.
        compared = value if value is None or is_share(indicator.unit) else achievement(
            value, page.target, lower_is_better=indicator.direction == indicator.Direction.LOWER)
        context.rubric = RubricReading(list(page.rubric.levels.all()), measure, compared,
                                       level_reached(page.rubric, measure, compared))
    return context


def project_context(user, project, period: Period, entry, done: set[int]) -> EntryContext:
    curve = s_curve(project, user)
    reading = project_reading(user, project, curve)
    month = period.last_month
    earlier = [(p, r) for p, r in reading.reports if p.last_month < month]
    steps = [StepLine(s, [curve.labels[m - 1] for m in s.months if 1 <= m <= len(curve.labels)],
                      any(m <= month for m in s.months), s.pk in done) for s in project.work_steps.all()]
    return EntryContext(
        curve=curve, steps=steps, earlier_reports=earlier, previous=_previous(earlier),
        planned_percent=curve.planned[month - 1] if curve.planned and not curve.reported else None,
        planned_disbursed=reading.money[month - 1].planned if reading.money else None,
    )
