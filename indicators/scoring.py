"""Adapters from stored rubrics to the pure rubric engine in calculations.py."""

from __future__ import annotations

from .calculations import Condition, Level
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
