"""Every rubric of the real plan's table ค, at and just below each threshold."""

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.calculations import score
from indicators.models import Indicator
from indicators.scoring import rubric_levels, rubric_measures

pytestmark = pytest.mark.django_db
EPS = D("0.01")


def real_rubrics(plan):
    return list(Indicator.objects.filter(plan=plan, kind="agreement").select_related("rubric")
                .prefetch_related("rubric__levels__conditions"))


def inside(c):
    """The value at the threshold that still meets it ("ร้อยละ ๘๐" meets >= 80; < 60 needs 59.99)."""
    return c.value if c.operator in (">=", "<=") else c.value + EPS if c.operator == ">" else c.value - EPS


def outside(c):
    """The nearest value that misses it."""
    return c.value - EPS if c.operator in (">=", ">") else c.value + EPS if c.operator == "<=" else c.value


def level_inputs(level):
    measures, confirmed = {}, set()
    for c in level.conditions:
        if c.kind == "checklist":
            confirmed.add(c.key)
        else:
            measures[c.measure] = inside(c)
    return measures, confirmed


def test_each_level_is_reached_exactly_at_its_thresholds(real_plan):
    checked = 0
    for indicator in real_rubrics(real_plan):
        levels = rubric_levels(indicator.rubric)
        for level in levels:
            measures, confirmed = level_inputs(level)
            result = score(levels, measures, confirmed)
            assert result.level == level.level, (indicator.code, level.level, result)
            assert result.points == indicator.weight * level.level / 5
            for c in level.conditions:
                if c.kind != "threshold":
                    continue
                missed = dict(measures)
                missed[c.measure] = outside(c)
                assert score(levels, missed, confirmed).level != level.level, (indicator.code, level.level, c)
                checked += 1
            for key in confirmed:
                assert score(levels, measures, confirmed - {key}).level != level.level
    assert checked >= 25  # thresholds across the six rubrics


def test_the_documents_own_examples(real_plan):
    by_code = {i.code: i for i in real_rubrics(real_plan)}
    trees = by_code["1.1.2"]
    names = rubric_measures(trees.rubric)
    perennial = next(n for n in names if "ไม้ยืนต้น" in n)
    planted = next(n for n in names if n != perennial)
    levels = rubric_levels(trees.rubric)
    assert score(levels, {planted: D(100), perennial: D(60)}).points == D(6)
    assert score(levels, {planted: D(100), perennial: D("59.99")}).points == D(4)
    traffy = by_code["1.2"]
    (measure,) = rubric_measures(traffy.rubric)
    tlevels = rubric_levels(traffy.rubric)
    assert score(tlevels, {measure: D(70)}).points == D(16)
    assert score(tlevels, {measure: D(59)}).points == D(4)
    all_reports = {c.key for lv in tlevels for c in lv.conditions if c.kind == "checklist"}
    assert score(tlevels, {measure: D(75)}, all_reports).points == D(20)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_real_rubrics_never_drop_a_level_when_results_improve(real_plan, data):
    for indicator in real_rubrics(real_plan):
        levels = rubric_levels(indicator.rubric)
        names = rubric_measures(indicator.rubric)
        checklists = sorted({c.key for lv in levels for c in lv.conditions if c.kind == "checklist"})
        values = {n: data.draw(st.decimals(min_value=0, max_value=120, places=2), label=n) for n in names}
        confirmed = set(data.draw(st.lists(st.sampled_from(checklists), unique=True), label="confirmed")) if checklists else set()
        before = score(levels, values, confirmed)
        improved = {n: v + data.draw(st.decimals(min_value=0, max_value=40, places=2)) for n, v in values.items()}
        after = score(levels, improved, confirmed)
        assert after.level >= before.level, indicator.code
        assert before.points in {D(0)} | {lv.points for lv in levels}
