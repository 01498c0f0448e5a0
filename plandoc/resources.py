"""django-import-export resources of plan data, made from the whole-plan workbook's
sheets (plandoc.workbook): the admin's export of indicators, projects, ... has the sheet's
Thai columns in the sheet's order and the sheet's cell values (keys, not database ids),
so the file goes back unchanged through the workbook import page.

The rows are the admin's queryset (the user's organization only, with the change
list's filters and search), loaded and ordered the way the sheet is; a queryset of
several plans is grouped by plan. Imports do not go through these resources: they go
through the workbook page (preview, all or nothing)."""

from __future__ import annotations

import tablib
from import_export import fields, resources

from . import workbook


class SheetResource(resources.ModelResource):
    """A ModelResource whose rows are a workbook sheet's (see sheet_resource)."""

    spec: workbook.SheetSpec
    columns: dict[str, workbook.Col] = {}

    def filter_export(self, queryset, **kwargs):
        return self.spec.prepare_export(queryset, by_plan=True)

    def cells(self, row: dict, export_fields) -> list:
        # Text that looks like a formula is kept text by the admin's export formats
        # (kpiplan.admin_base.EXPORT_FORMATS); the workbook import reads it back unchanged.
        return [workbook._safe(workbook.render(col, row.get(col.attr)))
                for col in (self.columns[self.get_field_name(field)] for field in export_fields)]

    def export_resource(self, instance, selected_fields=None, **kwargs):
        row = self.spec.export_row(instance, self.spec.export_context(self._meta.model.objects.filter(pk=instance.pk)))
        return self.cells(row or {}, self.get_export_fields(selected_fields))

    def export(self, queryset=None, **kwargs):
        """The sheet as a tablib Dataset titled with the sheet's name (the name the
        workbook import recognises); its context (positions, keys) read once."""
        self.before_export(queryset, **kwargs)
        if queryset is None:
            queryset = self.get_queryset()
        queryset = self.filter_export(queryset, **kwargs)
        export_fields = self.get_export_fields(kwargs.get("export_fields"))
        dataset = tablib.Dataset(headers=[str(f.column_name) for f in export_fields])
        dataset.title = self.spec.name
        context = self.spec.export_context(queryset)
        for obj in self.iter_queryset(queryset):
            row = self.spec.export_row(obj, context)
            if row is not None:
                dataset.append(self.cells(row, export_fields))
        self.after_export(queryset, dataset, **kwargs)
        return dataset


def sheet_resource(spec_class: type[workbook.SheetSpec], name: str | None = None) -> type[SheetResource]:
    """A ModelResource with one export field per column of the sheet, named by the
    column's attr, headed by its Thai header, in the sheet's order."""
    spec = next((s for s in workbook.SHEETS if type(s) is spec_class), None) or spec_class()
    names = tuple(c.attr for c in spec.columns)
    attrs = {c.attr: fields.Field(column_name=c.header, readonly=True) for c in spec.columns}
    meta = type("Meta", (), {"model": spec.model, "fields": names, "export_order": names, "name": spec.name})
    attrs.update(Meta=meta, spec=spec, columns={c.attr: c for c in spec.columns}, __module__=__name__,
                 __doc__=f"The workbook sheet «{spec.name}» as an export resource.")
    return type(name or f"{spec.model.__name__}Resource", (SheetResource,), attrs)


DivisionResource = sheet_resource(workbook.DivisionSheet)
WorkGroupResource = sheet_resource(workbook.WorkGroupSheet)
PlanStatementResource = sheet_resource(workbook.StatementSheet)
StrategyNodeResource = sheet_resource(workbook.NodeSheet)
PrintedTotalResource = sheet_resource(workbook.TotalSheet)
VariantResource = sheet_resource(workbook.VariantSheet)
DiscrepancyResource = sheet_resource(workbook.DisagreementSheet)
IndicatorResource = sheet_resource(workbook.IndicatorSheet)
IndicatorTargetResource = sheet_resource(workbook.TargetSheet)
BaselineResource = sheet_resource(workbook.BaselineSheet)
RubricResource = sheet_resource(workbook.RubricSheet)
RubricLevelResource = sheet_resource(workbook.RubricLevelSheet)
RubricConditionResource = sheet_resource(workbook.RubricConditionSheet)
ProjectResource = sheet_resource(workbook.ProjectSheet)
ProjectIndicatorResource = sheet_resource(workbook.ProjectIndicatorSheet)
KeyResultLinkResource = sheet_resource(workbook.KeyResultLinkSheet)
WorkStepResource = sheet_resource(workbook.WorkStepSheet)
