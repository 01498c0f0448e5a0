"""What every kpiplan admin page shares: the access policy (accounts.policy) for rows,
change pages and history, Thai number input, thousands separators, a required 'reason
for change' kept in the history, a refusal of concurrent saves (an edit token), and plan
data a locked period was judged against kept as it was (progress.locks)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Max
from django.forms import BaseInlineFormSet, ModelForm
from django.http import Http404, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from accounts import policy
from accounts.policy import scope_to_own_organization, sees_all_organizations
from accounts.roles import user_organization
from kpiplan.forms import ChangeReasonFormMixin, ThaiDecimalField
from kpiplan.lib.spreadsheets import inert_text, put_cell
from kpiplan.lib.thai import format_number

DECIMAL_OVERRIDES = {models.DecimalField: {"form_class": ThaiDecimalField}}


def _frozen_reason(obj):
    from progress.locks import frozen_reason  # progress sits above the plan data

    return frozen_reason(obj)


class LockCheckedModelForm(ModelForm):
    """Refuses a change to plan data a locked period was judged against, as it was
    stored and as it would be saved (moving a target out of a frozen plan is a change too)."""

    def _post_clean(self):
        stored = type(self.instance)._default_manager.filter(pk=self.instance.pk).first() if self.instance.pk else None
        super()._post_clean()
        if self.instance.pk and not self.has_changed():
            return
        for obj in (stored, self.instance):
            reason = _frozen_reason(obj)
            if reason:
                self.add_error(None, reason)
                return


class ReasonModelForm(ChangeReasonFormMixin, LockCheckedModelForm):
    """The reason for a change is required in the admin: it is what the history shows
    beside the name and the time. `edit_token`: see PlanDataAdmin.edit_token."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["change_reason"]
        field.required = True
        field.error_messages["required"] = _("Reason for this change: write why the data is changed (it is kept in "
                                             "the history).")


class LockCheckedInlineFormSet(BaseInlineFormSet):
    """Rows deleted from an inline are refused like changed ones when a locked period
    was judged against them (a deleted form is not validated by the formset)."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            reason = _frozen_reason(form.instance) if form.instance.pk else None
            if reason:
                raise forms.ValidationError(reason)


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
    return scope_to_own_organization(queryset, request.user)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A sidebar filter that lists only the user's own plans, divisions, ..."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        queryset = related._default_manager.all()
        if getattr(related, "ORG_PATH", None) is not None:
            queryset = scope_to_own_organization(queryset, request.user)
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


def _keep_reason(obj, form):
    reason = form.cleaned_data.get("change_reason") if hasattr(form, "cleaned_data") else ""
    if reason:
        obj._change_reason = reason


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's history pages, read-only and scoped like the rest of the admin.

    Its history form saves the past version back on POST ("revert") whatever the
    workflow says (a report's state and version, a period lock), so it is a read-only
    page here: revert is disabled for every model, a POST is refused before anything is
    read, and both history pages show only rows the user may read (own organization,
    no other division's drafts; history ids are sequential and guessable)."""

    object_history_template = "admin/kpiplan_object_history.html"
    # JSON fields holding a value per measure, listed "field — measure: old → new".
    history_measure_fields: tuple[str, ...] = ()
    # What the past versions' names (the list's "object" column) read: fetched once for
    # the page rather than once per version.
    history_object_related: tuple[str, ...] = ()

    def revert_disabled(self, request, obj=None):
        return True

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The "changes" column in words (kpiplan.lib.changes), as on the report pages:
        each field by its label, old → new as people write them; the first version lists
        what it was created with. One query per kind of foreign key that changed."""
        import datetime
        from types import SimpleNamespace

        from django.utils import timezone
        from django.utils.translation import get_language

        from kpiplan.lib.changes import field_specs, version_changes

        thai = (get_language() or "").startswith("th")
        specs = field_specs(self.model, measures=self.history_measure_fields)
        records = list(historical_records)  # newest first
        if self.history_object_related:
            from django.db.models import prefetch_related_objects

            for record in records:
                record.history_object = record.history_object  # one instance per version, kept
            prefetch_related_objects([r.history_object for r in records], *self.history_object_related)

        def stored(record, spec):
            value = getattr(record, spec.name + "_id" if spec.kind == "fk" else spec.name)
            aware = isinstance(value, datetime.datetime) and timezone.is_aware(value)
            return timezone.localtime(value) if aware else value

        values = [{spec.name: stored(r, spec) for spec in specs} for r in records]
        wanted: dict[str, set] = {}
        for row in values:
            for spec in specs:
                if spec.kind == "fk" and row[spec.name] is not None:
                    wanted.setdefault(spec.name, set()).add(row[spec.name])
        names = {}
        for name, pks in wanted.items():
            # only the keys that differ between versions (or the first version's) are shown
            if len(pks) == 1 and records and records[-1].history_type != "+":
                continue
            related = self.model._meta.get_field(name).related_model
            for pk, obj in related._default_manager.in_bulk(pks).items():
                names[(name, pk)] = str(obj)
        yes, no = _("yes"), _("no")
        for index, record in enumerate(records):
            older = values[index + 1] if index + 1 < len(records) else None
            if older is None and record.history_type != "+":
                record.history_delta_changes = []
                continue
            changes = version_changes(specs, older, values[index], thai=thai, yes=yes, no=no,
                                      fk_names=lambda name, pk: names.get((name, pk), str(pk)))
            record.history_delta_changes = [SimpleNamespace(field=c.label, old=c.old, new=c.new) for c in changes]

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
    export_formats = EXPORT_FORMATS
    to_encoding = "utf-8-sig"

    def changelist_view(self, request, extra_context=None):
        from django.urls import reverse

        extra_context = extra_context or {}
        if policy.allowed(request.user, "plans.import"):
            extra_context["plan_import_url"] = reverse("plan-import")
        return super().changelist_view(request, extra_context)

    # -- a concurrent save is refused, nothing overwritten ------------------------------
    #
    # The change form carries an edit token: the newest history id of the row and of the
    # rows its inlines edit. The POST re-reads it with the row locked (the admin's change
    # view runs in one transaction), so of two planners who opened the same page, the
    # second to save is refused with the first one's change kept.

    def edit_token(self, request, obj, *, lock=False) -> str:
        if lock:
            list(self.model._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True))
        parts = []
        history = getattr(self.model, "history", None)
        if history is not None:
            parts.append(history.filter(**{self.model._meta.pk.attname: obj.pk}).aggregate(m=Max("history_id"))["m"])
        for inline in self.get_inline_instances(request, obj):
            inline_history = getattr(inline.model, "history", None)
            fk = getattr(inline.get_formset(request, obj), "fk", None)  # None: a generic inline
            if inline_history is not None and fk is not None:
                parts.append(inline_history.filter(**{fk.attname: obj.pk}).aggregate(m=Max("history_id"))["m"])
        return ":".join(str(p or 0) for p in parts)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.pk is None:
            return form
        model_admin = self

        class EditTokenForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if "edit_token" in self.fields and not self.is_bound:
                    self.fields["edit_token"].initial = model_admin.edit_token(request, obj)

            def clean(self):
                cleaned = super().clean()
                sent = self.data.get(self.add_prefix("edit_token"), "")
                if sent != model_admin.edit_token(request, obj, lock=True):
                    raise forms.ValidationError(
                        _("Someone else saved this record after you opened it, so nothing was saved (it would "
                          "overwrite their change). Reload the page to see it and apply yours again."),
                        code="stale")
                return cleaned

        EditTokenForm.__name__ = form.__name__
        return EditTokenForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.fieldsets:
            return fieldsets
        named = {name for _title, options in fieldsets for name in options["fields"]}
        if "edit_token" in named:
            return fieldsets
        (title, options), *rest = fieldsets
        return [(title, {**options, "fields": [*options["fields"], "edit_token"]}), *rest]

    def has_delete_permission(self, request, obj=None):
        # Deleting plan data a locked period was judged against is refused like changing it.
        return super().has_delete_permission(request, obj) and not (obj is not None and _frozen_reason(obj))

    def save_model(self, request, obj, form, change):
        _keep_reason(obj, form)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Rows changed in an inline carry the form's reason into their history too."""
        reason = form.cleaned_data.get("change_reason") or None
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organization = user_organization(request.user)
        if organization and "organization" in [f.name for f in self.model._meta.fields]:
            initial.setdefault("organization", organization.pk)
        return initial


class ReferenceAdmin(HistoryAdmin):
    """City-wide reference data: read by planners, changed by administrators."""

    form = ReasonModelForm
    formfield_overrides = DECIMAL_OVERRIDES

    def save_model(self, request, obj, form, change):
        _keep_reason(obj, form)
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        return policy.allowed(request.user, "admin.change_reference") and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return policy.allowed(request.user, "admin.change_reference") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return policy.allowed(request.user, "admin.change_reference") and super().has_delete_permission(request, obj)


class ScopedInline(ScopedMixin, admin.TabularInline):
    form = LockCheckedModelForm
    formset = LockCheckedInlineFormSet
    extra = 0
    show_change_link = True


class ScopedStackedInline(ScopedMixin, admin.StackedInline):
    form = LockCheckedModelForm
    formset = LockCheckedInlineFormSet
    extra = 0
    show_change_link = True


def baht(value) -> str:
    """Budget column: thousands separators, '-' for none."""
    return format_number(value, places=None)


class ReadOnlyMixin:
    """An admin page that only reads: the data changes through its own service (the
    progress workflow, the Traffy import), never through a second path in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
