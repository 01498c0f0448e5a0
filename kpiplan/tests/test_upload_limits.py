"""Uploads bounded (issue 12): what an .xlsx may unpack to is checked before it is parsed,
XML with document types or entities is refused, and the memory a hostile file costs is
measured in a fresh process. The pages that take uploads are tested in
tests/test_hostile_uploads.py."""

import io
import json
import resource
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kpiplan.lib.spreadsheets import (
    SpreadsheetError,
    inert_text,
    looks_like_formula,
    read_upload,
    unquote_formula,
)
from kpiplan.lib.xlsx import Limits
from tests import hostile_files

# Fresh Python with Django and openpyxl imported, a small workbook read: about 80 MB.
# The old reader grew by 2 GB on the zip bomb; the limit leaves room for allocator noise.
MEMORY_BOUND_KB = 32 * 1024


def xlsx(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def replace_in_part(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, content.replace(old, new, 1) if info.filename == part else content)
    return out.getvalue()


def refused(data, name="x.xlsx", **limits) -> str:
    with translation.override("th"), pytest.raises(SpreadsheetError) as caught:
        read_upload(data, name, limits=Limits(**limits) if limits else None)
    return str(caught.value)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for kind, build in hostile_files.HOSTILE.items():
        paths[kind] = folder / f"{kind.replace(' ', '-')}.xlsx"
        paths[kind].write_bytes(build())
    return paths


def test_the_zip_bomb_is_small_and_unpacks_to_more_than_a_gigabyte(hostile):
    data = hostile["zip bomb"].read_bytes()
    assert len(data) < 1.5 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo(hostile_files.SHEET).file_size > 1024 ** 3


@pytest.mark.parametrize("kind, problem", [
    ("zip bomb", "เกินขนาดที่รับได้ ๕๐.๐ MB ต่อส่วน"),
    ("lying zip bomb", "แตกไฟล์ออกมาไม่ตรงกับที่สารบัญของไฟล์ระบุไว้"),
    ("billion laughs", "<!DOCTYPE>, <!ENTITY>"),
    ("xxe", "<!DOCTYPE>, <!ENTITY>"),
])
def test_hostile_files_are_refused_in_a_fresh_process_whose_memory_stays_bounded(hostile, kind, problem):
    """read_upload in its own process (capped at 2 GB of address space, so that a reader
    that unpacks the bomb fails instead of taking the machine): the Thai message names the
    file and the problem, and the peak resident memory grows by less than 32 MB."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))

    done = subprocess.run([sys.executable, "tests/hostile_files.py", str(hostile[kind])], cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=300, preexec_fn=cap)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert hostile[kind].name in result["message"] and problem in result["message"], result
    assert result["grew_kb"] < MEMORY_BOUND_KB, result


def test_a_part_compressed_more_than_the_ratio_is_refused_before_it_is_unpacked():
    def build(ws):
        for _ in range(100):
            ws.append(["ก" * 20_000])  # 6 MB of sheet XML, packed about 1000 times

    data = xlsx(build)
    message = refused(data, "ratio.xlsx")
    assert "«ratio.xlsx»" in message and "xl/worksheets/sheet1.xml" in message
    assert "ถูกบีบอัดไว้" in message and "เกินกว่า ๑๐๐ เท่า" in message
    (sheet,) = read_upload(data, "ratio.xlsx", limits=Limits(ratio=10_000))
    assert sheet.header == ["ก" * 20_000] and len(sheet.rows) == 99


def test_total_and_part_sizes_and_the_number_of_parts():
    data = xlsx(lambda ws: ws.append(["ข้อมูล"] * 500))
    assert "เกินขนาดที่รับได้ ๐.๐ MB (ไฟล์ .xlsx เป็นไฟล์บีบอัด)" in refused(data, unpacked_bytes=10_000)
    assert "ต่อส่วน" in refused(data, part_bytes=5_000)
    assert "มีส่วนประกอบ ๙ ส่วน เกินกว่า ๕ ส่วน" in refused(data, parts=5)


def test_a_value_at_the_far_corner_of_the_sheet_is_refused_by_the_cell_limit():
    message = refused(xlsx(lambda ws: ws.cell(row=1_048_576, column=16_384, value=1)), "corner.xlsx")
    assert "«corner.xlsx»" in message and "๑๗,๑๗๙,๘๖๙,๑๘๔ เซลล์" in message and "๑,๐๐๐,๐๐๐ เซลล์" in message


def test_a_merged_range_over_the_whole_sheet_is_refused_by_the_cell_limit():
    def build(ws):
        ws.append(["หัวข้อ"])
        ws.merge_cells("A1:B2")

    data = replace_in_part(xlsx(build), "xl/worksheets/sheet1.xml", b'<mergeCell ref="A1:B2"',
                           b'<mergeCell ref="A1:XFD1048576"')
    assert "เกินกว่า ๑,๐๐๐,๐๐๐ เซลล์" in refused(data)


def test_styled_empty_cells_far_away_cost_nothing():
    """Excel writes a cell for every formatted cell; the reader stops at the last value."""
    def build(ws):
        ws.append(["รหัส", "ผล"])
        ws.append(["okr:1", 5])
        ws.cell(row=1_000_000, column=16_000).number_format = "0.00"

    (sheet,) = read_upload(xlsx(build), "styled.xlsx")
    assert sheet.header == ["รหัส", "ผล"] and sheet.rows == [(2, ["okr:1", 5])]


def test_a_doctype_without_entities_in_any_part_is_refused():
    data = replace_in_part(xlsx(lambda ws: ws.append(["ก"])), "docProps/app.xml", b"<Properties",
                           b"<!DOCTYPE Properties><Properties")
    message = refused(data, "doctype.xlsx")
    assert "«doctype.xlsx»" in message and "docProps/app.xml" in message and "<!DOCTYPE>" in message


def test_csv_with_too_many_cells_or_a_field_over_the_csv_limit():
    assert "เกินกว่า ๑๐ เซลล์" in refused(b"a,b,c\n" * 5, "many.csv", cells=10)
    message = refused(b'"' + b"a" * 200_000 + b'"\n', "long.csv")
    assert "อ่านไฟล์ CSV «long.csv» ไม่ได้" in message


# -- text that looks like a formula ----------------------------------------------------------

def test_what_looks_like_a_formula():
    for text in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "+66 2 123 4567"):
        assert looks_like_formula(text), text
        assert inert_text(text) == "'" + text
    for value in ("-1,250.50", "+5", "-๑๒๕", -5, 3.5, None, "ดำเนินการ = แล้ว", "'=quoted by the user"):
        assert not looks_like_formula(value), value


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r0123456789,.ก a"))))
def test_inert_text_is_never_a_formula_and_reads_back_exactly(text):
    assert not looks_like_formula(inert_text(text))
    assert unquote_formula(inert_text(text)) == text
