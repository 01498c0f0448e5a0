from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.calculations import (
    Condition,
    Level,
    Reported,
    Status,
    achievement,
    combined_result,
    period_result,
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


Q1 = range(1, 4)  # October - December: kpiplan.lib.fiscal.periods_within("quarter", 1, "month")


def test_a_quarter_of_cumulative_reports_is_its_last_reported_month():
    monthly = {1: Reported(D(10)), 2: Reported(D(18)), 3: Reported(D(25))}
    assert period_result(monthly, Q1) == D(25)  # December's total to date


def test_a_quarter_of_per_period_reports_is_the_sum_of_its_months():
    monthly = {1: Reported(D(10), False), 2: Reported(D(8), False), 3: Reported(D(7), False)}
    assert period_result(monthly, Q1) == D(25)


def test_a_quarter_with_missing_months():
    # December not reported: the cumulative result stops at November's total ...
    assert period_result({1: Reported(D(10)), 2: Reported(D(18))}, Q1) == D(18)
    # ... the per-period result adds up the months that were reported.
    assert period_result({1: Reported(D(10), False), 3: Reported(D(7), False)}, Q1) == D(17)


def test_a_quarter_with_no_reports_has_no_result():
    assert period_result({}, Q1) is None
    # reports of other quarters do not count in this one
    assert period_result({4: Reported(D(40)), 5: Reported(D(50), False)}, Q1) is None
    assert period_result({1: Reported(D(0))}, Q1) == D(0)  # a real zero is a result


def test_the_second_quarter_takes_only_its_own_months():
    cumulative = {n: Reported(D(10 * n)) for n in range(1, 7)}
    per_period = {n: Reported(D(n), False) for n in range(1, 7)}
    assert period_result(cumulative, range(4, 7)) == D(60)  # March's total to date
    assert period_result(per_period, range(4, 7)) == D(4 + 5 + 6)


def test_the_year_is_its_twelve_months():
    assert period_result({n: Reported(D(5), False) for n in range(1, 13)}, range(1, 13)) == D(60)
    assert period_result({3: Reported(D(30)), 9: Reported(D(70))}, range(1, 13)) == D(70)


def test_a_cumulative_report_restates_the_total_a_per_period_one_adds_to_it():
    # the flag is each report's own (a division may switch how it reports)
    assert combined_result([Reported(D(10)), Reported(D(5), False)]) == D(15)
    assert combined_result([Reported(D(5), False), None, Reported(D(12))]) == D(12)
    assert combined_result([None, None]) is None


@given(st.lists(st.one_of(st.none(), st.integers(0, 10**6)), max_size=12), st.booleans())
def test_result_to_date_is_the_period_rule_with_one_flag(values, cumulative):
    values = [None if v is None else D(v) for v in values]
    monthly = {n: Reported(v, cumulative) for n, v in enumerate(values, start=1) if v is not None}
    assert result_to_date(values, cumulative) == period_result(monthly, range(1, len(values) + 1))


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


def test_roll_up_never_reads_on_track_over_missing_reports():
    # The plan read "on track" with 1 of 38 indicators reported: a missing report now
    # makes the group "not reported" before the deadline and off track after it.
    assert roll_up([Status.ON_TRACK] + [Status.NOT_REPORTED] * 37) == Status.NOT_REPORTED
    assert roll_up([Status.ON_TRACK] + [Status.NOT_REPORTED] * 37, overdue=True) == Status.OFF_TRACK
    assert roll_up([Status.ON_TRACK, Status.AT_RISK, Status.NOT_REPORTED]) == Status.NOT_REPORTED
    assert roll_up([Status.ON_TRACK, Status.AT_RISK]) == Status.AT_RISK
    assert roll_up([Status.ON_TRACK, Status.ON_TRACK]) == Status.ON_TRACK
    assert roll_up([Status.NOT_REPORTED, Status.OFF_TRACK]) == Status.OFF_TRACK
    assert roll_up([Status.NOT_REPORTED, Status.NOT_REPORTED]) == Status.NOT_REPORTED
    assert roll_up([]) == Status.NOT_REPORTED


@given(st.lists(st.sampled_from(list(Status)), max_size=12), st.booleans())
def test_adding_a_missing_report_never_improves_a_group(statuses, overdue):
    order = [Status.NO_TARGET, Status.ON_TRACK, Status.AT_RISK, Status.NOT_REPORTED, Status.OFF_TRACK]
    before = roll_up(statuses, overdue=overdue)
    after = roll_up([*statuses, Status.NOT_REPORTED], overdue=overdue)
    assert order.index(after) >= order.index(before) if statuses else after in (Status.NOT_REPORTED, Status.OFF_TRACK)
    assert after not in (Status.ON_TRACK, Status.AT_RISK, Status.NO_TARGET)


def test_a_result_without_a_measurable_target_is_neither_missing_nor_on_track():
    assert status(None, D(25), reported=True) == Status.NO_TARGET
    assert status(None, D(25)) == Status.NOT_REPORTED
    assert roll_up([Status.NO_TARGET, Status.ON_TRACK]) == Status.ON_TRACK
    assert roll_up([Status.NO_TARGET]) == Status.NO_TARGET
    assert roll_up([Status.NO_TARGET, Status.NOT_REPORTED], overdue=True) == Status.OFF_TRACK


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


def test_a_districts_target_is_its_own():
    from indicators.calculations import district_target

    # Table ง's rows for a city-wide key result add up to the district's target.
    assert district_target(city_target=D(275), city_wide=True, share=False, table_d_targets=[D(1)] * 13) == D(13)
    # Without them a city-wide count has no district target; a share applies as it is.
    assert district_target(city_target=D(52), city_wide=True, share=False) is None
    assert district_target(city_target=D(80), city_wide=True, share=True) == D(80)
    # The district's own indicators keep their own.
    assert district_target(city_target=D("1.53"), city_wide=False, share=False) == D("1.53")


def test_expected_value_is_the_target_at_the_planned_pace():
    from indicators.calculations import expected_value, planned_pace

    assert expected_value(D("81.958"), planned_pace(3)) == D("20.49")
    assert expected_value(D(5), D(100)) == D("5.00")  # a ceiling: the target itself
    assert expected_value(None, D(50)) is None
