from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.calculations import (
    Condition,
    Level,
    Status,
    achievement,
    planned_pace,
    result_to_date,
    roll_up,
    score,
    status,
    weighted_total,
)


def test_result_to_date_for_cumulative_and_per_period_measures():
    assert result_to_date([D(10), None, D(25)], cumulative=True) == D(25)
    assert result_to_date([D(10), None, D(25)], cumulative=False) == D(35)
    assert result_to_date([None, None], cumulative=True) is None
    assert result_to_date([D(0)], cumulative=True) == D(0)  # a real zero is not "not reported"


def test_achievement_higher_is_better():
    assert achievement(D("0.765"), D("1.53")) == D("50.00")  # ถนนสวย 1.53 km
    assert achievement(D(3300), D(3000)) == D("110.00")  # over-achievement shows
    assert achievement(None, D(3000)) is None
    assert achievement(D(5), D(0)) is None


def test_achievement_lower_is_better():
    # a ceiling (dengue rate under the 5-year 80th percentile)
    assert achievement(D(40), D(50), lower_is_better=True) == D("100.00")
    assert achievement(D(100), D(50), lower_is_better=True) == D("50.00")
    # a count to reduce from a baseline of 479 stalls to a target of 400
    assert achievement(D(440), D(400), lower_is_better=True, baseline=D(479)) == D("49.37")
    assert achievement(D(479), D(400), lower_is_better=True, baseline=D(479)) == D("0.00")


def test_status_rules_for_both_directions():
    pace = planned_pace(6)  # end of March: half the year
    assert pace == D("50.00")
    assert status(achievement(D(55), D(100)), pace) == Status.ON_TRACK
    assert status(achievement(D(45), D(100)), pace) == Status.AT_RISK
    assert status(achievement(D(30), D(100)), pace) == Status.OFF_TRACK
    assert status(achievement(D(30), D(50), lower_is_better=True), pace) == Status.ON_TRACK
    assert status(achievement(D(200), D(50), lower_is_better=True), pace) == Status.OFF_TRACK
    assert status(None, pace) == Status.NOT_REPORTED


def test_roll_up_takes_the_worst_reported_status():
    assert roll_up([Status.ON_TRACK, Status.AT_RISK, Status.NOT_REPORTED]) == Status.AT_RISK
    assert roll_up([Status.ON_TRACK, Status.OFF_TRACK]) == Status.OFF_TRACK
    assert roll_up([Status.NOT_REPORTED, Status.NOT_REPORTED]) == Status.NOT_REPORTED
    assert roll_up([]) == Status.NOT_REPORTED


TREES = [  # table ค 1.1.2, weight 10
    Level(5, D(10), (Condition("threshold", "perennial", ">=", D(80)), Condition("checklist", key="report"))),
    Level(4, D(8), (Condition("threshold", "perennial", ">=", D(80)),)),
    Level(3, D(6), (Condition("threshold", "planted", ">=", D(100)), Condition("threshold", "perennial", ">=", D(60)))),
    Level(2, D(4), (Condition("threshold", "planted", ">=", D(80)), Condition("threshold", "perennial", ">=", D(40)))),
    Level(1, D(2), (Condition("threshold", "planted", ">=", D(60)), Condition("threshold", "perennial", ">=", D(20)))),
]


@pytest.mark.parametrize("planted, perennial, confirmed, level, points", [
    (D(100), D(60), set(), 3, D(6)),
    (D(100), D("59.99"), set(), 2, D(4)),  # one measure short: the level below
    (D(99), D(60), set(), 2, D(4)),
    (D(50), D(90), set(), 4, D(8)),
    (D(50), D(90), {"report"}, 5, D(10)),
    (D(59), D(19), set(), 0, D(0)),
])
def test_a_level_needs_all_its_conditions(planted, perennial, confirmed, level, points):
    result = score(TREES, {"planted": planted, "perennial": perennial}, confirmed)
    assert (result.level, result.points) == (level, points)


def test_weighted_total_adds_points():
    scores = [score(TREES, {"planted": D(100), "perennial": D(60)}), score(TREES, {"planted": D(0), "perennial": D(0)})]
    assert weighted_total(scores) == D(6)


measures = st.decimals(min_value=0, max_value=150, places=2)


@given(measures, measures, st.decimals(min_value=0, max_value=50, places=2), st.booleans())
def test_level_never_decreases_when_a_result_improves(planted, perennial, delta, reported):
    confirmed = {"report"} if reported else set()
    before = score(TREES, {"planted": planted, "perennial": perennial}, confirmed)
    after = score(TREES, {"planted": planted + delta, "perennial": perennial}, confirmed)
    after2 = score(TREES, {"planted": planted, "perennial": perennial + delta}, confirmed)
    assert after.level >= before.level and after2.level >= before.level
    assert before.points in {D(0), D(2), D(4), D(6), D(8), D(10)}
