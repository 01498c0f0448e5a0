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
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from . import xlsx
from .thai import NumberParseError, parse_decimal, to_ascii_digits
from .xlsx import Limits

logger = logging.getLogger(__name__)

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


def read_upload(data: bytes, filename: str = "", *, max_bytes: int = 10 * 1024 * 1024,
                limits: Limits | None = None) -> list[Sheet]:
    """Every sheet of an uploaded workbook (or the one sheet of a CSV), header first;
    `limits` bound what the file may unpack to (default: the settings, see kpiplan.lib.xlsx)."""
    if len(data) > max_bytes:
        raise SpreadsheetError(_("The file is %(size)s MB, more than the %(limit)s MB allowed.")
                               % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": f"{max_bytes / 1024 / 1024:.0f}"})
    if not data.strip():
        raise SpreadsheetError(_("The file is empty; it has no data."))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, filename, limits)
    if filename.lower().endswith((".xlsx", ".xls", ".xlsm")) or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("This file is not an Excel .xlsx file that can be read (an old .xls file: "
                                 "please save it as .xlsx)."))
    return [_read_csv(decode_text(data), filename, limits or Limits.from_settings())]


def _read_csv(text: str, filename: str, limits: Limits) -> Sheet:
    name = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "csv"
    rows, cells = [], 0
    try:
        for row in csv.reader(io.StringIO(text)):
            cells += len(row)
            if cells > limits.cells:
                raise SpreadsheetError(str(xlsx.too_many_cells(filename or "csv", name, cells, limits)))
            rows.append(row)
    except csv.Error as exc:  # a field longer than csv's limit, a NUL byte...
        raise SpreadsheetError(_("The CSV file «%(name)s» cannot be read (%(problem)s); nothing was imported.")
                               % {"name": filename, "problem": exc}) from exc
    return _sheet(name, [(i + 1, r) for i, r in enumerate(rows)])


def _read_xlsx(data: bytes, filename: str, limits: Limits | None) -> list[Sheet]:
    """Every sheet of a workbook, read within bounds: kpiplan.lib.xlsx checks the file
    first and learns each sheet's extent; openpyxl then streams (read-only) exactly that
    extent. Merged ranges and formulas without a calculated value come from the check."""
    import zipfile

    import openpyxl

    limits = limits or Limits.from_settings()
    try:
        extents = xlsx.check(data, filename, limits)
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except xlsx.XlsxRefused as exc:
        raise SpreadsheetError(str(exc)) from exc
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise SpreadsheetError(_unreadable(filename)) from exc
    try:
        sheets = []
        cells = 0
        for ws in book.worksheets:
            extent = extents.get(getattr(ws, "_worksheet_path", ""))
            if extent is None:  # a worksheet openpyxl found where the check did not look
                raise SpreadsheetError(_unreadable(filename))
            cells += extent.cells
            if cells > limits.cells:
                raise SpreadsheetError(str(xlsx.too_many_cells(filename or "xlsx", ws.title, extent.cells, limits)))
            sheets.append(_worksheet(ws, extent))
        return sheets
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on an upload is the file's problem, never a 500
        logger.warning("xlsx upload %s could not be read: %r", filename, exc)
        raise SpreadsheetError(_unreadable(filename)) from exc
    finally:
        book.close()


def _unreadable(filename: str) -> str:
    return (_("The Excel file «%(name)s» cannot be opened; it may be damaged or not an .xlsx file; nothing was imported.")
            % {"name": filename or "xlsx"})


def _worksheet(ws, extent: xlsx.SheetExtent) -> Sheet:
    if not extent.rows:
        grid = []
    else:
        grid = [list(row) for row in ws.iter_rows(min_row=1, min_col=1, max_row=extent.rows, max_col=extent.columns,
                                                   values_only=True)]
    # Thai plans in Excel merge the objective cell across its key results: every cell of
    # a merged range gets the range's value (the check keeps ranges within the extent).
    for min_row, min_col, max_row, max_col in extent.merged:
        if min_row - 1 >= len(grid):
            continue
        top_left = grid[min_row - 1][min_col - 1] if min_col - 1 < len(grid[min_row - 1]) else None
        for r in range(min_row, min(max_row, len(grid)) + 1):
            row = grid[r - 1]
            row.extend([None] * (max_col - len(row)))
            for c in range(min_col, max_col + 1):
                row[c - 1] = top_left
    errors = []
    for cell, formula in extent.uncalculated:
        errors.append(_("Sheet «%(sheet)s» cell %(cell)s: a formula (%(formula)s) with no calculated value "
                        "yet; please open the file in Excel and save it, or paste values instead of formulas.")
                      % {"sheet": ws.title, "cell": cell, "formula": formula})
    sheet = _sheet(ws.title, [(i + 1, r) for i, r in enumerate(grid)])
    sheet.errors = errors
    return sheet


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(name: str, numbered_rows: list[tuple[int, list]]) -> Sheet:
    numbered_rows = [(n, r) for n, r in numbered_rows if not all(_blank(v) for v in r)]
    if not numbered_rows:
        return Sheet(name, [])
    header_number, header = numbered_rows[0]
    header = [str(h).strip() if h is not None else "" for h in header]
    rows = [(n, [unquote_formula(v.strip()) if isinstance(v, str) else v for v in r]) for n, r in numbered_rows[1:]]
    return Sheet(name, header, rows)


# Cells going out -------------------------------------------------------------------
#
# Text that starts like a formula is run by Excel or LibreOffice as one (=cmd|' /C calc'!A0
# starts a program on the reader's computer, =HYPERLINK sends data away): every
# spreadsheet kpiplan writes keeps such text as text. Numbers are never touched, so a
# real negative number stays a number.

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A signed number written as text ("-1,250.50", Thai digits too) is no formula: left as is.
_SIGNED_NUMBER = re.compile(r"^[+-][0-9๐-๙][0-9๐-๙,]*(\.[0-9๐-๙]*)?$")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.match(value)


def _quoted_formula(text: str) -> bool:
    return looks_like_formula(text.lstrip("'"))


def inert_text(value):
    """A cell for a format that holds only text (CSV, and tablib datasets, which cannot
    mark a cell as text): an apostrophe before text that looks like a formula, as Excel
    itself writes it (and before text that already starts with apostrophes and then looks
    like one, so that unquote_formula gives back exactly the text)."""
    if isinstance(value, str) and _quoted_formula(value):
        return "'" + value
    return value


def unquote_formula(value):
    """The text of a cell written by inert_text (read_upload applies it to every cell, so
    an exported file imports back unchanged)."""
    if isinstance(value, str) and value.startswith("'") and _quoted_formula(value):
        return value[1:]
    return value


def inert_cell(cell):
    """An openpyxl cell whose text looks like a formula kept as text: stored as a string
    (openpyxl would write "=..." as a formula) with Excel's quote prefix, so it stays text
    when the reader edits the cell too. Returns the cell."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def put_cell(ws, row: int, column: int, value):
    """ws.cell(row, column, value), with text that looks like a formula kept as text."""
    return inert_cell(ws.cell(row=row, column=column, value=value))


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
