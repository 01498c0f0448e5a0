"""What every kpiplan admin page shares: organization scoping, Thai number input,
thousands separators and a 'reason for change' kept in the history."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.forms import ModelForm
from django.http import Http404
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import scope_to_user, sees_all_organizations, user_organization
from kpiplan.forms import ChangeReasonFormMixin, ThaiDecimalField
from kpiplan.lib.spreadsheets import inert_text, put_cell
from kpiplan.lib.thai import format_number

DECIMAL_OVERRIDES = {models.DecimalField: {"form_class": ThaiDecimalField}}


class ReasonModelForm(ChangeReasonFormMixin, ModelForm):
    pass


# -- exports: text that looks like a formula stays text ----------------------------------

class InertCSV(base_formats.CSV):
    """CSV with an apostrophe before text that starts like a formula (=, +, -, @, tab,
    CR), as Excel writes it; numbers stay numbers. The workbook import reads it back."""

    def export_data(self, dataset, **kwargs):
        import tablib

        inert = tablib.Dataset(headers=[inert_text(h) for h in dataset.headers or []], title=dataset.title)
        for row in dataset:
            inert.append([inert_text(value) for value in row])
        return super().export_data(inert, **kwargs)


class InertXLSX(base_formats.XLSX):
    """The dataset as .xlsx written cell by cell with kpiplan.lib.spreadsheets.put_cell
    (tablib's writer would turn text starting with "=" into a live formula): bold header
    frozen at the top, the dataset's title as the sheet name."""

    def export_data(self, dataset, **kwargs):
        import io

        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Font

        book = Workbook()
        ws = book.active
        if dataset.title:
            ws.title = dataset.title[:31]
        bold = Font(bold=True)
        for c, header in enumerate(dataset.headers or [], start=1):
            put_cell(ws, 1, c, header).font = bold
        ws.freeze_panes = "A2"
        for r, row in enumerate(dataset, start=2):
            for c, value in enumerate(row, start=1):
                put_cell(ws, r, c, ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


# Every admin export offers these (and no other format, which would not be made inert).
EXPORT_FORMATS = [InertCSV, InertXLSX]


def scoped_related_queryset(db_field, queryset, request):
    """Limit a foreign-key or many-to-many choice to the user's organization.

    Foreign keys to Organization are scoped only where they mean 'whose data this is'
    (a field called `organization`); lead and supporting agencies are other units of
    the city and stay selectable.
    """
    related = db_field.related_model
    path = getattr(related, "ORG_PATH", None)
    if path is None:
        return queryset
    if path == "" and db_field.name != "organization":
        return queryset
    return scope_to_user(queryset, request.user)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter that lists only the user's own plans, divisions, ..."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        queryset = related._default_manager.all()
        if getattr(related, "ORG_PATH", None) is not None:
            queryset = scope_to_user(queryset, request.user)
        return [(obj.pk, str(obj)) for obj in queryset]


class ScopedMixin:
    """Rows and choices of the user's own organization only (administrators see all)."""

    formfield_overrides = DECIMAL_OVERRIDES

    def get_list_filter(self, request):
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:
                entry = (entry, ScopedRelatedFilter)
            filters.append(entry)
        return filters

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if getattr(self.model, "ORG_PATH", None) is None:
            return queryset
        return scope_to_user(queryset, request.user)

    def history_view(self, request, object_id, extra_context=None):
        # simple_history falls back to the history table for objects it cannot find,
        # which would show another organization's records; only visible rows have history.
        if self.get_object(request, object_id) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_related_queryset(db_field, field.queryset, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_related_queryset(db_field, field.queryset, request)
        return field


class PlanDataAdmin(ScopedMixin, ExportMixin, SimpleHistoryAdmin):
    """Admin for plan data: scoped, versioned, exportable to Excel (import comes with its
    own all-or-nothing preview, see the import issue)."""

    form = ReasonModelForm
    list_per_page = 50
    # Imports go through the plan workbook page (preview, all or nothing, own organization only).
    import_export_change_list_template = "admin/plan_data_change_list.html"
    # The formats that page reads back; CSV with a BOM, so that Excel shows the Thai text.
    export_formats = EXPORT_FORMATS
    to_encoding = "utf-8-sig"

    def changelist_view(self, request, extra_context=None):
        from django.urls import reverse

        from accounts.roles import PLANNER, has_role

        extra_context = extra_context or {}
        if has_role(request.user, PLANNER) and user_organization(request.user) is not None:
            extra_context["plan_import_url"] = reverse("plan-import")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason") if hasattr(form, "cleaned_data") else ""
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organization = user_organization(request.user)
        if organization and "organization" in [f.name for f in self.model._meta.fields]:
            initial.setdefault("organization", organization.pk)
        return initial


class ReferenceAdmin(SimpleHistoryAdmin):
    """City-wide reference data: read by planners, changed by administrators."""

    formfield_overrides = DECIMAL_OVERRIDES

    def has_add_permission(self, request):
        return sees_all_organizations(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return sees_all_organizations(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return sees_all_organizations(request.user) and super().has_delete_permission(request, obj)


class ScopedInline(ScopedMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class ScopedStackedInline(ScopedMixin, admin.StackedInline):
    extra = 0
    show_change_link = True


def baht(value) -> str:
    """Budget column: thousands separators, '-' for none."""
    return format_number(value, places=None)
