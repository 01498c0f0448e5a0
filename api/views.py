"""The read API: plans, indicators, projects and progress, with the same access rules as
the pages (accounts.policy, the one access policy: scope_to_user for organizations,
visible_progress for progress reports), and the S-curve and indicator
status computed only by the domain functions in projects/ and indicators/calculations.py."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from accounts.policy import scope_to_user, visible_progress
from indicators.models import Indicator, IndicatorTarget, RubricCondition, RubricLevel
from plans.models import Period, Plan
from progress.budget import s_curve
from progress.models import ProgressEntry
from progress.status import indicator_status
from projects.models import Project, ProjectIndicator

from . import serializers

# -- who sees which progress reports: accounts.policy.visible_progress ----------------------

class MayOversee(BasePermission):
    """The organization-wide readings (scorecard): accounts.policy's "progress.oversee"."""

    def has_permission(self, request, view):
        return policy.allowed(request.user, "progress.oversee")


# -- filters -------------------------------------------------------------------------------

MAX_ID = 2**63 - 1  # the largest id the database holds (bigint)


class IdField(forms.IntegerField):
    """A whole number from 1 to MAX_ID: anything else is the client's mistake, said as a
    400 with the value and the rule (a number out of the database's range gave a 500)."""

    def __init__(self, **kwargs):
        kwargs.update(min_value=1, max_value=MAX_ID)
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except forms.ValidationError as exc:
            shown = str(value) if len(str(value)) <= 40 else str(value)[:40] + "…"
            raise forms.ValidationError(_("«%(value)s» is not an id: ids are whole numbers from 1 to %(max)s."),
                                        code="invalid", params={"value": shown, "max": MAX_ID}) from exc


def id_param(request, name: str) -> int:
    """A required id in the query string, or a 400 naming the parameter and the problem."""
    value = request.query_params.get(name, "")
    if not value:
        raise ValidationError({name: [_("This parameter is required: the id of the %(name)s.") % {"name": name}]})
    try:
        return IdField().clean(value)
    except forms.ValidationError as exc:
        raise ValidationError({name: exc.messages}) from exc


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An id: an integer, without looking the row up (no 400 that would tell another
    organization's ids from missing ones; the scoped queryset simply has no rows)."""

    field_class = IdField


class IndicatorFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", help_text="Plan id.")
    kind = filters.ChoiceFilter(choices=Indicator.Kind.choices)

    class Meta:
        model = Indicator
        fields = ["plan", "kind"]


class ProjectFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", help_text="Plan id.")
    section = filters.ChoiceFilter(choices=Project.Section.choices)
    division = IdFilter(field_name="division_id", help_text="Division id.")

    class Meta:
        model = Project
        fields = ["plan", "section", "division"]


class ProgressFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", help_text="Plan id.")
    period = IdFilter(method="within_period",
                      help_text="Period id: a month's reports, or a quarter's or the year's with the months' reports in it.")

    def within_period(self, queryset, name, value):
        """The reports of the period and of the shorter periods that lie within it (a
        quarter holds its three months), as the pages list them."""
        period = Period.objects.filter(pk=value).first()
        return queryset.filter(period__in=Period.objects.within(period)) if period else queryset.none()

    class Meta:
        model = ProgressEntry
        fields = ["plan", "period"]


# -- viewsets ------------------------------------------------------------------------------

class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Action plans of the user's organization (every organization for administrators)."""

    serializer_class = serializers.PlanSerializer

    def get_queryset(self):
        plans = Plan.objects.select_related("organization").order_by("-fiscal_year_id", "organization__short_name", "id")
        return scope_to_user(plans, self.request.user)


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators with their targets, baselines and scoring rubric."""

    serializer_class = serializers.IndicatorSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = IndicatorFilter

    def get_queryset(self):
        indicators = (
            Indicator.objects.select_related("division", "rubric")
            .prefetch_related(
                Prefetch("targets", queryset=IndicatorTarget.objects.select_related("agency").order_by("order", "id")),
                "baselines",
                Prefetch(
                    "rubric__levels",
                    queryset=RubricLevel.objects.order_by("-level").prefetch_related(
                        Prefetch("conditions", queryset=RubricCondition.objects.order_by("order", "id"))
                    ),
                ),
            )
            .order_by("plan_id", "order", "id")
        )
        return scope_to_user(indicators, self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("period", int, required=True, description="Period id (a month, quarter or the year).")],
        responses=serializers.IndicatorStatusSerializer,
    )
    @action(detail=True, methods=["get"], url_path="status", filter_backends=[], pagination_class=None)
    def status(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the URL suffix by this name
        """Result to date, achievement, planned pace and status of the indicator at a period."""
        indicator = self.get_object()
        period = get_object_or_404(Period, pk=id_param(request, "period"), fiscal_year_id=indicator.plan.fiscal_year_id)
        computed = indicator_status(indicator, period)  # the status page's own function
        data = {
            "indicator": indicator.pk,
            "period": {"id": period.pk, "kind": period.kind, "number": period.number},
            "result": _str(computed.result),
            "target": _str(computed.target),
            "achievement": _str(computed.achievement),
            "planned_pace": _str(computed.planned),
            "status": str(computed.status),
            # An indicator with several measures (OKR 1.4.07) is judged per measure.
            "measures": [{"label": m.label, "unit": m.unit, "target": _str(m.target), "city_target": _str(m.city_target),
                          "result": _str(m.result), "achievement": _str(m.achievement), "status": str(m.status)}
                         for m in computed.measures],
        }
        return Response(serializers.IndicatorStatusSerializer(data).data)


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Projects of Parts 1-3 with their budgets, policies and indicators."""

    serializer_class = serializers.ProjectSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ProjectFilter

    def get_queryset(self):
        projects = (
            Project.objects.select_related("division")
            .prefetch_related("policies", Prefetch("indicator_links", queryset=ProjectIndicator.objects.order_by("id")))
            .order_by("plan_id", "section", "order", "id")
        )
        return scope_to_user(projects, self.request.user)

    @extend_schema(responses=serializers.SCurveSerializer)
    @action(detail=True, methods=["get"], url_path="s-curve", filter_backends=[], pagination_class=None)
    def s_curve(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the URL suffix by this name
        """Planned and actual cumulative % by fiscal month, from the project's work steps and
        the steps reported done in the progress reports the user may see."""
        curve = s_curve(self.get_object(), request.user)  # the project page's own function
        data = {
            "months": [{"month": i + 1, "planned": curve.planned[i], "actual": curve.actual[i]} for i in range(12)],
            "slippage_months": curve.slipping,
        }
        return Response(serializers.SCurveSerializer(data).data)


class ProgressEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Progress reports the user may read (other divisions' drafts and returned reports are left out)."""

    serializer_class = serializers.ProgressEntrySerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ProgressFilter

    def get_queryset(self):
        entries = (
            ProgressEntry.objects.select_related("division")
            .annotate(evidence_count=Count("evidence", distinct=True))
            .order_by("period_id", "division_id", "id")
        )
        return visible_progress(entries, self.request.user)


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class ScorecardView(APIView):
    """Table ค for a plan and period: each performance-agreement indicator with the
    self-assessment beside the evaluator's result, and the totals (the scorecard page's
    own assembly, progress.scorecard.build_scorecard)."""

    permission_classes = [IsAuthenticated, MayOversee]

    @extend_schema(
        parameters=[OpenApiParameter("plan", int, required=True), OpenApiParameter("period", int, required=True)],
        responses=serializers.ScorecardSerializer,
    )
    def get(self, request):
        from progress.scorecard import build_scorecard

        plan = get_object_or_404(scope_to_user(Plan.objects.all(), request.user), pk=id_param(request, "plan"))
        period = get_object_or_404(Period, pk=id_param(request, "period"), fiscal_year_id=plan.fiscal_year_id)
        card = build_scorecard(plan, period)

        def assessed(a):
            return None if a is None else {"level": a.level, "points": a.points, "comment": a.comment}

        data = {
            "plan": plan.pk, "period": period.pk, "total_weight": card.total_weight,
            "self_total": card.self_total, "evaluator_total": card.evaluator_total,
            "rows": [{
                "indicator": r.indicator.pk, "code": r.indicator.code, "name": r.indicator.name, "weight": r.indicator.weight,
                "result": r.result, "evidence_count": r.evidence_count,
                "self_assessment": assessed(r.self_assessment), "evaluator": assessed(r.evaluator),
            } for r in card.rows],
        }
        return Response(serializers.ScorecardSerializer(data).data)
