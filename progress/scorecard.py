"""Assembly of the performance-agreement scorecard (table ค) for one plan and period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q

from indicators.calculations import Reported, period_result, weighted_total
from indicators.models import Baseline, Indicator
from kpiplan.lib.fiscal import periods_within
from plans.models import Period
from traffy.evidence import Evidence, indicator_evidence, is_traffy_indicator

from .models import Assessment, ProgressEntry


@dataclass
class ScoreRow:
    indicator: Indicator
    baselines: list[Baseline]
    # The baseline cell as the document prints it: one line per text (several measures
    # of one year share their text, which is printed once).
    baseline_texts: list[str]
    result: Decimal | None
    # The period the result stops at when that is before the period's end (a quarter
    # whose December is not reported yet shows November's result); None otherwise.
    result_until: Period | None
    entry_state: str
    evidence_count: int
    self_assessment: Assessment | None
    evaluator: Assessment | None
    traffy: Evidence | None = None  # indicator 1.2: the Traffy tickets behind its result


@dataclass
class Scorecard:
    rows: list[ScoreRow]
    total_weight: Decimal
    # None while nothing is assessed: "not assessed" is not a score of 0.
    self_total: Decimal | None
    evaluator_total: Decimal | None
    self_count: int
    evaluator_count: int

    @property
    def self_partial(self) -> bool:
        """Some indicators are assessed, not all: the total is not the final one."""
        return 0 < self.self_count < len(self.rows)

    @property
    def evaluator_partial(self) -> bool:
        return 0 < self.evaluator_count < len(self.rows)


def agreement_indicators(plan):
    return (
        Indicator.objects.filter(plan=plan, kind=Indicator.Kind.AGREEMENT)
        .select_related("rubric")
        .prefetch_related(Prefetch("baselines", queryset=Baseline.objects.order_by("year", "label")), "rubric__levels__conditions")
        .order_by("order")
    )


def _official_reports(indicators, period) -> dict[int, list[ProgressEntry]]:
    """Submitted-or-later reports (drafts are the division's own) of the months and
    quarters that lie within `period`, per indicator, in period order; each carries its
    number of evidence files. One query however many indicators and reports."""
    within = {kind: list(periods_within(period.kind, period.number, kind)) for kind in (Period.Kind.MONTH, Period.Kind.QUARTER)}
    entries = (
        ProgressEntry.objects.filter(indicator__in=indicators, period__fiscal_year_id=period.fiscal_year_id)
        .filter(Q(period__kind=Period.Kind.MONTH, period__number__in=within[Period.Kind.MONTH])
                | Q(period__kind=Period.Kind.QUARTER, period__number__in=within[Period.Kind.QUARTER]))
        .official().annotate(n_evidence=Count("evidence")).select_related("period").order_by("period__number")
    )
    reports: dict[int, list[ProgressEntry]] = defaultdict(list)
    for e in entries:
        reports[e.indicator_id].append(e)
    return reports


def _row(plan, ind: Indicator, entries: list[ProgressEntry], period, assessments) -> ScoreRow:
    # An indicator counts the reports of the periods it is reported for (months, or
    # quarters): the result of a quarter or the year follows indicators.calculations.period_result.
    numbers = list(periods_within(period.kind, period.number, ind.reporting_frequency))
    own = [e for e in entries if e.period.kind == ind.reporting_frequency and e.counted_value is not None]
    result = period_result({e.period.number: Reported(e.counted_value, e.value_is_cumulative) for e in own}, numbers)
    latest = own[-1] if own else None
    baselines = list(ind.baselines.all())
    return ScoreRow(
        indicator=ind, baselines=baselines,
        baseline_texts=list(dict.fromkeys(b.text or str(b.year) for b in baselines)),
        result=result,
        result_until=latest.period if latest and numbers and latest.period.number != numbers[-1] else None,
        entry_state=latest.get_state_display() if latest else "",
        evidence_count=sum(e.n_evidence for e in own),
        self_assessment=assessments.get((ind.pk, Assessment.Kind.SELF)),
        evaluator=assessments.get((ind.pk, Assessment.Kind.EVALUATOR)),
        traffy=indicator_evidence(plan.organization_id, period.fiscal_year_id, period.last_month) if is_traffy_indicator(ind) else None,
    )


def build_scorecard(plan, period) -> Scorecard:
    """Table ค for `period`: each indicator's result of that period (a quarter's or the
    year's from its months), its rubric assessments and the totals."""
    indicators = list(agreement_indicators(plan))
    reports = _official_reports(indicators, period)
    assessments = {(a.indicator_id, a.kind): a for a in Assessment.objects.filter(period=period, indicator__in=indicators)}
    rows = [_row(plan, ind, reports.get(ind.pk, []), period, assessments) for ind in indicators]
    selfs = [r.self_assessment for r in rows if r.self_assessment]
    evaluators = [r.evaluator for r in rows if r.evaluator]
    return Scorecard(
        rows=rows,
        total_weight=sum((r.indicator.weight or Decimal(0) for r in rows), Decimal(0)),
        self_total=weighted_total(selfs) if selfs else None,
        evaluator_total=weighted_total(evaluators) if evaluators else None,
        self_count=len(selfs), evaluator_count=len(evaluators),
    )
