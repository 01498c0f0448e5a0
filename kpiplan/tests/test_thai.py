import datetime
from decimal import Decimal

import pytest

from kpiplan.lib.thai import NumberParseError, format_be_date, format_number, parse_decimal, to_thai_digits


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("๑,๒๕๐", Decimal("1250")),
        ("1,250", Decimal("1250")),
        ("๓๕,๒๙๔,๒๙๕.๐๐", Decimal("35294295.00")),
        (" 12 345.5 ", Decimal("12345.5")),
        ("๐.๕", Decimal("0.5")),
        ("-๓", Decimal("-3")),
        ("", None),
        ("-", None),
        (None, None),
        (7, Decimal("7")),
    ],
)
def test_it_reads_thai_and_arabic_numbers(typed, expected):
    assert parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "๑๒x", "1.2.3", "๑,๒๕๐ บาท", "--1"])
def test_it_refuses_what_is_not_a_number(typed):
    with pytest.raises(NumberParseError):
        parse_decimal(typed)


def test_it_formats_with_thousands_and_thai_digits():
    assert format_number(Decimal("2694800")) == "2,694,800"
    assert format_number(Decimal("2694800"), thai=True) == "๒,๖๙๔,๘๐๐"
    assert format_number(Decimal("123.5980")) == "123.598"
    assert format_number(Decimal("1250"), places=2) == "1,250.00"
    assert format_number(None) == "-"


def test_it_writes_buddhist_era_dates():
    assert format_be_date(datetime.date(2023, 10, 1)) == "๑ ตุลาคม ๒๕๖๖"
    assert format_be_date(datetime.date(2024, 9, 30), thai_digits=False, abbr=True) == "30 ก.ย. 2567"


def test_it_converts_digits_both_ways():
    assert to_thai_digits("P213 2567") == "P๒๑๓ ๒๕๖๗"


def test_digits_and_months_follow_the_language():
    from kpiplan.lib.thai import format_date_in, format_number_in, localize_digits, month_name_in

    assert localize_digits("ส่วนที่ 1 100%", "th") == "ส่วนที่ ๑ ๑๐๐%"
    assert localize_digits("๑๐๐%", "en") == "100%"
    assert format_number_in(Decimal("1250"), "th") == "๑,๒๕๐" and format_number_in(Decimal("1250"), "en-us") == "1,250"
    assert month_name_in(12, "th", abbr=True) == "ธ.ค." and month_name_in(12, "en", abbr=True) == "Dec"
    day = datetime.date(2023, 12, 3)
    assert format_date_in(day, "th") == "๓ ธันวาคม ๒๕๖๖"
    assert format_date_in(day, "en") == "3 December 2566"  # the year stays Buddhist Era
    assert format_date_in(day, None) == "3 December 2566"  # no language: not Thai
