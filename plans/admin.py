from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.translation import gettext_lazy as _

from kpiplan.admin_base import PlanDataAdmin, ReasonModelForm, ReferenceAdmin, ScopedInline
from kpiplan.forms import DepartmentCodeField
from plandoc.resources import (
    DiscrepancyResource,
    DivisionResource,
    PlanStatementResource,
    PrintedTotalResource,
    StrategyNodeResource,
    VariantResource,
    WorkGroupResource,
)

from .models import (
    Discrepancy,
    Division,
    FiscalYear,
    Organization,
    OrganizationAlias,
    Period,
    Plan,
    PlanStatement,
    PrintedTotal,
    StrategyNode,
    Variant,
    WorkGroup,
)


class OrganizationAliasInline(admin.TabularInline):
    model = OrganizationAlias
    extra = 0


class OrganizationForm(ReasonModelForm):
    code = DepartmentCodeField(label=_("department code"), max_length=20, required=False,
                               help_text=_("The city's 8-digit department code, e.g. 50400000 for Bang Khae."))


@admin.register(Organization)
class OrganizationAdmin(ReferenceAdmin):
    form = OrganizationForm
    list_display = ["short_name", "name", "kind", "code", "parent"]
    list_filter = ["kind"]
    search_fields = ["short_name", "name", "code", "aliases__alias"]
    autocomplete_fields = ["parent"]
    inlines = [OrganizationAliasInline]

    def changelist_view(self, request, extra_context=None):
        from django.urls import reverse

        extra_context = extra_context or {}
        if self.has_add_permission(request):  # the page itself asks accounts.policy again
            extra_context["new_organization_url"] = reverse("admin:auth_user_new_organization")
        return super().changelist_view(request, extra_context)


class WorkGroupInline(ScopedInline):
    model = WorkGroup


@admin.register(Division)
class DivisionAdmin(PlanDataAdmin):
    resource_classes = [DivisionResource]  # the workbook sheet's columns
    list_display = ["name", "short_name", "organization", "order"]
    list_filter = ["organization"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["organization"]
    inlines = [WorkGroupInline]


@admin.register(WorkGroup)
class WorkGroupAdmin(PlanDataAdmin):
    resource_classes = [WorkGroupResource]  # the workbook sheet's columns
    list_display = ["name", "division", "order"]
    list_filter = ["division__organization", "division"]
    search_fields = ["name", "division__name"]
    autocomplete_fields = ["division"]


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0
    can_delete = False


@admin.register(FiscalYear)
class FiscalYearAdmin(ReferenceAdmin):
    list_display = ["year", "start", "end"]
    search_fields = ["year"]
    inlines = [PeriodInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        FiscalYear.ensure(obj.year)


@admin.register(Period)
class PeriodAdmin(ReferenceAdmin):
    list_display = ["__str__", "fiscal_year", "kind", "number", "start", "end"]
    list_filter = ["fiscal_year", "kind"]


class NodeInline(ScopedInline):
    model = StrategyNode
    fields = ["level", "code", "title", "parent", "order"]
    autocomplete_fields = ["parent"]


class PrintedTotalInline(ScopedInline):
    model = PrintedTotal
    fields = ["section", "label", "amount", "count", "text"]
    # The row's text as printed is long: a narrower box keeps the table within a 1366 px screen.
    widths = {"label": "12em", "amount": "8em", "count": "4em", "text": "18em"}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.widths:
            field.widget.attrs["style"] = f"width: {self.widths[db_field.name]}"
            if db_field.name == "text":
                field.widget.attrs["rows"] = 3
        return field


@admin.register(Plan)
class PlanAdmin(PlanDataAdmin):
    list_display = ["title", "organization", "fiscal_year"]
    list_filter = ["fiscal_year", "organization__kind"]
    search_fields = ["title", "organization__name", "organization__short_name"]
    autocomplete_fields = ["organization"]
    # The framework and the statements are lists of links (change_view), not inlines:
    # a form per element and per statement made the page half a megabyte.
    inlines = [PrintedTotalInline]
    change_form_template = "admin/plans/plan/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from django.contrib.admin.utils import unquote
        from django.db.models.functions import Substr
        from django.urls import reverse
        from django.utils.text import Truncator

        from .framework import plan_tree

        obj = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if obj is not None and self.has_view_or_change_permission(request, obj):
            nodes = self.admin_site._registry[StrategyNode]
            statements = self.admin_site._registry[PlanStatement]
            tree, roots = plan_tree(obj, may_add=nodes.has_add_permission(request))
            extra_context["plan_tree"], extra_context["plan_tree_roots"] = tree, roots
            # the text's beginning only: whole texts in forms were most of the page's weight
            rows = (PlanStatement.objects.filter(plan=obj).only("pk", "kind", "title", "order")
                    .annotate(opening=Substr("text", 1, 90)).order_by("order", "pk"))
            extra_context["plan_statements"] = [
                {"kind": s.get_kind_display(), "title": s.title or Truncator(s.opening).chars(80),
                 "url": reverse("admin:plans_planstatement_change", args=[s.pk])}
                for s in rows
            ]
            if statements.has_add_permission(request):
                extra_context["plan_statement_add_url"] = reverse("admin:plans_planstatement_add") + f"?plan={obj.pk}"
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(PlanStatement)
class PlanStatementAdmin(PlanDataAdmin):
    resource_classes = [PlanStatementResource]  # the workbook sheet's columns
    list_display = ["kind", "title", "short_text", "plan", "order"]
    list_filter = ["kind", "plan"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["plan"]

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text[:80]


class ChildNodeInline(NodeInline):
    fk_name = "parent"
    verbose_name = _("nested element")
    verbose_name_plural = _("nested elements")


class VariantInline(GenericTabularInline):
    """How other tables of the document print this record; facts, so read-only here."""

    model = Variant
    extra = 0
    fields = ["field", "value", "source"]
    readonly_fields = ["field", "value", "source"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StrategyNode)
class StrategyNodeAdmin(PlanDataAdmin):
    resource_classes = [StrategyNodeResource]  # the workbook sheet's columns
    list_display = ["code", "title", "level", "parent", "plan"]
    list_filter = ["level", "plan"]
    search_fields = ["code", "title", "key"]
    autocomplete_fields = ["plan", "parent"]
    list_select_related = ["parent", "plan", "plan__organization"]
    inlines = [ChildNodeInline, VariantInline]


@admin.register(Variant)
class VariantAdmin(PlanDataAdmin):
    resource_classes = [VariantResource]  # the workbook sheet's columns
    list_display = ["target", "field", "value", "source", "plan"]
    list_filter = ["field", "source", "plan"]
    search_fields = ["value", "source"]
    autocomplete_fields = ["plan"]


@admin.register(PrintedTotal)
class PrintedTotalAdmin(PlanDataAdmin):
    resource_classes = [PrintedTotalResource]  # the workbook sheet's columns
    list_display = ["section", "label", "amount", "count", "plan"]
    list_filter = ["section", "plan"]
    search_fields = ["label", "text"]
    autocomplete_fields = ["plan"]


class PlacesField(forms.CharField):
    """The places of a disagreement as lines a planner types, «where | value as printed»,
    one line per place (the database keeps a list of {"where", "value"})."""

    widget = forms.Textarea(attrs={"rows": 5, "style": "width: 42em"})
    SEPARATOR = " | "

    def prepare_value(self, value):
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value)
            except ValueError:
                return value
        if isinstance(value, list):
            return "\n".join(f"{p.get('where', '')}{self.SEPARATOR}{p.get('value', '')}" for p in value)
        return value

    def to_python(self, value):
        places = []
        for number, line in enumerate((value or "").splitlines(), 1):
            if not line.strip():
                continue
            where, bar, printed = line.partition("|")
            if not bar or not where.strip():
                raise forms.ValidationError(
                    _("Line %(number)s: write where it is printed, then «|», then the value as printed there.")
                    % {"number": number})
            places.append({"where": where.strip(), "value": printed.strip()})
        return places


# What a disagreement may be about, as the seed files and the workbook name it (by key).
SUBJECT_MODELS = (("plans", "StrategyNode"), ("indicators", "Indicator"), ("projects", "Project"))


def subject_by_key(plan, key: str):
    """The framework element, indicator or project of `plan` with `key` (their key shapes
    never overlap), or None. Models by name: the apps above plans are not imported here."""
    from django.apps import apps

    for app_label, name in SUBJECT_MODELS:
        found = apps.get_model(app_label, name).objects.filter(plan=plan, key=key).first()
        if found is not None:
            return found
    return None


class DiscrepancyForm(ReasonModelForm):
    """The record it is about is named by its key (p1:2, okr:1.2.01, obj:6.3), as in the
    seed files and the workbook, not by a kind and a database id."""

    subject_key = forms.CharField(label=_("about (key)"), required=False, max_length=60,
                                  help_text=_("The key of the framework element, indicator or project, e.g. p1:2 or "
                                              "okr:1.2.01; empty when it is about no single record."))
    places = PlacesField(label=_("places and printed values"),
                         help_text=_("One line per place: where it is printed (section, table, row) | the value as "
                                     "printed there."))

    class Meta:
        model = Discrepancy
        fields = ["plan", "category", "severity", "what", "subject_key", "places", "notes", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.object_id and not self.is_bound:
            self.initial["subject_key"] = getattr(self.instance.subject, "key", "")

    def clean(self):
        from django.contrib.contenttypes.models import ContentType

        cleaned = super().clean()
        key, plan = (cleaned.get("subject_key") or "").strip(), cleaned.get("plan")
        subject = subject_by_key(plan, key) if key and plan else None
        if key and plan and subject is None:
            self.add_error("subject_key", _("No framework element, indicator or project of this plan has the key "
                                            "«%(key)s».") % {"key": key})
        self.instance.content_type = ContentType.objects.get_for_model(subject) if subject else None
        self.instance.object_id = subject.pk if subject else None
        return cleaned


@admin.register(Discrepancy)
class DiscrepancyAdmin(PlanDataAdmin):
    """The document's disagreements the plan check lists as recorded (the workbook sheet
    «ข้อที่เอกสารพิมพ์ไม่ตรงกัน» holds the same rows)."""

    form = DiscrepancyForm
    resource_classes = [DiscrepancyResource]  # the workbook sheet's columns
    list_display = ["order", "what", "category", "severity", "subject_label", "printed_places", "plan"]
    list_display_links = ["order", "what"]
    list_filter = ["category", "severity", "plan"]
    search_fields = ["what", "notes"]
    autocomplete_fields = ["plan"]
    list_select_related = ["plan", "plan__organization"]

    def get_queryset(self, request):
        # The subject is generic: one query per kind of record, not one per row.
        return super().get_queryset(request).prefetch_related("subject")

    @admin.display(description=_("about"))
    def subject_label(self, obj):
        return getattr(obj.subject, "key", "") or str(obj.subject or "")

    @admin.display(description=_("places and printed values"))
    def printed_places(self, obj):
        from django.utils.html import format_html_join

        return format_html_join("", "<div>{}: <strong>{}</strong></div>",
                                ((p.get("where", ""), p.get("value", "")) for p in obj.places or []))
