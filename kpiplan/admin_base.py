"""What every kpiplan admin page shares: organization scoping, Thai number input,
thousands separators and a 'reason for change' kept in the history."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import ModelForm
from django.http import Http404, HttpResponseNotAllowed
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from accounts import policy
from accounts.policy import scope_to_user, sees_all_organizations
from accounts.roles import user_organization
from kpiplan.forms import ChangeReasonFormMixin, ThaiDecimalField
from kpiplan.lib.thai import format_number

DECIMAL_OVERRIDES = {models.DecimalField: {"form_class": ThaiDecimalField}}


class ReasonModelForm(ChangeReasonFormMixin, ModelForm):
    pass


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
        return policy.visible_rows(super().get_queryset(request), request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or policy.may_read_row(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or policy.may_read_row(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or policy.may_read_row(request.user, obj))

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


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history pages, read-only and scoped like the rest of the admin.

    Its history form saves the past version back on POST ("revert") whatever the
    workflow says (a report's state and version, a period lock), so it is a read-only
    page here: revert is disabled for every model, a POST is refused before anything is
    read, and both history pages show only rows the user may read (own organization,
    no other division's drafts; history ids are sequential and guessable)."""

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def _visible_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        # simple-history falls back to the history table for objects it cannot find,
        # which would show other organizations' records; only administrators read the
        # history of deleted rows.
        if obj is None and not sees_all_organizations(request.user):
            raise Http404
        if obj is not None and not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return policy.without_others_drafts(queryset, request.user)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        self._visible_object(request, object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        record = history.filter(**{self.model._meta.pk.attname: unquote(object_id), "history_id": version_id}).first()
        if record is None or not policy.may_read_row(request.user, record.instance):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class PlanDataAdmin(ScopedMixin, ExportMixin, HistoryAdmin):
    """Admin for plan data: scoped, versioned, exportable to Excel (import comes with its
    own all-or-nothing preview, see the import issue)."""

    form = ReasonModelForm
    list_per_page = 50
    # Imports go through the plan workbook page (preview, all or nothing, own organization only).
    import_export_change_list_template = "admin/plan_data_change_list.html"
    # The formats that page reads back; CSV with a BOM, so that Excel shows the Thai text.
    export_formats = [base_formats.CSV, base_formats.XLSX]
    to_encoding = "utf-8-sig"

    def changelist_view(self, request, extra_context=None):
        from django.urls import reverse

        extra_context = extra_context or {}
        if policy.allowed(request.user, "plans.import"):
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


class ReferenceAdmin(HistoryAdmin):
    """City-wide reference data: read by planners, changed by administrators."""

    formfield_overrides = DECIMAL_OVERRIDES

    def has_add_permission(self, request):
        return policy.allowed(request.user, "admin.change_reference") and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return policy.allowed(request.user, "admin.change_reference") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return policy.allowed(request.user, "admin.change_reference") and super().has_delete_permission(request, obj)


class ScopedInline(ScopedMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class ScopedStackedInline(ScopedMixin, admin.StackedInline):
    extra = 0
    show_change_link = True


def baht(value) -> str:
    """Budget column: thousands separators, '-' for none."""
    return format_number(value, places=None)
