from django.contrib import admin
from import_export.admin import ExportMixin

from kpiplan.admin_base import EXPORT_FORMATS, HistoryAdmin, ReadOnlyMixin, ScopedMixin

from .models import Evidence, PeriodLock, ProgressEntry, ReopenRequest
from .resources import ProgressEntryResource


class ReadOnlyScopedAdmin(ReadOnlyMixin, ScopedMixin, HistoryAdmin):
    """Progress changes only through progress.services (pages), never in the admin:
    planners read reports and their history here."""


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ExportMixin, ReadOnlyScopedAdmin):
    """Export only (the progress sheet's columns); imports go through the progress pages."""

    resource_classes = [ProgressEntryResource]
    history_measure_fields = ("measure_values", "verified_measure_values")
    history_object_related = ("indicator", "project", "period")
    export_formats = EXPORT_FORMATS
    list_display = ["__str__", "division", "period", "state", "value", "percent_complete", "verified_value", "version"]
    list_filter = ["state", "period__kind", "division"]
    list_select_related = ["indicator", "project", "division", "period"]
    search_fields = ["indicator__name", "project__name", "narrative"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyScopedAdmin):
    list_display = ["original_name", "entry", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["entry__indicator", "entry__project", "entry__period", "uploaded_by"]


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyScopedAdmin):
    list_display = ["organization", "period", "locked", "changed_by", "changed_at", "reason"]
    list_filter = ["locked"]


@admin.register(ReopenRequest)
class ReopenRequestAdmin(ReadOnlyScopedAdmin):
    list_display = ["period", "division", "requested_by", "created_at", "answered_by", "answered_at"]
    list_filter = ["answered_at"]
    list_select_related = ["period", "division", "requested_by", "answered_by"]
