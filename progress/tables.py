"""The long lists of the progress pages as django-tables2 tables (status, completeness,
review, projects), and the plain rows they show. Cells print Thai digits and B.E. dates
like the rest of the site; exports (kpiplan.lists.export) get the plain values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from indicators.calculations import Status
from kpiplan.lib.thai import format_date_in, format_number_in, localize_digits
from plans.models import Division, StrategyNode
from projects.models import Project

from .filters import STATUS_CHOICES
from .status import IndicatorStatus

# Worst first, so that sorting by status puts what needs attention on top.
SEVERITY = {Status.OFF_TRACK: 0, Status.NOT_REPORTED: 1, Status.AT_RISK: 2, Status.ON_TRACK: 3, Status.NO_TARGET: 4}


class ListTable(tables.Table):
    class Meta:
        template_name = "django_tables2/kpiplan.html"
        attrs = {"class": "grid list"}
        empty_text = _("Nothing matches these filters.")


class NumberColumn(tables.Column):
    """A number with thousands separators in the page's digits; exported as the number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        kwargs.setdefault("default", "-")
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_number_in(value, get_language())

    def value(self, value):
        return value


def _name_link(url: str, name: str, code: str = "") -> str:
    """A name with its code as a link: the name in the digits of the rest of the table,
    the code as the plan prints it (docs/vocabulary.md: identifiers stay as typed)."""
    return format_html('<a href="{}">{}</a>', url, f"{code} {localize_digits(name, get_language())}".strip())


# -- status -------------------------------------------------------------------------------

@dataclass
class StatusRow:
    status: IndicatorStatus
    division: Division | None
    node: StrategyNode | None

    @property
    def severity(self) -> int:
        return SEVERITY.get(self.status.status, 9)


def status_rows(statuses: list[IndicatorStatus], divisions: dict[int, Division]) -> list[StatusRow]:
    return [StatusRow(s, divisions.get(s.indicator.division_id), s.indicator.node) for s in statuses]


class StatusTable(ListTable):
    indicator = tables.Column(_("Indicator"), accessor="status__indicator__name", order_by=("status__indicator__order",))
    division = tables.Column(_("Division"), accessor="division__name", order_by=("division__order", "status__indicator__order"),
                             default="-")
    node = tables.Column(_("Strategy element"), accessor="node__code", order_by=("node__order", "status__indicator__order"),
                         default="-")
    target = tables.TemplateColumn(template_name="progress/_status_target_cell.html", verbose_name=_("Target"),
                                   accessor="status__target", order_by=("status__target",))
    result = tables.TemplateColumn(template_name="progress/_status_result_cell.html", verbose_name=_("Result to date"),
                                   accessor="status__result", attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    achievement = tables.TemplateColumn(template_name="progress/_status_achievement_cell.html",
                                        verbose_name=_("Achievement %"), accessor="status__achievement",
                                        attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    planned = NumberColumn(_("Planned %"), accessor="status__planned")
    status = tables.TemplateColumn(template_name="progress/_status_cell.html", verbose_name=_("Status"),
                                   accessor="status__status", order_by=("severity", "status__indicator__order"))

    class Meta(ListTable.Meta):
        order_by = ("indicator",)

    def render_indicator(self, record):
        indicator = record.status.indicator
        return _name_link(reverse("progress:indicator", args=[indicator.pk]), indicator.name, indicator.code)

    def value_indicator(self, record):
        return f"{record.status.indicator.code} {record.status.indicator.name}".strip()

    def render_node(self, value):
        return localize_digits(value, get_language())

    def value_target(self, record):
        return record.status.target if record.status.target is not None else ""

    def value_result(self, value):
        return value if value is not None else ""

    def value_achievement(self, value):
        return value if value is not None else ""

    def value_status(self, record):
        return str(dict(STATUS_CHOICES)[record.status.status.value])


# -- completeness and review ----------------------------------------------------------------

def _item_url(item) -> str:
    if item.kind == "indicator":
        return reverse("progress:indicator", args=[item.obj.pk])
    return reverse("projects:detail", args=[item.obj.pk])


class CompletenessTable(ListTable):
    item = tables.Column(_("Item"), accessor="item__obj", order_by=("item__kind", "item__obj__order"))
    division = tables.Column(_("Division"), accessor="item__obj__division__name",
                             order_by=("item__obj__division__order", "item__kind", "item__obj__order"))
    period = tables.Column(_("Period"), accessor="period", order_by=("period__kind", "period__number"))
    due = tables.Column(_("Due"), accessor="due")
    state = tables.Column(_("State"), accessor="state_label", order_by=("state",))
    late = tables.Column(_("Late"), accessor="overdue")

    class Meta(ListTable.Meta):
        row_attrs = {"class": lambda record: f"state-{record.state}" + (" overdue" if record.overdue else "")}

    def render_item(self, record):
        return _name_link(_item_url(record.item), str(record.item.obj))

    def value_item(self, record):
        return str(record.item.obj)

    def render_due(self, value):
        return format_date_in(value, get_language())

    def value_due(self, value):
        return value.isoformat()

    def render_late(self, value):
        return format_html('<strong class="late">{}</strong>', _("Late")) if value else ""

    def value_late(self, value):
        return str(_("Yes")) if value else ""


class ReviewTable(ListTable):
    item = tables.Column(_("Item"), accessor="item__obj", order_by=("item__kind", "item__obj__order"))
    division = tables.Column(_("Division"), accessor="item__obj__division__name",
                             order_by=("item__obj__division__order", "item__kind", "item__obj__order"))
    period = tables.Column(_("Period"), accessor="period", order_by=("period__kind", "period__number"))
    result = tables.Column(_("Result"), empty_values=(), orderable=False, attrs={"td": {"class": "num"}})
    unusual = tables.TemplateColumn(template_name="progress/_review_unusual_cell.html", verbose_name=_("Unusual result"),
                                    orderable=False, attrs={"td": {"class": "unusual"}})
    verified = tables.Column(_("Verified result"), accessor="entry__verified_value", default="-",
                             attrs={"td": {"class": "num"}})
    state = tables.Column(_("State"), accessor="state_label", order_by=("state",))

    class Meta(ListTable.Meta):
        row_attrs = {"class": lambda record: f"state-{record.state}"}

    def render_item(self, record):
        url = reverse("progress:entry", args=[record.period.pk, record.item.kind, record.item.obj.pk])
        return _name_link(url, str(record.item.obj))

    def value_item(self, record):
        return str(record.item.obj)

    @staticmethod
    def _result(record):
        if record.state in ("draft", "returned") or record.entry is None:
            return None
        return record.entry.value if record.item.kind == "indicator" else record.entry.percent_complete

    def render_result(self, record):
        value = self._result(record)
        if value is None:
            return "—"
        return format_number_in(value, get_language()) + ("" if record.item.kind == "indicator" else "%")

    def value_result(self, record):
        value = self._result(record)
        return "" if value is None else value

    def render_verified(self, value):
        return format_number_in(value, get_language())

    def value_verified(self, value):
        return value

    def value_unusual(self, record):
        entry = record.entry
        return f"{entry.implausible_reason} — {entry.implausible_note}" if entry and entry.value_flagged else ""


# -- projects ---------------------------------------------------------------------------

@dataclass
class ProjectRow:
    project: Project
    allocated: Decimal
    disbursed: Decimal
    behind: bool


class ProjectTable(ListTable):
    name = tables.Column(_("Project"), accessor="project__name", order_by=("project__section", "project__order"))
    division = tables.Column(_("Division"), accessor="project__division__name",
                             order_by=("project__division__order", "project__section", "project__order"), default="-")
    allocated = NumberColumn(_("Allocated (baht)"))
    disbursed = NumberColumn(_("Disbursed (baht)"))
    behind = tables.Column(_("Behind schedule"))

    class Meta(ListTable.Meta):
        row_attrs = {"class": lambda record: "overdue" if record.behind else ""}

    def render_name(self, record):
        return _name_link(reverse("projects:detail", args=[record.project.pk]), str(record.project))

    def value_name(self, record):
        return str(record.project)

    def render_behind(self, value):
        return format_html('<strong class="late">{}</strong>', _("Yes")) if value else _("No")

    def value_behind(self, value):
        return str(_("Yes") if value else _("No"))
