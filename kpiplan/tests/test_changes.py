"""A version's changes as people read them (kpiplan.lib.changes): no database."""

import datetime
from decimal import Decimal

from kpiplan.lib.changes import Change, FieldSpec, format_when, measure_changes, set_change, shown, version_changes

SPECS = [
    FieldSpec("state", "สถานะ", "choice", {"draft": "ร่าง", "submitted": "ส่งหัวหน้าฝ่ายแล้ว"}, "draft"),
    FieldSpec("value", "ผลลัพธ์", "number"),
    FieldSpec("cumulative", "ผลสะสม", "bool", default=True),
    FieldSpec("narrative", "ผลการดำเนินงาน", "long"),
    FieldSpec("measures", "ผลแยกตามตัววัด", "measures"),
    FieldSpec("division", "ฝ่าย", "fk"),
]


def test_it_writes_numbers_with_separators_and_thai_digits_in_thai_mode():
    assert shown(Decimal("12500.5000"), kind="number", thai=True) == "๑๒,๕๐๐.๕"
    assert shown(Decimal("12500.5000"), kind="number", thai=False) == "12,500.5"
    assert shown(None, thai=True) == "-"
    assert shown("", thai=True) == "-"


def test_it_writes_booleans_and_choices_in_words():
    assert shown(True, kind="bool", thai=True, yes="ใช่", no="ไม่ใช่") == "ใช่"
    assert shown(False, kind="bool", thai=True, yes="ใช่", no="ไม่ใช่") == "ไม่ใช่"
    assert shown("submitted", kind="choice", thai=True, choices=SPECS[0].choices) == "ส่งหัวหน้าฝ่ายแล้ว"


def test_it_writes_dates_in_the_buddhist_era():
    when = datetime.datetime(2026, 12, 3, 9, 5)
    assert format_when(when, thai=True) == "๓ ธันวาคม ๒๕๖๙ ๐๙:๐๕"
    assert format_when(when, thai=False) == "3 Dec 2569 09:05"
    assert shown(datetime.date(2023, 12, 31), thai=True) == "๓๑ ธันวาคม ๒๕๖๖"


def test_it_lists_each_changed_measure_with_its_label():
    changes = measure_changes("ผล", {"ขุดลอก": "1.2", "เปิดทาง": "10"}, {"ขุดลอก": "1.5", "เปิดทาง": "10.0"}, thai=True)
    assert [str(c) for c in changes] == ["ผล — ขุดลอก: ๑.๒ → ๑.๕"]
    assert [str(c) for c in measure_changes("r", {}, {"a": "1000"}, thai=False)] == ["r — a: - → 1,000"]


def test_it_lists_items_added_and_removed():
    change = set_change("ขั้นตอน", ["1. สำรวจ", "2. จัดซื้อ"], ["1. สำรวจ", "3. ติดตั้ง"])
    assert change.added == ("3. ติดตั้ง",) and change.removed == ("2. จัดซื้อ",)
    assert set_change("ขั้นตอน", ["a"], ["a"]) is None


def test_it_lists_only_what_changed_old_to_new():
    before = {"state": "draft", "value": Decimal("10"), "cumulative": True, "narrative": "ทำแล้ว", "measures": {}, "division": 1}
    after = {**before, "state": "submitted", "value": Decimal("12.0000")}
    assert version_changes(SPECS, before, after, thai=True) == [
        Change("สถานะ", "ร่าง", "ส่งหัวหน้าฝ่ายแล้ว"), Change("ผลลัพธ์", "๑๐", "๑๒")]
    names = {2: "ฝ่ายโยธา", 1: "ฝ่ายการศึกษา"}
    moved = version_changes(SPECS, before, {**before, "division": 2, "narrative": "ทำแล้ว\nเพิ่ม"}, thai=False,
                            fk_names=lambda name, pk: names[pk])
    assert moved == [Change("ผลการดำเนินงาน", "ทำแล้ว", "ทำแล้ว\nเพิ่ม", long=True), Change("ฝ่าย", "ฝ่ายการศึกษา", "ฝ่ายโยธา")]


def test_the_first_version_lists_the_values_it_was_created_with():
    first = {"state": "draft", "value": Decimal("10"), "cumulative": True, "narrative": "", "measures": {"ก": "3"}, "division": 1}
    changes = version_changes(SPECS, None, first, thai=True, skip_on_create=["division"])
    assert [(c.label, c.new) for c in changes] == [("สถานะ", "ร่าง"), ("ผลลัพธ์", "๑๐"), ("ผลแยกตามตัววัด — ก", "๓")]
