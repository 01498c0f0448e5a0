"""Reading uploads: file kinds, encodings, merged cells, formulas, Thai numbers and dates."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from kpiplan.lib.spreadsheets import SpreadsheetError, cell_date, cell_decimal, column_letter, read_upload


def xlsx(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_csv_in_utf8_with_and_without_bom_and_in_tis620_reads_the_same():
    text = "ชื่อโครงการ,งบประมาณ\nขุดลอกคลองครุสม,\"๓๑๖,๘๐๐\"\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("tis-620")):
        (sheet,) = read_upload(data, "plan.csv")
        assert sheet.header == ["ชื่อโครงการ", "งบประมาณ"]
        assert sheet.records() == [(2, {"ชื่อโครงการ": "ขุดลอกคลองครุสม", "งบประมาณ": "๓๑๖,๘๐๐"})]


@pytest.mark.parametrize("data, name, words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "ไม่ใช่ไฟล์ตารางข้อมูล"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", ".xlsx"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx", "เปิดไฟล์ Excel ไม่ได้"),
    (b"   \n", "empty.csv", "ว่างเปล่า"),
])
def test_files_that_are_not_spreadsheets_are_refused_in_thai(data, name, words):
    with translation.override("th"), pytest.raises(SpreadsheetError, match=words):
        read_upload(data, name)


def test_size_limit_in_the_users_language():
    with translation.override("th"), pytest.raises(SpreadsheetError, match="ไฟล์มีขนาด 0.0 MB เกินขนาดที่รับได้ 0 MB"):
        read_upload(b"a,b\n" * 1000, "big.csv", max_bytes=1000)
    with pytest.raises(SpreadsheetError, match="more than the 0 MB allowed"):
        read_upload(b"a,b\n" * 1000, "big.csv", max_bytes=1000)


def test_merged_cells_fill_each_row_and_blank_rows_are_skipped():
    def build(ws):
        ws.append(["วัตถุประสงค์", "ตัวชี้วัด"])
        ws.append(["เดินได้ เดินดี", "OKR 1.1.01"])
        ws.append([None, "OKR 1.1.03"])
        ws.append([None, None])
        ws.append(["เพิ่มความคล่องตัว", "OKR 1.2.01"])
        ws.merge_cells("A2:A3")

    (sheet,) = read_upload(xlsx(build), "plan.xlsx")
    assert [(n, r["วัตถุประสงค์"]) for n, r in sheet.records()] == [(2, "เดินได้ เดินดี"), (3, "เดินได้ เดินดี"), (5, "เพิ่มความคล่องตัว")]


def test_formula_without_a_calculated_value_names_its_cell():
    def build(ws):
        ws.append(["งบประมาณ"])
        ws.append([100])
        ws.append(["=SUM(A2:A2)"])

    (sheet,) = read_upload(xlsx(build), "plan.xlsx")
    assert len(sheet.errors) == 1 and "A3" in sheet.errors[0] and "=SUM(A2:A2)" in sheet.errors[0]


def test_numbers_and_dates_as_people_type_them():
    assert cell_decimal("๑,๒๕๐,๐๐๐") == Decimal("1250000")
    assert cell_decimal(316800.0) == Decimal("316800") and cell_decimal(34.467) == Decimal("34.467")
    assert cell_date("๒๔/๑๑/๒๕๖๙") == cell_date("24/11/2026") == cell_date("2026-11-24") == datetime.date(2026, 11, 24)
    assert cell_date(datetime.datetime(2569, 11, 24)) == datetime.date(2026, 11, 24)
    with translation.override("th"), pytest.raises(ValueError, match="«31/02/2569» ไม่ใช่วันที่ที่มีจริง"):
        cell_date("31/02/2569")
    assert column_letter(0) == "A" and column_letter(26) == "AA"
