from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from projects.calculations import Step, actual_cumulative, execution, planned_cumulative, slippage, weights_problem


def test_planned_cumulative_spreads_weights_over_months():
    steps = [Step(D(20), (1,)), Step(D(30), (2, 3)), Step(D(50), (12,))]
    curve = planned_cumulative(steps)
    assert curve[:4] == [D(20), D(35), D(50), D(50)]
    assert curve[-1] == D(100)


def test_actual_curve_keeps_gaps_and_never_goes_back():
    assert actual_cumulative([D(10), None, D(5), D(40)]) == [D(10), None, D(10), D(40)]


def test_slippage_flags_months_behind_the_plan():
    planned = planned_cumulative([Step(D(50), (1,)), Step(D(50), (2,))])
    assert slippage(planned, [D(45), D(60)] + [None] * 10) == [2]


def test_weights_must_total_100():
    assert weights_problem([D(50), D(50)]) is None
    assert weights_problem([D(7)] * 7) == "total 49"
    assert weights_problem([D(50), None]) == "missing"


def test_execution_percent():
    ex = execution([(D(329100), D(164550)), (D(208400), None), (None, D(0))])
    assert ex.allocated == D(537500) and ex.disbursed == D(164550)
    assert ex.percent == D("30.61")
    assert execution([(None, None)]).percent is None


@st.composite
def schedules(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=100), min_size=n - 1, max_size=n - 1)))
    weights = [D(b - a) for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    months = [tuple(draw(st.lists(st.integers(min_value=1, max_value=12), min_size=0, max_size=4))) for _ in range(n)]
    return [Step(w, m) for w, m in zip(weights, months, strict=True)]


@given(schedules())
def test_planned_cumulative_is_non_decreasing_and_ends_at_100(steps):
    curve = planned_cumulative(steps)
    assert len(curve) == 12
    assert all(a <= b for a, b in zip(curve, curve[1:], strict=False))
    assert curve[-1] == D(100)


def test_a_project_listed_in_two_sections_is_counted_once():
    from projects.calculations import repeated_lines

    # 3 repeats 1 (both listed): 3 is left out; 4 repeats a line not listed: counted.
    assert repeated_lines([(1, None), (2, None), (3, 1), (4, 99)]) == {3: 1}
    # Two rows naming each other: one of them is counted.
    assert repeated_lines([(1, 2), (2, 1)]) == {1: 2}


def test_a_project_without_steps_draws_its_reported_percent_complete():
    from projects.calculations import reported_curve

    assert reported_curve([None, D("12.5"), None, D(30), D(25)]) == [None, D("12.50"), None, D("30.00"), D("25.00")]


def test_planned_disbursement_follows_the_work_plan():
    from projects.calculations import planned_disbursement

    assert planned_disbursement(D("638050"), [D(0), D("33.33"), D(100)]) == [
        D("0.00"), D("212662.07"), D("638050.00")]
    assert planned_disbursement(None, [D(50)]) == [D("0.00")]


def test_disbursed_to_date_carries_the_latest_report_and_stops_at_the_last():
    from projects.calculations import disbursed_to_date

    assert disbursed_to_date([None, D(5), None, D(9), None]) == [None, D(5), D(5), D(9), None]
    assert disbursed_to_date([None, None]) == [None, None]
