from django.contrib import admin

from .models import ReportFile


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    """Read-only: requests are made on the pages and files are made by the worker."""

    list_display = ("kind", "organization", "requested_by", "status", "created_at", "expires_at")
    list_filter = ("status", "kind", "organization")
    list_select_related = ("organization", "requested_by")
    exclude = ("file",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
