"""The filters of the long lists (status, completeness, review, projects), as GET forms.

Division, area and text filter the database rows; status, state and "behind schedule"
are figures computed per row (kpiplan.lists.RowFilterSet keeps the matching rows)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.calculations import Status
from indicators.models import Indicator
from kpiplan.lib.thai import to_ascii_digits, to_thai_digits
from kpiplan.lists import RowFilterSet
from plans.models import Division, StrategyNode
from projects.models import Project

from .models import State

STATUS_CHOICES = [
    (Status.ON_TRACK.value, _("On track")),
    (Status.AT_RISK.value, _("At risk")),
    (Status.OFF_TRACK.value, _("Off track")),
    (Status.NOT_REPORTED.value, _("Not reported")),
    (Status.NO_TARGET.value, _("No measurable target")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _divisions(plan):
    return Division.objects.filter(organization_id=plan.organization_id).order_by("order", "name")


def descendants(nodes: list[StrategyNode], root_id: int) -> set[int]:
    """The node and every node below it."""
    children: dict[int, list[int]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node.pk)
    found, todo = set(), [root_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, ()))
    return found


class _DivisionFilterSet(RowFilterSet):
    division = django_filters.ModelChoiceFilter(queryset=Division.objects.none(), label=_("Division"),
                                                empty_label=_("All divisions"))

    def __init__(self, data=None, *, plan, queryset=None, divisions=True, **kwargs):
        super().__init__(data, queryset=queryset if queryset is not None else Division.objects.none(), **kwargs)
        self.plan = plan
        if divisions:
            self.filters["division"].queryset = _divisions(plan)
        else:  # staff and heads: their own division only, nothing to choose
            del self.filters["division"]


class StatusFilter(_DivisionFilterSet):
    """Indicators of the status page: division, area (a strategy element with everything
    below it), status, and text in the name or code."""

    area = django_filters.ModelChoiceFilter(queryset=StrategyNode.objects.none(), label=_("Strategy element"),
                                            empty_label=_("Whole plan"), method="in_area")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, label=_("Status"), empty_label=_("Any status"),
                                         method="computed")
    q = django_filters.CharFilter(label=_("Text"), method="text")

    row_filters = {"status": lambda row, value: row.status.status.value == value}

    class Meta:
        model = Indicator
        fields = ["division"]

    def __init__(self, data=None, *, plan, nodes: list[StrategyNode], **kwargs):
        super().__init__(data, plan=plan, queryset=Indicator.objects.filter(plan=plan), **kwargs)
        self.nodes = nodes
        self.filters["area"].queryset = StrategyNode.objects.filter(plan=plan).order_by("order")

    def in_area(self, queryset, name, value):
        return queryset.filter(node_id__in=descendants(self.nodes, value.pk))

    def text(self, queryset, name, value):
        """Words of the name or the code, typed in Thai or Arabic digits alike."""
        value = value.strip()
        if not value:
            return queryset
        found = Q()
        for variant in {value, to_ascii_digits(value), to_thai_digits(value)}:
            found |= Q(name__icontains=variant) | Q(code__icontains=variant)
        return queryset.filter(found)


def _division_of(row, value) -> bool:
    return row.item.obj.division_id == value.pk


class CompletenessFilter(_DivisionFilterSet):
    """Due items of the completeness page: division and report state."""

    state = django_filters.ChoiceFilter(choices=State.choices, label=_("State"), empty_label=_("Any state"),
                                        method="computed")
    division = django_filters.ModelChoiceFilter(queryset=Division.objects.none(), label=_("Division"),
                                                empty_label=_("All divisions"), method="computed")

    row_filters = {"division": _division_of, "state": lambda row, value: row.state == value}


class ReviewFilter(CompletenessFilter):
    """Reports of the review page: division, state, and the unusual results only."""

    state = django_filters.ChoiceFilter(choices=[c for c in State.choices if c[0] != State.NOT_STARTED],
                                        label=_("State"), empty_label=_("Any state"), method="computed")
    unusual = django_filters.ChoiceFilter(choices=[("1", _("Unusual results"))], label=_("Show"),
                                          empty_label=_("All reports"), method="computed")

    row_filters = {**CompletenessFilter.row_filters, "unusual": lambda row, value: bool(row.entry and row.entry.value_flagged)}


class ProjectFilter(_DivisionFilterSet):
    """The projects list: division, and behind schedule or not."""

    behind = django_filters.ChoiceFilter(choices=YES_NO, label=_("Behind schedule"), empty_label=_("All projects"),
                                         method="computed")

    row_filters = {"behind": lambda row, value: row.behind == (value == "yes")}

    class Meta:
        model = Project
        fields = ["division"]
