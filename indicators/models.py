"""Indicators of every kind the plan has, with targets, baselines and scoring rubrics."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models import Organization, OrgScopedQuerySet, Plan, StrategyNode


class Indicator(models.Model):
    class Kind(models.TextChoices):
        BMA_KR = "bma_kr", _("BMA key result (KR)")
        BMA_KPI = "bma_kpi", _("BMA KPI")
        OKR = "okr", _("District OKR")
        AGREEMENT = "agreement", _("Performance-agreement indicator")
        SUPPORT = "support", _("Supporting indicator (components 2-4)")
        CITY_KR = "city_kr", _("City-wide key result (table ง)")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class MeasureType(models.TextChoices):
        OUTPUT = "output", _("Output")
        OUTCOME = "outcome", _("Outcome")

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20, blank=True)
    name = models.TextField(_("name"))
    node = models.ForeignKey(
        StrategyNode, verbose_name=_("strategy element"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="indicators",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("contributes to"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="children",
    )
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    measure_type = models.CharField(_("measure type"), max_length=10, choices=MeasureType.choices, blank=True)
    starred = models.BooleanField(_("starred (*)"), default=False)
    lead_agency = models.ForeignKey(
        Organization, verbose_name=_("lead agency"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="led_indicators",
    )
    supporting_agencies = models.ManyToManyField(
        Organization, verbose_name=_("supporting agencies"), blank=True, related_name="supported_indicators"
    )
    lead_division = models.ForeignKey(
        "plans.Division", verbose_name=_("lead division"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="led_indicators",
    )
    division = models.ForeignKey(
        "plans.Division", verbose_name=_("reporting division"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reported_indicators",
        help_text=_("The division of this organization that reports the indicator's progress."),
    )
    reporting_frequency = models.CharField(
        _("reported every"), max_length=10, choices=[("month", _("Month")), ("quarter", _("Quarter"))], default="month"
    )
    cumulative = models.BooleanField(
        _("cumulative result"), default=True,
        help_text=_("Results are reported as the total to date; otherwise for the period alone."),
    )
    target_text = models.TextField(_("target as printed"), blank=True)
    target_year_text = models.JSONField(
        _("target per year as printed"), default=dict, blank=True,
        help_text=_("B.E. year -> target cell, for tables that print a target per year."),
    )
    definition = models.TextField(_("definition"), blank=True)
    formula = models.TextField(_("formula"), blank=True)
    evidence = models.TextField(_("evidence to collect"), blank=True)
    projects_text = models.TextField(_("projects as printed"), blank=True)
    weight = models.DecimalField(
        _("weight (points)"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    component = models.PositiveSmallIntegerField(_("assessment component"), null=True, blank=True)
    component_title = models.TextField(_("component title"), blank=True)
    summary_order = models.PositiveSmallIntegerField(_("order in the KR/KPI summary"), null=True, blank=True)
    part2_order = models.PositiveSmallIntegerField(
        _("order in Part 2's key-result table"), null=True, blank=True,
        help_text=_("Set for the OKRs Part 2 prints under its development areas; the others (printed only in the "
                    "KR/KPI summary or in Part 4's tables) have none."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    key = models.CharField(_("seed key"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(m2m_fields=[supporting_agencies])

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], condition=~Q(key=""), name="indicator_key_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0) | Q(weight__isnull=True), name="indicator_weight_nonneg"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def code_label(self) -> str:
        """The code as the document writes it before a name: 'OKR 1.1.01', 'KR 1', 'KPI 1.5.4.1'."""
        prefix = {"okr": "OKR ", "bma_kpi": "KPI ", "bma_kr": "KR "}.get(self.kind, "")
        return f"{prefix}{self.code}" if self.code else ""

    @property
    def label(self) -> str:
        """The indicator as the document names it, code first ('OKR 1.1.01 จำนวนจุด...'),
        never shortened: reports and pages print it whole (only an admin list column may
        abbreviate it, with an ellipsis)."""
        return f"{self.code_label} {self.name}" if self.code else self.name


class IndicatorTarget(models.Model):
    """One number of a target cell: the value, or one of several measures, or one
    agency's share (e.g. 'สนข. 150,000 ต้น' of a 200,000-tree city target)."""

    ORG_PATH = "indicator__plan__organization"

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    label = models.CharField(_("measure"), max_length=200, blank=True)
    agency = models.ForeignKey(
        Organization, verbose_name=_("agency share"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("Set when this number is one agency's share of the target."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("target value")
        verbose_name_plural = _("target values")
        ordering = ["indicator", "order"]

    def __str__(self) -> str:
        return f"{self.label or ''} {self.value.normalize():f} {self.unit}".strip()


def measures_of(indicators) -> dict[int, list[IndicatorTarget]]:
    """The measures of indicators whose target has several, each with its own target
    (OKR 1.4.07: ขุดลอกคลอง 150 km and เปิดทางน้ำไหล 1,500 km): their labelled target
    values that are not an agency's share, in order. An indicator with one number has
    none and is reported as one result. One query."""
    found: dict[int, list[IndicatorTarget]] = {}
    for target in (IndicatorTarget.objects.filter(indicator__in=indicators, agency__isnull=True).exclude(label="")
                   .order_by("indicator_id", "order", "pk")):
        found.setdefault(target.indicator_id, []).append(target)
    return {pk: targets for pk, targets in found.items() if len(targets) >= 2}


class Baseline(models.Model):
    ORG_PATH = "indicator__plan__organization"

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="baselines")
    year = models.PositiveSmallIntegerField(
        _("year (B.E.)"), validators=[MinValueValidator(2500), MaxValueValidator(2700)]
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    label = models.CharField(_("measure"), max_length=200, blank=True)
    text = models.TextField(_("as printed"), blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["indicator", "year", "label"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "label"], name="baseline_year_label_unique"),
            models.CheckConstraint(condition=Q(year__gte=2500) & Q(year__lte=2700), name="baseline_be_year"),
        ]

    def __str__(self) -> str:
        return self.text or f"{self.year}: {self.value}"


class Rubric(models.Model):
    """The 5-level scoring rubric of a performance-agreement indicator (table ค)."""

    ORG_PATH = "indicator__plan__organization"

    indicator = models.OneToOneField(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="rubric")
    title = models.TextField(_("title"), blank=True)
    note = models.TextField(_("conditions note"), blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring rubric")
        verbose_name_plural = _("scoring rubrics")

    def __str__(self) -> str:
        return self.title or str(self.indicator)


class RubricLevel(models.Model):
    ORG_PATH = "rubric__indicator__plan__organization"

    rubric = models.ForeignKey(Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    threshold_text = models.CharField(_("success criterion as printed"), max_length=200, blank=True)
    threshold_percent = models.DecimalField(_("success criterion (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("how it is measured"), blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")
        ordering = ["rubric", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "level"], name="rubriclevel_unique"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="rubriclevel_1_to_5"),
            models.CheckConstraint(condition=Q(points__gte=0) | Q(points__isnull=True), name="rubriclevel_points_nonneg"),
        ]

    def __str__(self) -> str:
        return _("Level %(level)s") % {"level": self.level}


class RubricCondition(models.Model):
    """One condition of a level; a level is reached only when all of them hold."""

    class Kind(models.TextChoices):
        THRESHOLD = "threshold", _("Threshold on a measure")
        CHECKLIST = "checklist", _("Done, with evidence")

    class Operator(models.TextChoices):
        GTE = ">=", _("at least")
        GT = ">", _("more than")
        LTE = "<=", _("at most")
        LT = "<", _("less than")

    ORG_PATH = "level__rubric__indicator__plan__organization"

    level = models.ForeignKey(RubricLevel, verbose_name=_("level"), on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    measure = models.CharField(_("measure"), max_length=200, blank=True)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices, blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    text = models.TextField(_("text"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rubric condition")
        verbose_name_plural = _("rubric conditions")
        ordering = ["level", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="checklist") | (~Q(measure="") & ~Q(operator="") & Q(value__isnull=False)),
                name="rubriccondition_threshold_complete",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.CHECKLIST:
            return self.text[:80]
        return f"{self.measure} {self.operator} {self.value.normalize():f}{self.unit}"
