"""The progress sheet: its columns as a django-import-export resource (export in the
admin and the sheet staff and planners download), and reading an uploaded sheet into
rows for progress.services.entries_import, which checks and writes them.

Cells are read with the resource's widgets (Thai digits, thousands separators, messages
in the user's language); what a row may change is decided by the service, the single write path."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from kpiplan.import_widgets import ImportPreview, SheetOutcome, ThaiDecimalWidget
from kpiplan.lib.spreadsheets import SpreadsheetError, put_cell, read_upload

from . import sheet as cols
from .models import ProgressEntry, State
from .services import ImportRow, entries_import


class CumulativeWidget(widgets.Widget):
    """ใช่ / ไม่ใช่ (also yes/no, 1/0, ✓); empty leaves the report's setting as it is."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        text = cols.normalize(value)
        if text in cols.YES:
            return True
        if text in cols.NO:
            return False
        raise ValueError(_("«%(value)s» is not an accepted value (enter %(yes)s or %(no)s).")
                         % {"value": value, "yes": "ใช่", "no": "ไม่ใช่"})

    def render(self, value, obj=None, **kwargs):
        return "ใช่" if value else "ไม่ใช่"


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value == int(value):
            value = int(value)
        return str(value).replace("\r\n", "\n").strip()

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ProgressEntryResource(resources.ModelResource):
    """One row per report (or per item still to report), Thai headers. Item, division,
    period and state identify the row or are shown for reference; the import changes
    only the columns in progress.sheet.FIELD_COLUMNS."""

    kind = fields.Field(column_name=cols.KIND, readonly=True)
    code = fields.Field(column_name=cols.CODE, readonly=True)
    name = fields.Field(column_name=cols.NAME, readonly=True)
    division_name = fields.Field(column_name=cols.DIVISION, readonly=True)
    period_label = fields.Field(column_name=cols.PERIOD, readonly=True)
    measure = fields.Field(column_name=cols.MEASURE, readonly=True)
    value = fields.Field(attribute="value", column_name=cols.VALUE, widget=ThaiDecimalWidget())
    value_is_cumulative = fields.Field(attribute="value_is_cumulative", column_name=cols.CUMULATIVE, widget=CumulativeWidget())
    implausible_note = fields.Field(attribute="implausible_note", column_name=cols.EXPLANATION, widget=TextWidget())
    narrative = fields.Field(attribute="narrative", column_name=cols.NARRATIVE, widget=TextWidget())
    obstacles = fields.Field(attribute="obstacles", column_name=cols.OBSTACLES, widget=TextWidget())
    suggestions = fields.Field(attribute="suggestions", column_name=cols.SUGGESTIONS, widget=TextWidget())
    percent_complete = fields.Field(attribute="percent_complete", column_name=cols.PERCENT, widget=ThaiDecimalWidget())
    disbursed = fields.Field(attribute="disbursed", column_name=cols.DISBURSED, widget=ThaiDecimalWidget())
    state_label = fields.Field(column_name=cols.STATE, readonly=True)

    class Meta:
        model = ProgressEntry
        fields = ("kind", "code", "name", "division_name", "period_label", "measure", "value", "value_is_cumulative",
                  "implausible_note", "narrative", "obstacles", "suggestions", "percent_complete", "disbursed",
                  "state_label")
        export_order = fields

    def get_queryset(self):
        return ProgressEntry.objects.select_related("indicator", "project", "division", "period")

    def dehydrate_kind(self, entry):
        return cols.KIND_LABELS["indicator" if entry.indicator_id else "project"]

    def dehydrate_code(self, entry):
        return cols.item_code(entry.item)

    def dehydrate_name(self, entry):
        return str(entry.item)

    def dehydrate_division_name(self, entry):
        return entry.division.name

    def dehydrate_period_label(self, entry):
        return cols.period_label(entry.period)

    def dehydrate_measure(self, entry):
        return getattr(entry, "sheet_measure", "")

    def dehydrate_value(self, entry):
        measure = getattr(entry, "sheet_measure", "")
        return entry.measures.get(measure) if measure else entry.value

    def dehydrate_value_is_cumulative(self, entry):
        return CumulativeWidget().render(entry.value_is_cumulative) if entry.indicator_id else ""

    def dehydrate_state_label(self, entry):
        # A report not started yet has no row in the database; the sheet still lists it.
        return str(State(entry.state).label) if entry.pk else str(State.NOT_STARTED.label)


def sheet_entries(plan, rows) -> list[ProgressEntry]:
    """One entry per (reporting period, item, stored report or None) for the sheet: the
    stored report, or an unsaved blank one of that period (a quarter's sheet has a row
    per month for a monthly item). An indicator reported by measure has a row per
    measure (`sheet_measure`); its texts are on the first row only, as the import reads them."""
    import copy

    from indicators.models import measures_of

    rows = list(rows)
    measures = measures_of([item.obj for _p, item, _e in rows if item.kind == "indicator"])
    out = []
    for period, item, entry in rows:
        if entry is None:
            entry = ProgressEntry(plan=plan, period=period, division=item.obj.division, state=State.DRAFT,
                                  **{item.kind: item.obj})
            entry.value_is_cumulative = item.obj.cumulative if item.kind == "indicator" else True
        labels = [t.label for t in measures.get(item.obj.pk, [])] if item.kind == "indicator" else []
        for index, label in enumerate(labels):
            row = copy.copy(entry)
            row.sheet_measure = label
            if index:
                row.narrative = row.obstacles = row.suggestions = row.implausible_note = ""
            out.append(row)
        if not labels:
            out.append(entry)
    return out


def sheet_workbook(entries) -> bytes:
    """The progress sheet as .xlsx bytes (values only, no formulas), Thai headers."""
    import io

    import openpyxl
    from openpyxl.styles import Font, PatternFill

    dataset = ProgressEntryResource().export(entries)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "ผลการดำเนินงาน"
    ws.append(list(dataset.headers))
    for r, row in enumerate(dataset, start=2):
        for c, value in enumerate(row, start=1):
            put_cell(ws, r, c, "" if value is None else value)
    grey = PatternFill("solid", fgColor="EEEEEE")
    readonly = {cols.KIND, cols.CODE, cols.NAME, cols.DIVISION, cols.PERIOD, cols.MEASURE, cols.STATE}
    widths = {cols.NAME: 60, cols.NARRATIVE: 50, cols.OBSTACLES: 30, cols.SUGGESTIONS: 30, cols.EXPLANATION: 30}
    for index, header in enumerate(dataset.headers, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        ws.column_dimensions[letter].width = widths.get(header, 16)
        if header in readonly:
            for (c,) in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=index, max_col=index):
                c.fill = grey
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Reading an upload -----------------------------------------------------------------

def max_bytes() -> int:
    return getattr(settings, "PROGRESS_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


IDENTIFYING = (cols.KIND, cols.CODE, cols.PERIOD, cols.DIVISION, cols.MEASURE)


def read_rows(data: bytes, filename: str) -> tuple[ImportPreview, list[ImportRow]]:
    """The file's rows with their cells read; problems of the file and of its sheets go
    to the preview. Never raises for bad input."""
    preview = ImportPreview(filename=filename)
    try:
        sheets = read_upload(data, filename, max_bytes=max_bytes())
    except SpreadsheetError as exc:
        preview.errors.append(str(exc))
        return preview, []
    resource = ProgressEntryResource()
    by_column = {f.column_name: (name, f) for name, f in resource.fields.items() if name in cols.FIELD_COLUMNS}
    rows: list[ImportRow] = []
    for sheet in sheets:
        if not sheet.header:
            continue  # an empty sheet (Excel's Sheet2): nothing to import from it
        sheet.header = [cols.OLD_HEADERS.get(h, h) for h in sheet.header]
        outcome = SheetOutcome(sheet.name, errors=list(sheet.errors))
        missing = [c for c in (cols.CODE, cols.PERIOD) if c not in sheet.header]
        if missing:
            outcome.errors.append(
                _("Sheet «%(sheet)s»: no column %(columns)s; please use the form downloaded from the system "
                  "(its first row holds the column headers).")
                % {"sheet": sheet.name, "columns": ", ".join("«" + c + "»" for c in missing)})
            preview.sheets.append(outcome)
            continue
        present = [c for c in sheet.header if c in by_column]
        duplicated = {c for c in sheet.header if c and sheet.header.count(c) > 1}
        if duplicated:
            outcome.errors.append(_("Sheet «%(sheet)s»: column headers appear twice: %(columns)s")
                                  % {"sheet": sheet.name, "columns": ", ".join(sorted(duplicated))})
        preview.sheets.append(outcome)
        for number, record in sheet.records():
            row = ImportRow(sheet=sheet.name, number=number,
                            **{key: _text(record.get(column)) for key, column in
                               (("kind", cols.KIND), ("code", cols.CODE), ("period", cols.PERIOD), ("division", cols.DIVISION),
                                ("measure", cols.MEASURE))})
            for column in present:
                name, field = by_column[column]
                try:
                    value = field.widget.clean(record.get(column))
                except ValueError as exc:
                    row.errors.append((column, str(exc)))
                    continue
                if name == "value_is_cumulative" and value is None:
                    continue
                row.values[name] = value
            rows.append(row)
    if not preview.sheets:
        preview.errors.append(_("The file has no data (every sheet is empty)."))
    elif not rows and not preview.has_errors:
        preview.errors.append(_("The file has no data rows, only the column headers."))
    return preview, rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip()


def import_progress(*, user, plan, data: bytes, filename: str, dry_run: bool, expect: str | None = None) -> ImportPreview:
    """Read the file, check every row, and (unless dry_run or anything is wrong) write
    all of it in one transaction. Raises PermissionRefused if the user may not import."""
    preview, rows = read_rows(data, filename)
    if preview.errors:
        return preview
    return entries_import(user=user, plan=plan, preview=preview, rows=rows, dry_run=dry_run, expect=expect)
