from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kpiplan.admin_base import PlanDataAdmin, ReferenceAdmin, ScopedInline, baht
from kpiplan.lib.thai import format_number
from plandoc.resources import KeyResultLinkResource, ProjectIndicatorResource, ProjectResource, WorkStepResource
from plans.admin import VariantInline

from .calculations import weights_problem
from .models import KeyResultLink, Policy, Project, ProjectIndicator, WorkStep


@admin.register(Policy)
class PolicyAdmin(ReferenceAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class SubItemInline(ScopedInline):
    model = Project
    fk_name = "parent"
    fields = ["number", "sequence", "name", "budget", "budget_text", "division"]
    verbose_name = _("sub-item")
    verbose_name_plural = _("sub-items")


class WorkStepFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [
            form.cleaned_data.get("weight")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problem = weights_problem(weights)
        if problem == "missing":
            raise ValidationError(_("Work steps: every step needs a weight (%)."))
        if problem:
            total = sum(w for w in weights if w is not None)
            raise ValidationError(
                _("Work steps: the weights add up to %(total)s%%; they must add up to 100%%.") % {"total": format_number(total)}
            )


class WorkStepInline(ScopedInline):
    model = WorkStep
    formset = WorkStepFormSet
    fields = ["number", "name", "weight", "cumulative_percent", "months"]


class ProjectIndicatorInline(ScopedInline):
    model = ProjectIndicator
    fields = ["indicator", "printed"]
    autocomplete_fields = ["indicator"]


@admin.register(Project)
class ProjectAdmin(PlanDataAdmin):
    resource_classes = [ProjectResource]  # the workbook sheet's columns
    list_display = ["section", "sequence", "number", "name_short", "budget_display", "division", "strategy_code", "plan"]
    list_filter = ["section", "division", "plan"]
    search_fields = ["name", "number", "sequence", "strategy_code", "policies__code", "key"]
    autocomplete_fields = ["plan", "parent", "division", "work_group", "policies", "node", "same_as"]
    list_select_related = ["division", "plan", "plan__organization"]
    inlines = [SubItemInline, ProjectIndicatorInline, WorkStepInline, VariantInline]

    @admin.display(description=_("name"), ordering="name")
    def name_short(self, obj):
        return Truncator(obj.name).chars(90)  # a list column; the page itself shows it whole

    @admin.display(description=_("budget (baht)"), ordering="budget")
    def budget_display(self, obj):
        return baht(obj.budget) if obj.budget is not None else (obj.budget_text or "-")


@admin.register(KeyResultLink)
class KeyResultLinkAdmin(PlanDataAdmin):
    resource_classes = [KeyResultLinkResource]  # the workbook sheet's columns
    list_display = ["kr_text_short", "target_text", "project_text_short", "budget_display", "project_kpi_target", "plan"]
    list_filter = ["plan"]
    search_fields = ["kr_text", "project_text"]
    autocomplete_fields = ["plan", "objective", "indicator", "project"]
    list_select_related = ["plan", "plan__organization"]

    @admin.display(description=_("key result"))
    def kr_text_short(self, obj):
        return obj.kr_text[:70]

    @admin.display(description=_("project"))
    def project_text_short(self, obj):
        return obj.project_text[:70]

    @admin.display(description=_("budget (baht)"), ordering="budget")
    def budget_display(self, obj):
        return baht(obj.budget) if obj.budget is not None else (obj.budget_text or "-")


@admin.register(WorkStep)
class WorkStepAdmin(PlanDataAdmin):
    resource_classes = [WorkStepResource]  # the workbook sheet's columns
    list_display = ["project", "number", "name", "weight", "cumulative_percent"]
    search_fields = ["name", "project__name"]
    autocomplete_fields = ["project"]


@admin.register(ProjectIndicator)
class ProjectIndicatorAdmin(PlanDataAdmin):
    resource_classes = [ProjectIndicatorResource]  # the workbook sheet's columns
    list_display = ["project", "indicator", "printed"]
    search_fields = ["project__name", "indicator__name", "printed"]
    autocomplete_fields = ["project", "indicator"]
