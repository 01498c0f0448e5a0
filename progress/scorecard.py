"""Assembly of the performance-agreement scorecard (table ค) for one plan and period."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch

from indicators.calculations import weighted_total
from indicators.models import Baseline, Indicator

from .models import Assessment, ProgressEntry


@dataclass
class ScoreRow:
    indicator: Indicator
    baselines: list[Baseline]
    result: Decimal | None
    entry_state: str
    evidence_count: int
    self_assessment: Assessment | None
    evaluator: Assessment | None


@dataclass
class Scorecard:
    rows: list[ScoreRow]
    total_weight: Decimal
    self_total: Decimal
    evaluator_total: Decimal


def agreement_indicators(plan):
    return (
        Indicator.objects.filter(plan=plan, kind=Indicator.Kind.AGREEMENT)
        .select_related("rubric")
        .prefetch_related(Prefetch("baselines", queryset=Baseline.objects.order_by("year", "label")), "rubric__levels__conditions")
        .order_by("order")
    )


def build_scorecard(plan, period) -> Scorecard:
    indicators = list(agreement_indicators(plan))
    entries = {
        e.indicator_id: e
        for e in ProgressEntry.objects.filter(period=period, indicator__in=indicators).annotate(n_evidence=Count("evidence"))
    }
    assessments = {(a.indicator_id, a.kind): a for a in Assessment.objects.filter(period=period, indicator__in=indicators)}
    rows = []
    for ind in indicators:
        entry = entries.get(ind.pk)
        result = None
        if entry is not None:
            result = entry.verified_value if entry.verified_value is not None else entry.value
        rows.append(ScoreRow(
            indicator=ind, baselines=list(ind.baselines.all()), result=result,
            entry_state=entry.get_state_display() if entry else "",
            evidence_count=entry.n_evidence if entry else 0,
            self_assessment=assessments.get((ind.pk, Assessment.Kind.SELF)),
            evaluator=assessments.get((ind.pk, Assessment.Kind.EVALUATOR)),
        ))
    return Scorecard(
        rows=rows,
        total_weight=sum((r.indicator.weight or Decimal(0) for r in rows), Decimal(0)),
        self_total=weighted_total(r.self_assessment for r in rows if r.self_assessment),
        evaluator_total=weighted_total(r.evaluator for r in rows if r.evaluator),
    )
