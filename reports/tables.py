"""The list of one's own reports as a django-tables2 table."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kpiplan.lib.thai import format_be_date, to_thai_digits
from progress.tables import ListTable


class ReportFileTable(ListTable):
    report = tables.Column(_("Report"), accessor="label", order_by=("report_file__kind", "report_file__created_at"))
    plan = tables.Column(_("Plan"), empty_values=(),
                         order_by=("report_file__plan__fiscal_year_id", "report_file__plan__organization__short_name"))
    period = tables.Column(_("Period"), accessor="period", default="",
                           order_by=("period__fiscal_year_id", "period__kind", "period__number"))
    requested = tables.Column(_("Requested"), accessor="report_file__created_at")
    state = tables.Column(_("State"), accessor="state_label", order_by=("state",))
    download = tables.Column("", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta(ListTable.Meta):
        attrs = {"class": "grid list", "id": "my-reports"}
        order_by = ("-requested",)

    def render_report(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("reports:file", args=[record["report_file"].pk]), value)

    def value_report(self, value):
        return str(value)

    def _plan(self, record) -> str:
        rf = record["report_file"]
        text = f"{rf.plan.organization.short_name} {rf.plan.fiscal_year_id}"
        return f"{text} · {record['division'].name}" if record["division"] else text

    def render_plan(self, record):
        return to_thai_digits(self._plan(record))

    def value_plan(self, record):
        return self._plan(record)

    def render_requested(self, value):
        from django.utils import timezone

        local = timezone.localtime(value)
        return to_thai_digits(f"{format_be_date(local.date(), thai_digits=False)} {local:%H:%M}")

    def value_requested(self, value):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def value_state(self, value):
        return str(value)

    def render_download(self, record):
        rf = record["report_file"]
        if rf.status == "ready" and not record["expired"]:
            return format_html('<a href="{}">{}</a>', reverse("reports:file-download", args=[rf.pk]), _("Download"))
        return ""
