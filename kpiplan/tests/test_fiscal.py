import datetime

from kpiplan.lib.fiscal import (
    fiscal_months,
    fiscal_quarter_of,
    fiscal_year_bounds,
    fiscal_year_of,
    period_name_th,
    period_short_name_th,
    periods_within,
    quarter_bounds,
)


def test_it_names_the_fiscal_year_by_the_be_year_it_ends_in():
    assert fiscal_year_of(datetime.date(2023, 10, 1)) == 2567
    assert fiscal_year_of(datetime.date(2024, 9, 30)) == 2567
    assert fiscal_year_of(datetime.date(2023, 9, 30)) == 2566
    assert fiscal_year_bounds(2567) == (datetime.date(2023, 10, 1), datetime.date(2024, 9, 30))


def test_it_starts_quarter_one_in_october():
    assert fiscal_quarter_of(datetime.date(2023, 10, 15)) == 1
    assert fiscal_quarter_of(datetime.date(2023, 12, 31)) == 1
    assert fiscal_quarter_of(datetime.date(2024, 1, 1)) == 2
    assert fiscal_quarter_of(datetime.date(2024, 9, 1)) == 4
    assert quarter_bounds(2567, 2) == (datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))


def test_it_lists_twelve_months_october_to_september():
    months = fiscal_months(2567)
    assert [m.month for m in months] == [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert months[0].start == datetime.date(2023, 10, 1)
    assert months[4].end == datetime.date(2024, 2, 29)  # 2024 is a leap year
    assert months[11].name_th == "กันยายน 2567"
    assert [m.quarter for m in months] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


def test_fiscal_month_of():
    from kpiplan.lib.fiscal import fiscal_month_of

    assert [fiscal_month_of(datetime.date(2023, m, 15)) for m in (10, 12, 1, 9)] == [1, 3, 4, 12]


def test_periods_within_a_period():
    assert list(periods_within("quarter", 1, "month")) == [1, 2, 3]  # October - December
    assert list(periods_within("quarter", 4, "month")) == [10, 11, 12]
    assert list(periods_within("year", 1, "month")) == list(range(1, 13))
    assert list(periods_within("year", 1, "quarter")) == [1, 2, 3, 4]
    assert list(periods_within("quarter", 2, "quarter")) == [2]
    assert list(periods_within("month", 5, "month")) == [5]
    assert list(periods_within("month", 3, "quarter")) == []  # a quarter does not lie in a month


def test_period_names_in_thai_documents():
    assert period_name_th(2567, "month", 3) == "ธันวาคม ๒๕๖๖"
    assert period_name_th(2567, "quarter", 1) == "ไตรมาสที่ ๑ (ตุลาคม - ธันวาคม ๒๕๖๖)"
    assert period_name_th(2567, "quarter", 4) == "ไตรมาสที่ ๔ (กรกฎาคม - กันยายน ๒๕๖๗)"
    assert period_name_th(2567, "year", 1) == "ปีงบประมาณ พ.ศ. ๒๕๖๗"
    assert period_short_name_th(2567, "month", 3) == "ธ.ค. ๒๕๖๖"
    assert period_short_name_th(2567, "month", 4) == "ม.ค. ๒๕๖๗"
    assert period_short_name_th(2567, "quarter", 2) == "ไตรมาสที่ ๒"
