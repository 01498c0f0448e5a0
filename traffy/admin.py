"""Traffy tickets and imports in the admin, read-only: tickets come in only through the
import page and the fetch command (preview, all or nothing, last activity wins), so the
admin never offers a second way to write them."""

from django.contrib import admin

from kpiplan.admin_base import ReadOnlyMixin, ScopedMixin

from .models import Batch, Ticket, TicketState


class ReadOnlyScopedMixin(ReadOnlyMixin, ScopedMixin):
    pass


class TicketStateInline(ReadOnlyScopedMixin, admin.TabularInline):
    model = TicketState
    fields = ["state", "at", "batch"]
    readonly_fields = fields
    extra = 0


@admin.register(Ticket)
class TicketAdmin(ReadOnlyScopedMixin, admin.ModelAdmin):
    list_display = ["ticket_id", "organization", "state", "district", "subdistrict", "reported_at", "last_activity_at"]
    list_filter = ["organization", "state"]
    search_fields = ["ticket_id", "description", "subdistrict"]
    list_select_related = ["organization"]
    inlines = [TicketStateInline]


@admin.register(Batch)
class BatchAdmin(ReadOnlyScopedMixin, admin.ModelAdmin):
    list_display = ["started_at", "organization", "kind", "source", "by", "read", "created", "updated", "unchanged",
                    "other_districts"]
    list_filter = ["organization", "kind"]
    list_select_related = ["organization", "by"]
