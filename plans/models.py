"""Organizations, fiscal years and the plan with its front matter and framework."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kpiplan.lib import fiscal
from kpiplan.lib.thai import localize_digits, month_name_in, to_thai_digits

from .findings import DOCUMENT_CATEGORIES, ERROR, SEVERITIES


class OrgScopedQuerySet(models.QuerySet):
    """Rows visible to one user: every model says how it reaches its organization."""

    def for_organization(self, organization):
        path = self.model.ORG_PATH
        return self.filter(**{path: organization}) if path else self.filter(pk=organization.pk)


class Organization(models.Model):
    """A district office, a BMA department, or a group such as 'all district offices'."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District office")
        DEPARTMENT = "department", _("Department")
        DISTRICT_GROUP = "district_group", _("All district offices")
        EXTERNAL = "external", _("External body")

    ORG_PATH = ""

    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("department code"),
        max_length=8,
        blank=True,
        help_text=_("The city's 8-digit department code, e.g. 50400000 for Bang Khae."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["kind", "short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="organization_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(code="") | Q(code__regex=r"^[0-9]{8}$"),
                name="organization_code_8_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name if self.name == self.short_name else f"{self.name} ({self.short_name})"


class OrganizationAlias(models.Model):
    """Another way the documents write an organization's short name (often a misprint)."""

    ORG_PATH = None  # reference data, edited by administrators

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField(_("alias"), max_length=40, unique=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("organization alias")
        verbose_name_plural = _("organization aliases")

    def __str__(self) -> str:
        return self.alias


class Division(models.Model):
    """ฝ่าย: a division of a district office (or a unit of a department)."""

    ORG_PATH = "organization"

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="divisions"
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    aliases = models.JSONField(_("other spellings"), default=list, blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["organization", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="division_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class WorkGroup(models.Model):
    """งาน: a work group inside a division (Part 3 lists routine projects by it)."""

    ORG_PATH = "division__organization"

    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.CASCADE, related_name="work_groups"
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work group")
        verbose_name_plural = _("work groups")
        ordering = ["division", "order"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="workgroup_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.division.name} / {self.name}"


class FiscalYear(models.Model):
    """A fiscal year named by its B.E. year; its periods are created with it."""

    ORG_PATH = None

    year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"), primary_key=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2500) & Q(year__lte=2700), name="fiscalyear_be_range"
            ),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="fiscalyear_order"),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    @classmethod
    def ensure(cls, year: int) -> FiscalYear:
        """The fiscal year with its 12 months, 4 quarters and the whole year as periods."""
        start, end = fiscal.fiscal_year_bounds(year)
        fy, _created = cls.objects.get_or_create(year=year, defaults={"start": start, "end": end})
        existing = set(fy.periods.values_list("kind", "number"))
        wanted = [(Period.Kind.YEAR, 1, start, end)]
        for q in range(1, 5):
            wanted.append((Period.Kind.QUARTER, q, *fiscal.quarter_bounds(year, q)))
        for m in fiscal.fiscal_months(year):
            wanted.append((Period.Kind.MONTH, m.number, m.start, m.end))
        Period.objects.bulk_create(
            [
                Period(fiscal_year=fy, kind=k, number=n, start=s, end=e)
                for k, n, s, e in wanted
                if (k, n) not in existing
            ]
        )
        return fy


class PeriodQuerySet(models.QuerySet):
    def within(self, period: Period) -> PeriodQuerySet:
        """The period and the shorter periods of its year that lie in it: a quarter and
        its three months; the year, its quarters and months."""
        inside = models.Q(pk=period.pk)
        for kind in (Period.Kind.MONTH, Period.Kind.QUARTER):
            inside |= models.Q(kind=kind, number__in=list(fiscal.periods_within(period.kind, period.number, kind)))
        return self.filter(inside, fiscal_year_id=period.fiscal_year_id)


class Period(models.Model):
    """A reporting period: a fiscal month, a quarter, or the whole year."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    ORG_PATH = None

    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("fiscal year"), on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Fiscal month 1 = October; quarter 1 = October-December.")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["fiscal_year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "kind", "number"], name="period_unique"),
            models.CheckConstraint(
                condition=(Q(kind="month") & Q(number__gte=1) & Q(number__lte=12))
                | (Q(kind="quarter") & Q(number__gte=1) & Q(number__lte=4))
                | (Q(kind="year") & Q(number=1)),
                name="period_number_range",
            ),
        ]

    def __str__(self) -> str:
        language = get_language()
        if self.kind == self.Kind.MONTH:
            # «ธันวาคม ๒๕๖๖» in Thai, "December 2566" in English: the year stays B.E.
            month = fiscal.fiscal_months(self.fiscal_year_id)[self.number - 1]
            text = f"{month_name_in(month.month, language)} {month.year + fiscal.BE_OFFSET}"
        elif self.kind == self.Kind.QUARTER:
            text = _("Q%(number)s/%(year)s") % {"number": self.number, "year": self.fiscal_year_id}
        else:
            text = _("FY %(year)s") % {"year": self.fiscal_year_id}
        return localize_digits(text, language)

    @property
    def name_th(self) -> str:
        """The name a Thai report prints, whatever the reader's language (str() is translated)."""
        return fiscal.period_name_th(self.fiscal_year_id, self.kind, self.number)

    @property
    def short_name_th(self) -> str:
        return fiscal.period_short_name_th(self.fiscal_year_id, self.kind, self.number)

    @property
    def short_name(self) -> str:
        """short_name_th for a Thai reader, "Dec 2566" / "Q2" for an English one."""
        return fiscal.period_short_name(self.fiscal_year_id, self.kind, self.number, get_language())

    @property
    def last_month(self) -> int:
        """The fiscal month its figures run to: a month itself, a quarter's last, the year's 12th."""
        return fiscal.fiscal_month_of(self.end)

    @property
    def quarter(self) -> int:
        """The quarter it starts in (a quarter is its own; the year counts as its first)."""
        return fiscal.fiscal_quarter_of(self.start)


class Plan(models.Model):
    """The annual action plan of one organization for one fiscal year."""

    ORG_PATH = "organization"

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="plans"
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("fiscal year"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("title"), max_length=300)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("The document the plan was taken from.")
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("reports due (days after the period)"), default=7,
        help_text=_("Progress of a period is due this many days after it ends (7 = by the 7th of the next month)."),
    )
    # Stamped (by progress.versions) whenever a row of the plan's data changes, so that pages
    # built from it can be cached keyed on it; not a field anyone edits or keeps history of.
    data_changed_at = models.DateTimeField(_("plan data changed at"), default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["data_changed_at"])

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-fiscal_year", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "fiscal_year"], name="plan_org_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.organization.name}"


class PlanStatement(models.Model):
    """One paragraph or item of the plan's front matter (mandate, SWOT, vision, ...)."""

    class Kind(models.TextChoices):
        FOREWORD = "foreword", _("Foreword")
        MANDATE = "mandate", _("Mandate")
        AREA = "area", _("Area facts")
        SUBDISTRICT = "subdistrict", _("Sub-district")
        BOUNDARY = "boundary", _("Boundary")
        ENVIRONMENT = "environment", _("Environment analysis")
        SWOT_SUMMARY = "swot_summary", _("SWOT summary")
        STRENGTH = "strength", _("Strength")
        WEAKNESS = "weakness", _("Weakness")
        OPPORTUNITY = "opportunity", _("Opportunity")
        THREAT = "threat", _("Threat")
        VISION = "vision", _("Vision")
        MISSION = "mission", _("Mission")

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="statements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("front-matter statement")
        verbose_name_plural = _("front-matter statements")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title or self.text[:60]}"


class StrategyNode(models.Model):
    """One element of the strategy framework, nested as the document nests it:
    dimension > strategy > sub-strategy > objective > tactic (Part 1, the BMA plan) and
    development area > objective (Part 2, the district's own strategy)."""

    class Level(models.TextChoices):
        DIMENSION = "dimension", _("Dimension")
        STRATEGY = "strategy", _("Strategy")
        SUB_STRATEGY = "sub_strategy", _("Sub-strategy")
        DEVELOPMENT_AREA = "development_area", _("Development area")
        OBJECTIVE = "objective", _("Objective")
        TACTIC = "tactic", _("Tactic")

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    code = models.CharField(_("code"), max_length=20, blank=True)
    title = models.TextField(_("title"))
    order = models.PositiveIntegerField(_("order"), default=0)
    key = models.CharField(_("seed key"), max_length=60, blank=True, help_text=_("Stable key from the imported file."))
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy element")
        verbose_name_plural = _("strategy framework")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], condition=~Q(key=""), name="node_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.code} {self.title}".strip()


class Variant(models.Model):
    """A field the document prints differently in another place (kept, never merged
    away), e.g. an OKR code written two ways or a project's amount in another section."""

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="variants")
    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=50)
    value = models.TextField(_("value as printed there"), blank=True, help_text=_("Empty: that table prints the cell empty."))
    source = models.CharField(_("where printed"), max_length=200)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("spelling variant")
        verbose_name_plural = _("spelling variants")
        ordering = ["plan", "content_type", "object_id", "field"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.field}: {self.value} ({self.source})"


class Discrepancy(models.Model):
    """A disagreement the document prints that no computed comparison can see: an amount
    that exists only inside a text, a count printed in one table against another, a
    schedule whose text names another month than its column, a formula that contradicts
    its definition, a date outside the period it reports on. Kept with the plan as the
    transcriber found it (what, and every place with the value printed there), so the
    plan check lists it next to the computed comparisons instead of losing it in a note."""

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="discrepancies")
    category = models.CharField(_("category"), max_length=20, choices=list(DOCUMENT_CATEGORIES.items()))
    severity = models.CharField(_("severity"), max_length=10, choices=list(SEVERITIES.items()), default=ERROR)
    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.CASCADE,
                                     null=True, blank=True)
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    what = models.CharField(_("what disagrees"), max_length=300,
                            help_text=_("What is printed differently, e.g. the project budget or the number of participants."))
    places = models.JSONField(_("places and printed values"), default=list, blank=True,
                              help_text=_("Each place: where it is printed (section, table, row) and the value printed there."))
    notes = models.TextField(_("notes"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("disagreement in the document")
        verbose_name_plural = _("disagreements in the document")
        ordering = ["plan", "order", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.what

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        places = self.places if isinstance(self.places, list) else None
        if places is None or any(
            not isinstance(p, dict) or not str(p.get("where") or "").strip() or "value" not in p for p in places
        ):
            raise ValidationError({"places": _("Each place needs \"where\" (section, table, row) and \"value\" "
                                               "(as printed there).")})
        if len(places) < 2:
            raise ValidationError({"places": _("A disagreement needs at least two places, each with the value "
                                               "printed there (%(count)s given).") % {"count": len(places)}})


# Where the tables that the plan book prints as printed are, as the seed files and the
# workbook name a variant's source (fixtures/plans/*/SCHEMA.md): what such a table prints
# differently from the detail tables is kept as variants with this source.
KR_KPI_SUMMARY_SOURCE = "สาระสำคัญของแผน (ตัววัดผล/ตัวชี้วัดความสำเร็จสำคัญ)"


def summary_table_source(section: int) -> str:
    """The source of a section's summary table (สรุปโครงการและงบประมาณ): 'ส่วนที่ ๒ สรุปโครงการ'."""
    return f"ส่วนที่ {to_thai_digits(str(section))} สรุปโครงการ"


class PrintedTotal(models.Model):
    """A total or count the document prints, kept so it can be checked against its lines."""

    class Section(models.IntegerChoices):
        PART1 = 1, _("Part 1: BMA plan")
        PART2 = 2, _("Part 2: district strategy")
        PART3 = 3, _("Part 3: routine projects")

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="printed_totals")
    section = models.PositiveSmallIntegerField(_("section"), choices=Section.choices)
    label = models.CharField(_("label"), max_length=300)
    amount = models.DecimalField(_("amount (baht)"), max_digits=16, decimal_places=2, null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    text = models.TextField(_("as printed"), blank=True)
    source = models.CharField(_("where printed"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("printed total")
        verbose_name_plural = _("printed totals")
        ordering = ["plan", "section", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) | Q(amount__isnull=True), name="printedtotal_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.label}"
