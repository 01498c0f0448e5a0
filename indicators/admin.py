from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kpiplan.admin_base import PlanDataAdmin, ScopedInline, ScopedStackedInline
from plandoc.resources import (
    BaselineResource,
    IndicatorResource,
    IndicatorTargetResource,
    RubricConditionResource,
    RubricLevelResource,
    RubricResource,
)
from plans.admin import VariantInline

from .models import Baseline, Indicator, IndicatorTarget, Rubric, RubricCondition, RubricLevel
from .year_targets import field_name, year_targets_form, years_offered

# Widths of the target rows' inputs: the table fits the page at 1366 px (a laptop's
# screen) with the sidebar open; Django sizes them for a desktop monitor.
TARGET_WIDTHS = {"fiscal_year": "5em", "label": "14em", "value": "8em", "unit": "8em", "order": "4em", "agency": "14em"}


class TargetInline(ScopedInline):
    model = IndicatorTarget
    fields = ["fiscal_year", "label", "value", "unit", "agency", "order"]
    autocomplete_fields = ["agency"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in TARGET_WIDTHS:
            widget = field.widget
            if hasattr(widget, "can_add_related"):  # the agency: a pick from the list, no side buttons
                widget.can_add_related = widget.can_change_related = False
                widget.can_delete_related = widget.can_view_related = False
                widget = widget.widget
            widget.attrs["style"] = f"width: {TARGET_WIDTHS[db_field.name]}"
        return field


class BaselineInline(ScopedInline):
    model = Baseline
    fields = ["year", "label", "value", "unit", "text"]


class RubricInline(ScopedStackedInline):
    model = Rubric
    fields = ["title", "note"]


@admin.register(Indicator)
class IndicatorAdmin(PlanDataAdmin):
    resource_classes = [IndicatorResource]  # the workbook sheet's columns
    list_display = ["code", "name_short", "kind", "unit", "lead_agency", "weight", "starred", "plan"]
    list_filter = ["kind", "starred", "direction", "plan"]
    search_fields = ["code", "name", "key", "definition"]
    autocomplete_fields = ["plan", "node", "parent", "lead_agency", "lead_division", "supporting_agencies"]
    list_select_related = ["lead_agency", "plan", "plan__organization"]
    inlines = [TargetInline, BaselineInline, RubricInline, VariantInline]
    fieldsets = [
        (None, {"fields": ["plan", "kind", "code", "name", "node", "parent", "starred", "change_reason"]}),
        (_("Target"), {"fields": ["unit", "direction", "measure_type", "target_text", "target_year_text", "weight"]}),
        (_("Agencies"), {"fields": ["lead_agency", "lead_division", "supporting_agencies"]}),
        (_("Definition"), {"fields": ["definition", "formula", "evidence", "projects_text"]}),
        (_("Other"), {"fields": ["component", "component_title", "summary_order", "part2_order", "order", "key", "notes"],
                      "classes": ["collapse"]}),
    ]

    def _years(self, request, obj):
        """The years offered, once per request (the form and its fieldsets both ask)."""
        cache = request.__dict__.setdefault("_kpiplan_target_years", {})
        key = obj.pk if obj is not None else None
        if key not in cache:
            from plans.models import FiscalYear

            latest = FiscalYear.objects.values_list("year", flat=True).first()  # newest first
            cache[key] = years_offered(obj if obj is not None else Indicator(), latest)
        return cache[key]

    def get_fieldsets(self, request, obj=None):
        """The per-year targets as one input per year, where the JSON field stood."""
        names = [field_name(y) for y in self._years(request, obj)]
        out = []
        for title, options in super().get_fieldsets(request, obj):
            fields = []
            for name in options["fields"]:
                fields.extend(names if name == "target_year_text" else [name])
            out.append((title, {**options, "fields": fields}))
        return out

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = year_targets_form(self.form, self._years(request, obj))
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description=_("name"), ordering="name")
    def name_short(self, obj):
        return Truncator(obj.name).chars(90)  # a list column; the page itself shows it whole


class ConditionInline(ScopedInline):
    model = RubricCondition
    fields = ["kind", "measure", "operator", "value", "unit", "text", "order"]


class LevelInline(ScopedInline):
    model = RubricLevel
    fields = ["level", "threshold_text", "threshold_percent", "description", "points"]


@admin.register(Rubric)
class RubricAdmin(PlanDataAdmin):
    resource_classes = [RubricResource]  # the workbook sheet's columns
    list_display = ["title", "indicator"]
    ordering = ["indicator__plan", "indicator__order", "pk"]  # a stable page order
    search_fields = ["title", "indicator__name", "indicator__code"]
    autocomplete_fields = ["indicator"]
    inlines = [LevelInline]


@admin.register(RubricLevel)
class RubricLevelAdmin(PlanDataAdmin):
    resource_classes = [RubricLevelResource]  # the workbook sheet's columns
    list_display = ["rubric", "level", "threshold_text", "points"]
    list_filter = ["level"]
    search_fields = ["rubric__title", "description"]
    autocomplete_fields = ["rubric"]
    inlines = [ConditionInline]


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(PlanDataAdmin):
    resource_classes = [IndicatorTargetResource]  # the workbook sheet's columns
    list_display = ["indicator", "label", "value", "unit", "agency"]
    search_fields = ["indicator__name", "indicator__code", "label"]
    autocomplete_fields = ["indicator", "agency"]


@admin.register(Baseline)
class BaselineAdmin(PlanDataAdmin):
    resource_classes = [BaselineResource]  # the workbook sheet's columns
    list_display = ["indicator", "year", "label", "value", "unit"]
    list_filter = ["year"]
    search_fields = ["indicator__name", "indicator__code", "text"]
    autocomplete_fields = ["indicator"]


@admin.register(RubricCondition)
class RubricConditionAdmin(PlanDataAdmin):
    resource_classes = [RubricConditionResource]  # the workbook sheet's columns
    list_display = ["level", "kind", "measure", "operator", "value", "text"]
    list_filter = ["kind"]
    search_fields = ["measure", "text"]
    autocomplete_fields = ["level"]
