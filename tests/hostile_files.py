"""Spreadsheets an attacker uploads, built in the tests (issue 12): a zip bomb, the same
bomb with a zip directory that lies about its size, a billion-laughs sheet and an XXE
sheet. Each is otherwise a well-formed .xlsx that openpyxl opens, so only the upload
checks stand between it and the parser.

    python tests/hostile_files.py FILE   # read_upload on it in this fresh process: prints how much memory grew
"""

from __future__ import annotations

import io
import struct
import zipfile

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
GB = 1024 ** 3


def _workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "ผลการดำเนินงาน"
    book.active.append(["รหัสรายการ", "งวดรายงาน"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_sheet(write_sheet) -> bytes:
    """A valid workbook whose first sheet's XML is written by write_sheet(stream)."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == SHEET:
                with target.open(SHEET, "w", force_zip64=False) as stream:
                    write_sheet(stream)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def zip_bomb(unpacked: int = GB + GB // 10) -> bytes:
    """About 1 MB that unpacks to `unpacked` bytes of sheet XML: one cell of text that
    repeats one letter (deflate packs it about a thousand times)."""
    block = b"A" * (1024 * 1024)

    def write(stream):
        stream.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
                     '<row r="1"><c r="A1" t="inlineStr"><is><t>'.encode())
        for _ in range(unpacked // len(block) + 1):
            stream.write(block)
        stream.write(b"</t></is></c></row></sheetData></worksheet>")

    return _with_sheet(write)


def lying_zip_bomb(claimed: int = 4096) -> bytes:
    """The zip bomb, its directory (and local header) claiming the sheet unpacks to
    `claimed` bytes at an ordinary ratio."""
    data = bytearray(zip_bomb())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET)
    # local file header: uncompressed size at offset 22
    struct.pack_into("<I", data, info.header_offset + 22, claimed)
    # central directory entry: find it by its name, uncompressed size at offset 24
    name = SHEET.encode()
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    struct.pack_into("<I", data, at + 24, claimed)
    return bytes(data)


def _sheet_xml(doctype: str, cell: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<worksheet xmlns="{MAIN}"><sheetData>'
            f'<row r="1"><c r="A1" t="inlineStr"><is><t>รหัสรายการ</t></is></c></row>'
            f'<row r="2"><c r="A2" t="inlineStr"><is><t>{cell}</t></is></c></row>'
            f"</sheetData></worksheet>").encode()


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                          for i in range(1, 10)]
    doctype = "<!DOCTYPE lolz [" + "".join(entities) + "]>"
    return _with_sheet(lambda stream: stream.write(_sheet_xml(doctype, "&lol9;")))


def xxe() -> bytes:
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return _with_sheet(lambda stream: stream.write(_sheet_xml(doctype, "&xxe;")))


HOSTILE = {"zip bomb": zip_bomb, "lying zip bomb": lying_zip_bomb, "billion laughs": billion_laughs, "xxe": xxe}


def peak_memory_of_reading(path: str) -> dict:
    """In this process: the growth of the peak resident memory while read_upload reads the
    file (after a small workbook was read, so that imports and caches are counted before)."""
    import os
    import resource
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")
    import django

    django.setup()
    from django.utils import translation

    from kpiplan.lib.spreadsheets import SpreadsheetError, read_upload

    data = Path(path).read_bytes()
    with translation.override("th"):
        read_upload(_workbook(), "warm-up.xlsx")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            read_upload(data, Path(path).name)
            message = None
        except SpreadsheetError as exc:
            message = str(exc)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"grew_kb": after - before, "message": message}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(peak_memory_of_reading(sys.argv[1]), ensure_ascii=False))
