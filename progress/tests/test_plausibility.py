"""The plausibility rules alone, without a database: what is refused, what needs a
written explanation, and the sentences users read."""

from decimal import Decimal

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from progress.plausibility import (
    CUMULATIVE_DOWN,
    IMPOSSIBLE,
    NEGATIVE,
    OVER_TARGET,
    SHARE_OVER_100,
    UNLIKELY,
    check_value,
    describe,
    is_share,
    reason,
)

THREE = Decimal(3)


def check(value, unit="กม.", target="123.598", previous=None, cumulative=True, multiple=THREE):
    return check_value(value=Decimal(value), unit=unit, target=None if target is None else Decimal(target),
                       previous=None if previous is None else Decimal(previous), cumulative=cumulative,
                       multiple=multiple)


def rules(problems):
    return [(p.kind, p.rule) for p in problems]


def test_the_values_seen_on_the_real_plan():
    # OKR 4.1.10: 1,250 km of roads against 123.598 km was shown as 970.89 % "on track".
    assert rules(check("1250")) == [(UNLIKELY, OVER_TARGET)]
    # OKR 1.4.05: 999,999 flood points against 112.
    assert rules(check("999999", unit="จุด", target="112")) == [(UNLIKELY, OVER_TARGET)]
    # OKR 1.1.03: -5 lamps; OKR 1.4.05: -3 flood points.
    assert rules(check("-5", unit="ดวง", target="10500")) == [(IMPOSSIBLE, NEGATIVE)]
    assert rules(check("-3", unit="จุด", target="112")) == [(IMPOSSIBLE, NEGATIVE)]


def test_a_share_over_100_is_impossible_other_units_over_100_are_not():
    for unit in ("ร้อยละ", "%", "เปอร์เซ็นต์", " ร้อยละ "):
        assert rules(check("100.01", unit=unit, target="80")) == [(IMPOSSIBLE, SHARE_OVER_100)], unit
        assert check("100", unit=unit, target="80") == []
    assert check("150", unit="จุด", target="112") == []
    assert is_share("ร้อยละ") and not is_share("กม.") and not is_share("")


def test_a_negative_share_reports_only_the_negative():
    assert rules(check("-1", unit="ร้อยละ", target="100")) == [(IMPOSSIBLE, NEGATIVE)]


def test_the_multiple_is_a_limit_not_a_threshold_of_equality():
    assert check("370.794") == []  # exactly 3 x 123.598
    assert rules(check("370.795")) == [(UNLIKELY, OVER_TARGET)]
    assert rules(check("250", multiple=Decimal(2))) == [(UNLIKELY, OVER_TARGET)]
    assert check("250", multiple=Decimal(5)) == []


def test_a_total_to_date_going_down_needs_an_explanation():
    assert rules(check("40", previous="52")) == [(UNLIKELY, CUMULATIVE_DOWN)]
    assert check("52", previous="52") == []
    assert check("60", previous="52") == []
    # Both at once: down from an earlier total that was itself far over the target.
    assert rules(check("400", previous="1250")) == [(UNLIKELY, OVER_TARGET), (UNLIKELY, CUMULATIVE_DOWN)]


def test_per_period_values_add_up_to_the_result_to_date():
    # 100 km a month is plausible alone, but after 300 km in earlier months the year has 400.
    assert check("100", previous="200", cumulative=False) == []
    (problem,) = check("100", previous="300", cumulative=False)
    assert (problem.rule, problem.value, problem.cumulative) == (OVER_TARGET, Decimal("400"), False)
    # A month's value below the previous month's is normal for per-period values.
    assert check("5", previous="80", cumulative=False) == []


def test_without_a_target_only_impossible_values_and_falling_totals_are_caught():
    assert check("999999", target=None) == []
    assert check("999999", target="0") == []
    assert rules(check("-1", target=None)) == [(IMPOSSIBLE, NEGATIVE)]
    assert rules(check("3", target=None, previous="5")) == [(UNLIKELY, CUMULATIVE_DOWN)]
    assert check_value(value=None, unit="กม.", target=Decimal(1), previous=None, cumulative=True, multiple=THREE) == []


def test_the_sentences_say_why_with_thai_digits_in_thai():
    with translation.override("th"):
        (problem,) = check("1250")
        text = describe(problem, unit="กม.")
        assert "๑,๒๕๐ กม." in text and "๑๒๓.๕๙๘ กม." in text and "๓" in text and "๑,๐๑๑.๓๔" in text
        assert "1" not in text
        (negative,) = check("-5", unit="ดวง", target="10500")
        text = describe(negative, unit="ดวง", field="ผลลัพธ์ (ดวง)")
        assert text.startswith("ผลลัพธ์ (ดวง): ") and "-๕ ดวง" in text and "ติดลบ" in text
        (share,) = check("120", unit="ร้อยละ", target="100")
        assert "ร้อยละ ๑๒๐" in describe(share, unit="ร้อยละ")
        assert "ลดลง" in reason(check("40", previous="52"), unit="กม.")
    with translation.override("en"):
        assert "1,250 กม." in describe(check("1250")[0], unit="กม.")


@given(value=st.decimals(min_value=0, max_value=10**9, places=4),
       target=st.decimals(min_value=Decimal("0.0001"), max_value=10**9, places=4),
       multiple=st.decimals(min_value=1, max_value=100, places=2),
       cumulative=st.booleans())
def test_property_a_value_within_zero_and_the_target_is_never_flagged(value, target, multiple, cumulative):
    value = min(value, target)
    assert check_value(value=value, unit="กม.", target=target, previous=None, cumulative=cumulative,
                       multiple=multiple) == []
    # ... nor with an earlier total at or below it.
    assert check_value(value=value, unit="จุด", target=target, previous=value / 2, cumulative=True,
                       multiple=multiple) == []


@given(value=st.decimals(max_value=Decimal("-0.0001"), min_value=-(10**12), places=4),
       unit=st.sampled_from(["กม.", "ดวง", "จุด", "ร้อยละ", "%", "บาท", ""]),
       target=st.one_of(st.none(), st.decimals(min_value=-10, max_value=10**9, places=4)),
       previous=st.one_of(st.none(), st.decimals(min_value=-(10**9), max_value=10**9, places=4)),
       multiple=st.decimals(min_value=1, max_value=100, places=2),
       cumulative=st.booleans())
def test_property_a_negative_value_is_always_refused(value, unit, target, previous, multiple, cumulative):
    problems = check_value(value=value, unit=unit, target=target, previous=previous, cumulative=cumulative,
                           multiple=multiple)
    assert (IMPOSSIBLE, NEGATIVE) in rules(problems)
    assert all(p.kind == IMPOSSIBLE for p in problems)
