"""Read-only representations of plans, indicators, projects and progress.

Decimals are strings (DRF's default), so no precision is lost on the way to a client.
Every nested list is read from prefetched rows; see the querysets in views.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Baseline, Indicator, IndicatorTarget, Rubric, RubricCondition, RubricLevel
from plans.models import Division, Organization, Plan
from progress.models import ProgressEntry
from projects.models import Project


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "short_name", "name", "code"]


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "name"]


class PlanSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer(read_only=True)
    fiscal_year = serializers.IntegerField(source="fiscal_year_id", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "organization", "fiscal_year", "title"]


class TargetSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="short_name", read_only=True, allow_null=True)

    class Meta:
        model = IndicatorTarget
        fields = ["value", "unit", "label", "agency"]


class BaselineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Baseline
        fields = ["year", "value", "unit", "label", "text"]


class RubricConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RubricCondition
        fields = ["kind", "measure", "operator", "value", "text"]


class RubricLevelSerializer(serializers.ModelSerializer):
    conditions = RubricConditionSerializer(many=True, read_only=True)

    class Meta:
        model = RubricLevel
        fields = ["level", "threshold_text", "points", "conditions"]


class RubricSerializer(serializers.ModelSerializer):
    levels = RubricLevelSerializer(many=True, read_only=True)

    class Meta:
        model = Rubric
        fields = ["title", "levels"]


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    division = DivisionSerializer(read_only=True, allow_null=True)
    targets = TargetSerializer(many=True, read_only=True)
    baselines = BaselineSerializer(many=True, read_only=True)
    rubric = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id", "plan", "code", "kind", "name", "unit", "direction", "cumulative", "target_text",
            "targets", "baselines", "weight", "division", "rubric",
        ]

    @extend_schema_field(RubricSerializer(allow_null=True))
    def get_rubric(self, indicator: Indicator):
        try:
            rubric = indicator.rubric  # select_related: no query, None-safe through the exception
        except Rubric.DoesNotExist:
            return None
        return RubricSerializer(rubric, context=self.context).data


class ProjectSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    division = DivisionSerializer(read_only=True, allow_null=True)
    policies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id", "plan", "section", "sequence", "number", "name", "budget", "budget_text", "division",
            "strategy_code", "policies", "indicators", "parent",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_indicators(self, project: Project) -> list[int]:
        return [link.indicator_id for link in project.indicator_links.all()]


class ProgressEntrySerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    item_type = serializers.SerializerMethodField()
    item_id = serializers.SerializerMethodField()
    period = serializers.IntegerField(source="period_id", read_only=True)
    division = DivisionSerializer(read_only=True)
    evidence_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProgressEntry
        fields = [
            "id", "plan", "item_type", "item_id", "period", "division", "state", "value", "verified_value",
            "measure_values", "verified_measure_values", "percent_complete", "disbursed", "narrative", "obstacles",
            "evaluation_comment", "evidence_count", "updated_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["indicator", "project"]))
    def get_item_type(self, entry: ProgressEntry) -> str:
        return "indicator" if entry.indicator_id else "project"

    def get_item_id(self, entry: ProgressEntry) -> int:
        return entry.indicator_id or entry.project_id


# -- computed responses ---------------------------------------------------------------

class SCurveMonthSerializer(serializers.Serializer):
    month = serializers.IntegerField(min_value=1, max_value=12, help_text="Fiscal month: 1 = October ... 12 = September.")
    planned = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="Planned cumulative % (sum of step weights).")
    actual = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Actual cumulative %; null for a month not reported (or not visible)."
    )


class SCurveSerializer(serializers.Serializer):
    months = SCurveMonthSerializer(many=True)
    slippage_months = serializers.ListField(
        child=serializers.IntegerField(), help_text="Fiscal months whose actual is behind the plan by more than 10 points."
    )


class StatusPeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.IntegerField()


STATUSES = ["on_track", "at_risk", "off_track", "not_reported", "no_target"]


class MeasureStatusSerializer(serializers.Serializer):
    label = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.CharField(allow_null=True, help_text="The district's target for this measure.")
    city_target = serializers.CharField(allow_null=True, help_text="The city's target for this measure, as printed.")
    result = serializers.CharField(allow_null=True)
    achievement = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES)


class IndicatorStatusSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    period = StatusPeriodSerializer()
    result = serializers.CharField(allow_null=True, help_text="Result to date (verified values where present); "
                                   "null for an indicator judged per measure.")
    target = serializers.CharField(allow_null=True, help_text="The district's target (null when judged per measure).")
    achievement = serializers.CharField(allow_null=True, help_text="Achievement in % of the target.")
    planned_pace = serializers.CharField(help_text="Share of the annual target planned by the end of the period, in %.")
    status = serializers.ChoiceField(choices=STATUSES, help_text="Per measure, the worst of the measures' statuses.")
    measures = MeasureStatusSerializer(many=True, help_text="One line per measure of an indicator whose target has "
                                       "several (e.g. dredging and clearing km); empty otherwise.")


class AssessmentScoreSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    comment = serializers.CharField()


class ScoreRowSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    result = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    evidence_count = serializers.IntegerField()
    self_assessment = AssessmentScoreSerializer(allow_null=True)
    evaluator = AssessmentScoreSerializer(allow_null=True)


class ScorecardSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    period = serializers.IntegerField()
    total_weight = serializers.DecimalField(max_digits=8, decimal_places=2)
    self_total = serializers.DecimalField(max_digits=8, decimal_places=2)
    evaluator_total = serializers.DecimalField(max_digits=8, decimal_places=2)
    rows = ScoreRowSerializer(many=True)
