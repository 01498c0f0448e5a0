"""Long lists as django-tables2 tables: sorted by their column headers, 50 rows a page
(page links keep the filters: django-tables2 replaces only its own parameter in the query
string), and the filtered rows exported as .xlsx or .csv from the same URL
(`?_export=xlsx`), so an export has exactly the page's access check and filters.

Some filters are about figures computed in Python (an indicator's status, a report's
state, a project behind schedule), not columns of a table: a `RowFilterSet` filters its
queryset with the database filters as usual and keeps the rows of the computed ones with
`keep(rows)`. Wiring only: imports no app.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import django_filters
import tablib
from django.http import HttpResponse
from django_tables2 import RequestConfig

from kpiplan.lib.spreadsheets import inert_text

PER_PAGE = 50
EXPORT_PARAM = "_export"
EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class RowFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters named in `row_filters` test computed rows in Python:
    `row_filters = {"status": lambda row, value: row.status == value}`."""

    row_filters: dict = {}

    def keep(self, rows: Iterable) -> list:
        rows = list(rows)
        if not self.is_bound:
            return rows
        self.errors  # noqa: B018 - validates; a value that is not valid filters nothing (the form says why)
        for name, test in self.row_filters.items():
            value = self.form.cleaned_data.get(name)
            if value not in (None, "", [], ()):
                rows = [row for row in rows if test(row, value)]
        return rows

    @staticmethod
    def computed(queryset, name, value):
        """The `method` of a row filter: the database rows stay, `keep` does the filtering."""
        return queryset


def export_format(request) -> str | None:
    fmt = request.GET.get(EXPORT_PARAM)
    return fmt if fmt in EXPORT_TYPES else None


def paginate(request, table, per_page: int = PER_PAGE):
    """Sorting and the page from the query string; a page number out of range shows the
    last page rather than an error."""
    RequestConfig(request, paginate={"per_page": per_page, "silent": True}).configure(table)
    return table


def export(request, table, fmt: str, filename: str) -> HttpResponse:
    """Every row of the filtered table, not just a page, sorted as the page sorts them,
    with the column headers in the user's language. Text that a spreadsheet would run
    as a formula is written as text (kpiplan.lib.spreadsheets.inert_text)."""
    RequestConfig(request, paginate=False).configure(table)
    values = iter(table.as_values())
    dataset = tablib.Dataset(headers=[str(h) for h in next(values)])
    for row in values:
        dataset.append([inert_text(_plain(v)) for v in row])
    data = dataset.export(fmt)
    if fmt == "csv":
        data = "\ufeff" + data  # a BOM, so that Excel reads the Thai as UTF-8
    response = HttpResponse(data, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _plain(value):
    """Numbers stay numbers (a spreadsheet can add them up); anything else is its text."""
    if value is None:
        return ""
    if isinstance(value, (int, float, str, Decimal)):
        return value
    return str(value)


def export_links(request, **fixed) -> dict[str, str]:
    """The page's query string (filters, sorting) with the export format, without the
    page number, and with `fixed` parameters (the plan and period the page shows)."""
    links = {}
    for fmt in EXPORT_TYPES:
        query = request.GET.copy()
        query.pop("page", None)
        for name, value in fixed.items():
            query[name] = str(value)
        query[EXPORT_PARAM] = fmt
        links[fmt] = "?" + query.urlencode()
    return links
