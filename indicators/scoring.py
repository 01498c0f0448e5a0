"""Adapters from stored rubrics to the pure rubric engine in calculations.py."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from .calculations import Condition, Level, score
from .models import Rubric


def checklist_key(condition) -> str:
    return f"c{condition.pk}"


def rubric_levels(rubric: Rubric) -> list[Level]:
    """Uses prefetched levels and conditions when present (prefetch 'levels__conditions')."""
    return [
        Level(
            level=lv.level,
            points=lv.points or 0,
            conditions=tuple(
                Condition(kind=c.kind, measure=c.measure, operator=c.operator, value=c.value, key=checklist_key(c), text=c.text)
                for c in lv.conditions.all()
            ),
        )
        for lv in rubric.levels.all()
    ]


def rubric_measures(rubric: Rubric) -> list[str]:
    """The measures a rubric thresholds on, in first-seen order (the what-if inputs)."""
    seen: list[str] = []
    for lv in rubric.levels.all():
        for c in lv.conditions.all():
            if c.kind == "threshold" and c.measure not in seen:
                seen.append(c.measure)
    return seen


def main_measure(rubric: Rubric) -> str | None:
    """The measure the rubric's levels are mostly set on (e.g. progress against the plan,
    while one level also asks for satisfaction ≥ 80): the one a reported result is read
    against. None for a rubric of checklists only."""
    counts = Counter(c.measure for lv in rubric.levels.all() for c in lv.conditions.all()
                     if c.kind == "threshold" and c.measure)
    return counts.most_common(1)[0][0] if counts else None


def level_reached(rubric: Rubric, measure: str | None, value: Decimal | None) -> int:
    """The highest level whose conditions on `measure` all hold for `value` (0: none):
    what a result reaches by that measure alone. Checklists and other measures are left
    to the assessment, so a level set only on them is never reached here."""
    if measure is None or value is None:
        return 0
    levels = [Level(lv.level, lv.points, tuple(c for c in lv.conditions if c.kind == "threshold" and c.measure == measure))
              for lv in rubric_levels(rubric)]
    return score(levels, {measure: value}).level
