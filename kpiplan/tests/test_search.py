"""What a typed search means (kpiplan.lib.search), without a database."""

import pytest

from kpiplan.lib.search import Rank, code_parts, normalize_text, parse_query, rank


@pytest.mark.parametrize("typed", [
    "๑.๔.๐๗", "1.4.07", "1.4.7", " 1.4.07 ", "OKR 1.4.07", "okr1.4.07", "KPI ๑.๔.๐๗", "ตัวชี้วัด ๑.๔.๗", "KR: 1.4.07",
])
def test_it_reads_one_code_however_it_is_typed(typed):
    assert parse_query(typed).code == (1, 4, 7)


def test_it_keeps_a_kind_word_that_no_code_follows():
    query = parse_query("  KPI   ถนน ")
    assert query.code is None and query.text == "kpi ถนน"


@pytest.mark.parametrize("code, expected", [("1.4.07", (1, 4, 7)), ("๑.๕.๔.๑", (1, 5, 4, 1)), ("1.", (1,)),
                                            ("P213", None), ("", None), (None, None), ("1..2", None)])
def test_it_reads_printed_codes_as_numbers(code, expected):
    assert code_parts(code) == expected


def test_it_compares_text_without_digit_script_case_spacing_or_thousands_separators():
    assert normalize_text("  Traffy   Fondue ๓,๐๐๐ ต้น ") == "traffy fondue 3000 ต้น"
    assert normalize_text("1,5") == "1,5"  # not a thousands separator


@pytest.mark.parametrize("typed, code, expected", [
    ("๑.๔.๐๗", "1.4.07", Rank.EXACT_CODE),
    ("1.4.7", "1.4.07", Rank.EXACT_CODE),
    ("1.4", "1.4.07", Rank.CODE_PREFIX),
    ("๑.๔.", "1.4.07", Rank.CODE_PREFIX),
    ("1.4.0", "1.4.07", Rank.CODE_PREFIX),  # typing on towards the zero-padded part
    ("1.4.0", "1.4.10", None),
    ("1", "10.1", None),  # a code's parts are numbers: 1 is not the start of 10
    ("1.4.07", "1.4", None),
    ("1.4.07", "1.4.08", None),
])
def test_it_ranks_codes(typed, code, expected):
    assert rank(parse_query(typed), codes=[code]) == expected


def test_it_ranks_names_and_divisions_after_codes():
    query = parse_query("ถนน")
    assert rank(query, names=["ถนนสวย"]) == Rank.NAME_STARTS
    assert rank(query, names=["พัฒนาถนนสวย"]) == Rank.NAME_CONTAINS
    assert rank(query, names=["ขุดลอกคลอง"], divisions=["ฝ่ายถนนและทางเท้า"]) == Rank.DIVISION
    assert rank(query, names=["ขุดลอกคลอง"], divisions=["ฝ่ายโยธา"]) is None
    assert rank(parse_query("๑.๔"), codes=["1.4.05"], names=["ร้อยละ 1.4"]) == Rank.CODE_PREFIX  # the best one counts


def test_it_matches_latin_without_case_and_numbers_however_printed():
    assert rank(parse_query("TRAFFY"), names=["ข้อร้องเรียน Traffy Fondue"]) == Rank.NAME_CONTAINS
    assert rank(parse_query("3000 ต้น"), names=["ปลูกต้นไม้ ๓,๐๐๐ ต้น"]) == Rank.NAME_CONTAINS
    assert rank(parse_query("๕๐ เขต"), names=["พัฒนาถนนสวย 50 เขต"]) == Rank.NAME_CONTAINS


def test_an_empty_query_matches_nothing():
    assert parse_query("   ").is_empty
    assert rank(parse_query(""), codes=["1"], names=["ถนน"]) is None
