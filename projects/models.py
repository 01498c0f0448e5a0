"""Projects of Parts 1-3, their links to indicators (incl. table ง) and work steps (table จ)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Indicator
from plans.models import Division, OrgScopedQuerySet, Plan, StrategyNode, WorkGroup


class Policy(models.Model):
    """A governor's policy code (P001-P999), shared by every organization of the city."""

    ORG_PATH = None

    code = models.CharField(
        _("code"), max_length=4, unique=True,
        validators=[RegexValidator(r"^P[0-9]{3}$", _("A policy code is P followed by three digits, e.g. P213."))],
    )
    name = models.TextField(_("name"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^P[0-9]{3}$"), name="policy_code_format")]

    def __str__(self) -> str:
        return self.code


class ProjectQuerySet(OrgScopedQuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def budget_lines(self):
        """Rows whose budgets make up a section total: leaves of the project tree."""
        return self.filter(children__isnull=True)


class Project(models.Model):
    class Section(models.IntegerChoices):
        PART1 = 1, _("Part 1: BMA plan")
        PART2 = 2, _("Part 2: district strategy")
        PART3 = 3, _("Part 3: routine projects")

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="projects")
    section = models.PositiveSmallIntegerField(_("section"), choices=Section.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("sub-item of"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    sequence = models.CharField(
        _("sequence no. in the summary"), max_length=10, blank=True,
        help_text=_("The sequence number as printed in the section's summary table."),
    )
    number = models.CharField(_("number in the detail table"), max_length=10, blank=True)
    name = models.TextField(_("name"))
    budget = models.DecimalField(
        _("budget (baht)"), max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_text = models.CharField(
        _("budget as printed"), max_length=300, blank=True,
        help_text=_("'-' for none, or a note such as 'awaiting confirmation of the budget transfer'."),
    )
    division = models.ForeignKey(
        Division, verbose_name=_("responsible division"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    division_text = models.CharField(_("division as printed"), max_length=200, blank=True)
    work_group = models.ForeignKey(
        WorkGroup, verbose_name=_("work group"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    strategy_code = models.CharField(
        _("strategy code"), max_length=6, blank=True,
        validators=[RegexValidator(r"^[0-9]{6}$", _("The strategy code has exactly 6 digits."))],
    )
    policies = models.ManyToManyField(Policy, verbose_name=_("policy codes"), blank=True, related_name="projects")
    policy_text = models.CharField(_("policy/OKR as printed"), max_length=300, blank=True)
    node = models.ForeignKey(
        StrategyNode, verbose_name=_("strategy element"), null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    same_as = models.ForeignKey(
        "self", verbose_name=_("same project as"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="duplicates", help_text=_("The same project listed with its own row in another section."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    key = models.CharField(_("seed key"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(m2m_fields=[policies])

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["plan", "section", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], condition=~Q(key=""), name="project_key_unique"),
            models.CheckConstraint(condition=Q(budget__gte=0) | Q(budget__isnull=True), name="project_budget_nonneg"),
            models.CheckConstraint(condition=Q(section__in=[1, 2, 3]), name="project_section_1_3"),
            models.CheckConstraint(
                condition=Q(strategy_code="") | Q(strategy_code__regex=r"^[0-9]{6}$"), name="project_strategy_code_6_digits"
            ),
        ]

    def __str__(self) -> str:
        number = f"{self.number} " if self.number else ""
        return f"{number}{self.name}"

    @property
    def policy_codes(self) -> str:
        """The policy codes as the summary tables print them ('P236 P114'); uses a
        prefetch of `policies` when there is one."""
        return " ".join(p.code for p in self.policies.all())


class ProjectIndicator(models.Model):
    """A project serves an indicator; `printed` keeps the reference as the document writes it."""

    ORG_PATH = "project__plan__organization"

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="project_links")
    printed = models.CharField(_("reference as printed"), max_length=100, blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project-indicator link")
        verbose_name_plural = _("project-indicator links")
        constraints = [models.UniqueConstraint(fields=["project", "indicator"], name="projectindicator_unique")]

    def __str__(self) -> str:
        return f"{self.project} → {self.indicator}"


class KeyResultLink(models.Model):
    """A row of table ง: city-wide key result and target ↔ district project ↔ project KPI target."""

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="kr_links")
    # The development area the row is printed under. Usually its objective's parent, but not
    # always: the real plan prints a row with objective ๘.๓ under ด้านที่ ๙.
    area = models.ForeignKey(
        StrategyNode, verbose_name=_("development area"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="area_kr_links",
    )
    objective = models.ForeignKey(
        StrategyNode, verbose_name=_("objective"), null=True, blank=True, on_delete=models.SET_NULL, related_name="kr_links"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("key result"), null=True, blank=True, on_delete=models.SET_NULL, related_name="kr_links"
    )
    kr_text = models.TextField(_("key result as printed"), blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    target_text = models.TextField(_("city target as printed"), blank=True)
    project = models.ForeignKey(
        Project, verbose_name=_("supporting project"), null=True, blank=True, on_delete=models.SET_NULL, related_name="kr_links"
    )
    project_text = models.TextField(_("project as printed"), blank=True)
    budget = models.DecimalField(_("budget as printed (baht)"), max_digits=16, decimal_places=2, null=True, blank=True)
    budget_text = models.CharField(_("budget cell as printed"), max_length=300, blank=True)
    project_kpi_target = models.CharField(_("project KPI target"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("key-result link (table D)")
        verbose_name_plural = _("key-result links (table D)")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.kr_text[:60]} → {self.project_text[:60]}"


class WorkStep(models.Model):
    """A work step of a project (table จ) with its weight and the months it is planned in."""

    ORG_PATH = "project__plan__organization"

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="work_steps")
    number = models.PositiveSmallIntegerField(_("step no."))
    name = models.TextField(_("step"))
    weight = models.DecimalField(
        _("weight (%)"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    cumulative_percent = models.DecimalField(
        _("cumulative % as printed"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    months = models.JSONField(
        _("planned months"), default=list, blank=True,
        help_text=_("Fiscal month numbers: 1 = October ... 12 = September."),
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work step")
        verbose_name_plural = _("work steps")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="workstep_number_unique"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | (Q(weight__gte=0) & Q(weight__lte=100)), name="workstep_weight_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name[:80]}"
