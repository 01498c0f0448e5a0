"""Reading what planners and staff upload: .xlsx workbooks and CSV files, as plain sheets
of rows, with every problem of the file itself reported in the user's language.

Plain Python apart from its messages, which go through Django's gettext (made when the
problem is found, so an import run in a request speaks the user's language; the Thai
catalogue says them as before). What it settles once for every import:
- the kind of file by its content, not its name: an .xlsx is a zip; anything else must
  decode as text (UTF-8 with or without BOM, else TIS-620 / Windows-874, the legacy Thai
  encodings), and a binary file that is neither is refused;
- a size limit;
- merged cells: the value of a merged range is copied into each of its cells, because
  Thai plans in Excel merge the objective cell across its key results;
- formulas: the value Excel last calculated is used; a formula cell that was never
  calculated (a file written by a program, not saved by Excel) is an error naming the cell;
- blank rows are skipped, and every row keeps its number as the user sees it in Excel.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .thai import NumberParseError, parse_decimal, to_ascii_digits

XLSX_MAGIC = b"PK\x03\x04"


class SpreadsheetError(ValueError):
    """A problem with the file as a whole; the message is translated and shown as is."""


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # (Excel row number, cells)
    errors: list[str] = field(default_factory=list)  # cell-level problems found while reading

    def records(self) -> list[tuple[int, dict[str, object]]]:
        """Rows as {header: value}, header cells stripped; columns without a header dropped."""
        out = []
        for number, cells in self.rows:
            out.append((number, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(self.header) if h}))
        return out


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def decode_text(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (BOM or not), else TIS-620/Windows-874."""
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(_("This file is not a spreadsheet (.xlsx and .csv files are accepted)."))
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("The characters of this CSV file cannot be read; please save it as UTF-8 or TIS-620."))


def read_upload(data: bytes, filename: str = "", *, max_bytes: int = 10 * 1024 * 1024) -> list[Sheet]:
    """Every sheet of an uploaded workbook (or the one sheet of a CSV), header first."""
    if len(data) > max_bytes:
        raise SpreadsheetError(_("The file is %(size)s MB, more than the %(limit)s MB allowed.")
                               % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": f"{max_bytes / 1024 / 1024:.0f}"})
    if not data.strip():
        raise SpreadsheetError(_("The file is empty; it has no data."))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm")) or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("This file is not an Excel .xlsx file that can be read (an old .xls file: "
                                 "please save it as .xlsx)."))
    text = decode_text(data)
    rows = list(csv.reader(io.StringIO(text)))
    return [_sheet(filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "csv", [(i + 1, r) for i, r in enumerate(rows)])]


def _sheet_xml_has(data: bytes, *needles: bytes) -> dict[bytes, bool]:
    """Whether any worksheet's XML contains each needle (cheap: no workbook is parsed)."""
    import zipfile

    found = dict.fromkeys(needles, False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name)
                for needle in needles:
                    found[needle] = found[needle] or needle in xml
    return found


def _read_xlsx(data: bytes) -> list[Sheet]:
    import zipfile

    import openpyxl

    try:
        has = _sheet_xml_has(data, b"<f>", b"<f ", b"<mergeCell")
        formulas_present = has[b"<f>"] or has[b"<f "]
        # Read-only mode is several times faster on big sheets but knows no merged cells.
        values_book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=not has[b"<mergeCell"])
        formula_book = openpyxl.load_workbook(io.BytesIO(data), data_only=False) if formulas_present else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SpreadsheetError(_("The Excel file cannot be opened; it may be damaged or not an .xlsx file.")) from exc
    sheets = []
    for ws in values_book.worksheets:
        grid = [list(row) for row in ws.iter_rows(values_only=True)]
        errors = []
        for merged in [] if values_book.read_only else list(ws.merged_cells.ranges):
            top_left = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else None
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    if r - 1 < len(grid):
                        row = grid[r - 1]
                        row.extend([None] * (c - len(row)))
                        row[c - 1] = top_left
        if formula_book is not None:
            formulas = formula_book[ws.title]
            for r, row in enumerate(grid, start=1):
                for c, value in enumerate(row, start=1):
                    if value is None:
                        raw = formulas.cell(row=r, column=c).value
                        if isinstance(raw, str) and raw.startswith("="):
                            errors.append(
                                _("Sheet «%(sheet)s» cell %(cell)s: a formula (%(formula)s) with no calculated value "
                                  "yet; please open the file in Excel and save it, or paste values instead of formulas.")
                                % {"sheet": ws.title, "cell": f"{column_letter(c - 1)}{r}", "formula": raw})
        sheet = _sheet(ws.title, [(i + 1, r) for i, r in enumerate(grid)])
        sheet.errors = errors
        sheets.append(sheet)
    values_book.close()
    return sheets


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(name: str, numbered_rows: list[tuple[int, list]]) -> Sheet:
    numbered_rows = [(n, r) for n, r in numbered_rows if not all(_blank(v) for v in r)]
    if not numbered_rows:
        return Sheet(name, [])
    header_number, header = numbered_rows[0]
    header = [str(h).strip() if h is not None else "" for h in header]
    rows = [(n, [v.strip() if isinstance(v, str) else v for v in r]) for n, r in numbered_rows[1:]]
    return Sheet(name, header, rows)


# Cell values -----------------------------------------------------------------------

def cell_decimal(value) -> Decimal | None:
    """A number from a cell: Thai digits, thousands separators; raises NumberParseError."""
    if isinstance(value, bool):
        raise NumberParseError(str(value))
    if isinstance(value, float):
        return Decimal(repr(value)).normalize() if value != int(value) else Decimal(int(value))
    return parse_decimal(value if not isinstance(value, str) else value.strip())


_DATE = re.compile(r"^\s*(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def cell_date(value) -> datetime.date | None:
    """A date from a cell: an Excel date, d/m/yyyy or yyyy-mm-dd, in B.E. or C.E. (a year
    after 2400 is B.E.); Thai digits accepted. Raises ValueError with a translated message."""
    if _blank(value):
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(year=value.year - 543) if value.year > 2400 else value
    text = to_ascii_digits(str(value))
    m = _DATE.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = _ISO.match(text)
        if not m:
            raise ValueError(_("«%(value)s» is not a date (use day/month/year, e.g. 24/11/2569).") % {"value": value})
        year, month, day = (int(g) for g in m.groups())
    if year > 2400:
        year -= 543
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ValueError(_("«%(value)s» is not a date that exists.") % {"value": value}) from exc
