"""django-import-export widgets that read cells the way Thai offices type them, and the
shape of an import preview shared by every import page.

A widget raises ValueError with a translated message (gettext, made when the cell is
read, so in the user's language); import-export turns it into a
validation error of that field, which the preview shows with the row and the column."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from import_export import widgets

from kpiplan.lib.spreadsheets import cell_date, cell_decimal
from kpiplan.lib.thai import NumberParseError, format_number


class ThaiDecimalWidget(widgets.DecimalWidget):
    """Numbers with Thai or Arabic digits and thousands separators ("๑,๒๕๐,๐๐๐")."""

    def clean(self, value, row=None, **kwargs):
        try:
            return cell_decimal(value)
        except NumberParseError as exc:
            raise ValueError(_("«%(value)s» is not a number (use Thai or Arabic digits; commas between thousands "
                               "are fine).") % {"value": value}) from exc

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else format_number(value)


class ThaiIntegerWidget(ThaiDecimalWidget):
    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueError(_("«%(value)s» must be a whole number.") % {"value": value})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class BEDateWidget(widgets.DateWidget):
    """Dates typed d/m/yyyy in B.E. or C.E., ISO dates, or Excel date cells."""

    def clean(self, value, row=None, **kwargs):
        return cell_date(value)


@dataclass
class RowOutcome:
    """One row of an import preview: what will happen to it, and every problem found."""

    number: int  # the row number the user sees in Excel
    action: str  # "new" | "update" | "skip" | "error"
    label: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    # What the row was checked against (a report's version, a fingerprint of a stored
    # record): if it differs between the preview and the confirmation, someone changed
    # the data in between and the import stops instead of overwriting their change.
    basis: str = ""
    # For an updated row: (column header, stored value, value in the file) per field it
    # changes, so the planner sees what the import will overwrite before confirming.
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class SheetOutcome:
    name: str
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems of the sheet as a whole
    warnings: list[str] = field(default_factory=list)  # worth saying, but no reason not to import

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(r.errors for r in self.rows)

    @property
    def is_empty(self) -> bool:
        """Nothing in it and nothing to say (a sheet left blank in the template)."""
        return not (self.rows or self.errors or self.warnings)


@dataclass
class ImportPreview:
    filename: str
    sheets: list[SheetOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems of the file as a whole

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(s.has_errors for s in self.sheets)

    def problems(self, limit: int = 20) -> tuple[list[dict], int]:
        """The first `limit` problems of the whole file, for the top of the page, and how
        many more there are: a planner fixing a file should not hunt through the sheets."""
        found = [{"sheet": "", "row": None, "column": "", "message": m} for m in self.errors]
        for sheet in self.sheets:
            found += [{"sheet": sheet.name, "row": None, "column": "", "message": m} for m in sheet.errors]
            found += [{"sheet": sheet.name, "row": r.number, "column": c, "message": m} for r in sheet.rows for c, m in r.errors]
        return found[:limit], max(len(found) - limit, 0)

    def signature(self) -> str:
        """A digest of what every row will do and what it was checked against; equal
        digests at preview and confirmation mean nobody changed the data in between."""
        import hashlib

        digest = hashlib.sha256()
        for sheet in self.sheets:
            for row in sheet.rows:
                digest.update(f"{sheet.name}\x1f{row.number}\x1f{row.action}\x1f{row.basis}\x1e".encode())
        return digest.hexdigest()

    def counted(self) -> ImportPreview:
        """Per-sheet counts and the summary of problems for the page (templates present,
        they do not count)."""
        for sheet in self.sheets:
            sheet.counts = {action: sheet.count(action) for action in ("new", "update", "skip", "error")}
        self.first_problems, self.more_problems = self.problems()
        return self
