"""An uploaded .xlsx checked before any of it is parsed, so that no file can make the
server use more than a bounded amount of memory or time.

An .xlsx is a zip of XML parts. A small zip can unpack to gigabytes (a zip bomb: a 1 MB
upload made a worker grow by 2 GB), and XML can declare entities that expand a few
bytes into gigabytes (billion laughs) or read the server's files (XXE). So, in order:
1. the zip's own directory: how many parts, how big each one unpacks, how much it is
   compressed, and their total, against `Limits`, before anything is unpacked;
2. every part unpacked once as a stream in small pieces, counting the bytes actually
   produced (a directory that lies about sizes gets no further than it declared), and
   every XML part run through expat with defusedxml's guards: document types, entities
   and external references forbidden (a spreadsheet never needs them);
3. while streaming the worksheets, each sheet's extent: the rows and columns that hold
   values or formulas, its merged ranges, and formulas that have no calculated value.
   The reader asks openpyxl (read-only, streaming) for exactly that extent, so a cell
   styled at XFD1048576 cannot make it fill billions of empty cells.

Plain Python apart from the messages (Django's gettext, as in spreadsheets.py)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from django.utils.translation import gettext as _

MB = 1024 * 1024
CHUNK = 256 * 1024
# A part this small cannot hurt, whatever its compression ratio (an empty sheet's XML
# compresses about 30 times; a sheet of repeated values can go further).
RATIO_APPLIES_FROM = MB
XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
END_OF_DIRECTORY = b"PK\x05\x06"


class XlsxRefused(ValueError):
    """The file breaks a limit or carries XML a spreadsheet never has; the message is
    translated, names the file and the problem."""


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int = 100 * MB  # all parts together, unpacked
    part_bytes: int = 50 * MB  # one part, unpacked
    ratio: int = 100  # unpacked size / packed size of one part
    parts: int = 1000
    cells: int = 1_000_000  # rows x columns of every sheet's extent, together

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            unpacked_bytes=getattr(settings, "SPREADSHEET_MAX_UNPACKED_BYTES", cls.unpacked_bytes),
            part_bytes=getattr(settings, "SPREADSHEET_MAX_PART_BYTES", cls.part_bytes),
            ratio=getattr(settings, "SPREADSHEET_MAX_RATIO", cls.ratio),
            parts=getattr(settings, "SPREADSHEET_MAX_PARTS", cls.parts),
            cells=getattr(settings, "SPREADSHEET_MAX_CELLS", cls.cells),
        )


@dataclass
class SheetExtent:
    """What a worksheet part holds, learnt while streaming it."""

    rows: int = 0  # the last row with a value or a formula (or covered by a merged range)
    columns: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_row, min_col, max_row, max_col)
    merged_cells: int = 0
    uncalculated: list[tuple[str, str]] = field(default_factory=list)  # (cell, formula) with no calculated value
    has_values: bool = False

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def _n(value, places: int | None = None) -> str:
    """A number in a message: Thai digits when the message is Thai (gettext's language)."""
    from decimal import Decimal

    from django.utils.translation import get_language

    from .thai import format_number_in

    return format_number_in(Decimal(value), get_language(), places)


def _mb(size: int) -> str:
    return _n(size / MB, 1)


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def column_index(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def cell_position(ref: str) -> tuple[int, int] | None:
    """"B12" -> (12, 2); None for anything else."""
    m = _REF.match(ref or "")
    return (int(m.group(2)), column_index(m.group(1))) if m else None


_DIGITS = "0123456789"
_LOCAL: dict[str, str] = {}  # element name (c, x:c) -> local name
_COLUMNS: dict[str, int] = {}  # column letters -> number


def _local(name: str) -> str:
    if len(_LOCAL) < 10_000:
        _LOCAL[name] = name[name.rfind(":") + 1:]
    return name[name.rfind(":") + 1:]


def _column(ref: str) -> int:
    """The column of a cell reference whose letters are not cached yet (0 if it is no
    reference: such a cell is placed after the one before it)."""
    position = cell_position(ref)
    if position is None:
        return 0
    if len(_COLUMNS) < 20_000:
        _COLUMNS[ref.rstrip(_DIGITS).lstrip("$").upper()] = position[1]
    return position[1]


class _SheetReader:
    """Learns a worksheet's extent from the expat events of its XML (any part is run through
    it; only the worksheets' findings are used). Element names may carry a prefix (x:c)."""

    def __init__(self, extent: SheetExtent, limits: Limits):
        self.extent = extent
        self.limits = limits
        self.row = 0
        self.col = 0
        self.in_cell = False
        self.in_value = False
        self.cell_has_value = False
        self.formula: list[str] | None = None  # text of the <f> being read
        self.cell_formula: str | None = None
        self.shared: dict[str, str] = {}  # shared formula index -> its text
        self.formula_si: str | None = None

    def start(self, name, attrs):
        local = _LOCAL.get(name) or _local(name)
        if local == "c":
            # The row is the enclosing <row>'s; the column, from the reference's letters.
            ref = attrs.get("r")
            column = _COLUMNS.get(ref.rstrip(_DIGITS)) if ref else None
            self.col = column or (_column(ref) if ref else 0) or self.col + 1
            self.in_cell, self.cell_has_value, self.cell_formula = True, False, None
        elif local == "row":
            number = attrs.get("r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            self.col = 0
        elif self.in_cell and local == "v":
            self.in_value = True  # a value only if it has text: <v/> is what a formula never calculated has
        elif self.in_cell and local == "is":
            self.cell_has_value = True
        elif self.in_cell and local == "f":
            self.formula = []
            self.formula_si = attrs.get("si") if attrs.get("t") == "shared" else None
        elif local == "mergeCell":
            self.merge(attrs.get("ref", ""))

    def text(self, content):
        if self.formula is not None:
            self.formula.append(content)
        elif self.in_value and content.strip():
            self.cell_has_value = True

    def end(self, name):
        local = _LOCAL.get(name) or _local(name)
        if local == "v":
            self.in_value = False
        elif local == "f" and self.formula is not None:
            text = "".join(self.formula)
            if self.formula_si is not None:
                text = self.shared.setdefault(self.formula_si, text) if text else self.shared.get(self.formula_si, "")
            self.cell_formula = "=" + text
            self.formula = None
        elif local == "c" and self.in_cell:
            self.in_cell = False
            if self.cell_has_value or self.cell_formula is not None:
                extent = self.extent
                if self.row > extent.rows:
                    extent.rows = self.row
                if self.col > extent.columns:
                    extent.columns = self.col
                extent.has_values = True
            if self.cell_formula is not None and not self.cell_has_value and len(self.extent.uncalculated) < 100:
                from .spreadsheets import column_letter

                self.extent.uncalculated.append((f"{column_letter(self.col - 1)}{self.row}", self.cell_formula))

    def merge(self, ref: str):
        first, _sep, last = ref.partition(":")
        a, b = cell_position(first), cell_position(last or first)
        if a is None or b is None:
            return
        box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        area = (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
        self.extent.merged_cells += area
        if self.extent.merged_cells > self.limits.cells:
            raise _TooManyCells
        self.extent.merged.append(box)
        self.extent.rows, self.extent.columns = max(self.extent.rows, box[2]), max(self.extent.columns, box[3])


class _TooManyCells(Exception):
    pass


def _directory_entries(data: bytes) -> int | None:
    """The number of parts the zip's end record declares, read before zipfile builds an
    object per part; None when the zip has no (classic) end record."""
    at = data.rfind(END_OF_DIRECTORY, max(0, len(data) - 65557))
    if at < 0 or at + 22 > len(data):
        return None
    return struct.unpack("<H", data[at + 10:at + 12])[0]


def check(data: bytes, filename: str, limits: Limits | None = None) -> dict[str, SheetExtent]:
    """Check an .xlsx upload against `limits` (see the module's docstring) and return the
    extent of every XML part, by part name. Raises XlsxRefused, or zipfile.BadZipFile for
    a file that is not a readable zip."""
    limits = limits or Limits.from_settings()
    name = filename or "xlsx"
    entries = _directory_entries(data)
    if entries is not None and (entries > limits.parts or entries == 0xFFFF):  # 0xFFFF: a ZIP64 count, millions
        raise XlsxRefused(_("The file «%(name)s» has %(count)s parts, more than the %(limit)s an .xlsx file may have; "
                            "nothing was imported.") % {"name": name, "count": _n(entries), "limit": _n(limits.parts)})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > limits.parts:
            raise XlsxRefused(_("The file «%(name)s» has %(count)s parts, more than the %(limit)s an .xlsx file may have; "
                                "nothing was imported.") % {"name": name, "count": _n(len(infos)), "limit": _n(limits.parts)})
        total = 0
        for info in infos:
            _check_declared(info, name, limits)
            total += info.file_size
        if total > limits.unpacked_bytes:
            raise _unpacks_to(name, total, limits)
        extents: dict[str, SheetExtent] = {}
        produced = 0
        for info in infos:
            if info.is_dir():
                continue
            produced, extents[info.filename] = _stream(archive, info, name, limits, produced)
    return extents


def _check_declared(info: zipfile.ZipInfo, name: str, limits: Limits) -> None:
    if info.file_size > limits.part_bytes:
        raise XlsxRefused(_("The file «%(name)s»: its part %(part)s unpacks to %(size)s MB, more than the %(limit)s MB "
                            "allowed for one part; nothing was imported.")
                          % {"name": name, "part": info.filename, "size": _mb(info.file_size), "limit": _mb(limits.part_bytes)})
    if info.file_size >= RATIO_APPLIES_FROM and info.file_size > limits.ratio * max(info.compress_size, 1):
        raise XlsxRefused(_("The file «%(name)s»: its part %(part)s is compressed %(ratio)s times, more than the %(limit)s "
                            "times a spreadsheet can be (a zip bomb); nothing was imported.")
                          % {"name": name, "part": info.filename, "ratio": _n(info.file_size // max(info.compress_size, 1)),
                             "limit": _n(limits.ratio)})


def _unpacks_to(name: str, size: int, limits: Limits) -> XlsxRefused:
    return XlsxRefused(_("The file «%(name)s» unpacks to %(size)s MB, more than the %(limit)s MB allowed (an .xlsx file "
                         "is compressed); nothing was imported.")
                       % {"name": name, "size": _mb(size), "limit": _mb(limits.unpacked_bytes)})


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, produced: int):
    """Unpack one part piece by piece, counting what comes out; XML parts go through the
    defused parser on the way. Returns the bytes produced so far and the part's extent."""
    extent = SheetExtent()
    parser = None
    count = 0
    forged = XlsxRefused(_("The file «%(name)s»: its part %(part)s does not unpack to what the file's directory "
                           "declares (a damaged or forged file); nothing was imported.") % {"name": name, "part": info.filename})
    with archive.open(info) as stream:
        while True:
            try:
                piece = stream.read(CHUNK)
            except zipfile.BadZipFile as exc:  # zipfile stops at the declared size, then the checksum fails
                raise forged from exc
            if not piece:
                break
            count += len(piece)
            produced += len(piece)
            if count > info.file_size or count > limits.part_bytes:
                raise forged
            if produced > limits.unpacked_bytes:
                raise _unpacks_to(name, produced, limits)
            if parser is None and count == len(piece):
                if not piece.lstrip(b" \t\r\n").startswith(XML_STARTS):
                    parser = False  # an image or other binary part: counted only
                else:
                    parser = _defused_expat(_SheetReader(extent, limits))
            if parser:
                _feed(parser, piece, name, info.filename, limits)
        if parser:
            _feed(parser, None, name, info.filename, limits)
    if count != info.file_size:
        raise forged
    return produced, extent


def _defused_expat(reader: _SheetReader):
    """An expat parser with defusedxml's handlers that refuse document types, entity
    declarations and external references, and the reader's own element handlers (set on
    expat directly: SAX's per-element wrappers would double the time on a big sheet)."""
    guard = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    guard.reset()  # makes the expat parser and sets defusedxml's handlers on it
    parser = guard._parser
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = reader.start, reader.end, reader.text
    return parser


def _feed(parser, piece: bytes | None, name: str, part: str, limits: Limits) -> None:
    try:
        parser.Parse(piece or b"", piece is None)
    except DefusedXmlException as exc:
        raise XlsxRefused(_("The file «%(name)s»: its part %(part)s declares a document type or entities "
                            "(<!DOCTYPE>, <!ENTITY>), which spreadsheets never need and which are used to attack servers; "
                            "nothing was imported.") % {"name": name, "part": part}) from exc
    except _TooManyCells as exc:
        raise too_many_cells(name, part, limits.cells + 1, limits) from exc
    except ExpatError as exc:
        raise zipfile.BadZipFile(f"{part}: {exc}") from exc


def too_many_cells(name: str, sheet: str, cells: int, limits: Limits) -> XlsxRefused:
    return XlsxRefused(_("The file «%(name)s»: sheet «%(sheet)s» spans %(cells)s cells (rows × columns), more than the "
                         "%(limit)s cells allowed in one file; nothing was imported.")
                       % {"name": name, "sheet": sheet, "cells": _n(cells), "limit": _n(limits.cells)})
