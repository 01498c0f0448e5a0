"""Progress of plan items, period by period, with its review workflow."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Indicator
from plans.models import Division, Organization, OrgScopedQuerySet, Period, Plan
from projects.models import Project, WorkStep


class State(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the head")
    ENDORSED = "endorsed", _("Endorsed by the head")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


EDITABLE_STATES = {State.NOT_STARTED, State.DRAFT, State.RETURNED}


def measure_decimals(stored: dict | None) -> dict[str, Decimal]:
    """Values per measure as stored (JSON keeps decimals as text) as Decimals; empty boxes left out."""
    return {label: Decimal(v) for label, v in (stored or {}).items() if v not in (None, "")}


def counted_measures(reported: dict | None, verified: dict | None) -> dict[str, Decimal]:
    """Each measure's value that counts, from the stored JSON of a report (or of .values()
    rows): the verified one where the planner gave it, else the reported one."""
    return {**measure_decimals(reported), **measure_decimals(verified)}


class ProgressQuerySet(OrgScopedQuerySet):
    def for_period(self, period):
        return self.filter(period=period)

    def official(self):
        """Submitted or later: the numbers that count on every page, report and API.
        Drafts and returned reports are the division's own work in progress."""
        return self.exclude(state__in=[str(s) for s in EDITABLE_STATES])

    def with_items(self):
        return self.select_related("indicator", "project", "division", "period", "plan__organization")


class ProgressEntry(models.Model):
    """What a division reports for one indicator or project in one period."""

    ORG_PATH = "plan__organization"

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="progress_entries")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="progress_entries")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), null=True, blank=True, on_delete=models.CASCADE, related_name="progress"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="progress"
    )
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="progress")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)

    value = models.DecimalField(_("result"), max_digits=18, decimal_places=4, null=True, blank=True)
    value_is_cumulative = models.BooleanField(_("result is cumulative"), default=True)
    # An indicator whose target has several measures (indicators.models.measures_of) is
    # reported one value per measure, by the measure's label; `value` is then their total,
    # kept so "has a result" reads the same for every report.
    measure_values = models.JSONField(_("result per measure"), default=dict, blank=True)
    narrative = models.TextField(_("what was done"), blank=True)
    obstacles = models.TextField(_("obstacles"), blank=True)
    suggestions = models.TextField(_("suggestions"), blank=True)
    percent_complete = models.DecimalField(_("percent complete"), max_digits=5, decimal_places=2, null=True, blank=True)
    disbursed = models.DecimalField(_("budget disbursed to date (baht)"), max_digits=16, decimal_places=2, null=True, blank=True)
    steps_done = models.ManyToManyField(WorkStep, verbose_name=_("work steps done"), blank=True, related_name="done_in")
    # A result far from what the target suggests (progress.plausibility) is kept only
    # with the explanation of the person who entered it, and flagged until verified.
    implausible_reason = models.TextField(_("why the result looks unusual"), blank=True)
    implausible_note = models.TextField(_("explanation of the unusual result"), blank=True)

    # Indicator 1.2 is computed from Traffy's tickets (traffy.proposal): the proposal a
    # result was confirmed or overridden against, kept so reports can cite the counts and
    # the import behind it, and why the person reporting entered another value.
    proposed_value = models.DecimalField(_("value proposed by Traffy"), max_digits=7, decimal_places=2, null=True,
                                         blank=True)
    proposed_received = models.PositiveIntegerField(_("Traffy tickets received"), null=True, blank=True)
    proposed_resolved = models.PositiveIntegerField(_("Traffy tickets resolved"), null=True, blank=True)
    proposed_batch = models.ForeignKey("traffy.Batch", verbose_name=_("Traffy import proposed from"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+")
    # The batch may be deleted; its source and time stay citable.
    proposed_source = models.CharField(_("Traffy source"), max_length=500, blank=True)
    proposed_as_of = models.DateTimeField(_("Traffy figures as of"), null=True, blank=True)
    proposal_note = models.TextField(_("reason for differing from Traffy's value"), blank=True)

    verified_value = models.DecimalField(_("verified result"), max_digits=18, decimal_places=4, null=True, blank=True)
    verified_measure_values = models.JSONField(_("verified result per measure"), default=dict, blank=True)
    evaluation_comment = models.TextField(_("evaluation comment"), blank=True)
    return_comment = models.TextField(_("reason for return"), blank=True)

    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[steps_done])

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period", "division", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(indicator__isnull=False) & Q(project__isnull=True)) | (Q(indicator__isnull=True) & Q(project__isnull=False)),
                name="progress_one_item",
            ),
            models.UniqueConstraint(fields=["period", "indicator"], condition=Q(indicator__isnull=False), name="progress_indicator_period"),
            models.UniqueConstraint(fields=["period", "project"], condition=Q(project__isnull=False), name="progress_project_period"),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | (Q(percent_complete__gte=0) & Q(percent_complete__lte=100)),
                name="progress_percent_0_100",
            ),
            models.CheckConstraint(condition=Q(disbursed__isnull=True) | Q(disbursed__gte=0), name="progress_disbursed_nonneg"),
            models.CheckConstraint(condition=~Q(state="not_started"), name="progress_stored_has_state"),
        ]
        indexes = [
            # The newest change of any report, read by progress.versions.year_version for
            # every city view: a lookup rather than a scan of every report.
            models.Index(fields=["updated_at"], name="progress_entry_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.item} — {self.period}"

    @property
    def item(self):
        return self.indicator or self.project

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def counted_value(self):
        """The result that counts: the evaluator's verified value when there is one."""
        return self.verified_value if self.verified_value is not None else self.value

    @property
    def measures(self) -> dict[str, Decimal]:
        """The reported value of each measure, by label (empty for a one-number result)."""
        return measure_decimals(self.measure_values)

    @property
    def verified_measures(self) -> dict[str, Decimal]:
        return measure_decimals(self.verified_measure_values)

    @property
    def counted_measures(self) -> dict[str, Decimal]:
        """Each measure's value that counts: the verified one where the planner gave it."""
        return counted_measures(self.measure_values, self.verified_measure_values)

    @property
    def value_flagged(self) -> bool:
        """An unusual result confirmed by the division, waiting for the planner's check
        (drafts are the division's own; an approved report has been verified)."""
        return bool(self.implausible_reason) and self.state in (State.SUBMITTED, State.ENDORSED)


class Evidence(models.Model):
    """A file that backs a reported result; stored privately, served after an access check."""

    ORG_PATH = "entry__plan__organization"

    entry = models.ForeignKey(ProgressEntry, verbose_name=_("progress report"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
        null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # When a photo says it was taken (its EXIF date, the camera's local time): evidence of *when*.
    taken_at = models.DateTimeField(_("photo taken at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        """Shown as a thumbnail (progress.views.evidence_thumbnail) rather than by its name alone."""
        return self.content_type.startswith("image/")


class PeriodLock(models.Model):
    """A planner's lock on one organization's reports for one period."""

    ORG_PATH = "organization"

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="period_locks")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="locks")
    locked = models.BooleanField(_("locked"), default=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"),
        null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("period lock")
        verbose_name_plural = _("period locks")
        constraints = [models.UniqueConstraint(fields=["organization", "period"], name="periodlock_unique")]

    def __str__(self) -> str:
        return f"{self.organization.short_name} {self.period}"


class ReopenRequestQuerySet(OrgScopedQuerySet):
    def open(self):
        return self.filter(answered_at__isnull=True)


class ReopenRequest(models.Model):
    """A division asks the planner to reopen a locked period; the planner's reopen
    answers it, and the division sees the answer on its work page."""

    ORG_PATH = "organization"

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="reopen_requests")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="reopen_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    division = models.ForeignKey(Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="reopen_requests")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    objects = ReopenRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request to reopen a period")
        verbose_name_plural = _("requests to reopen a period")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.division} {self.period}"


def is_locked(organization, period) -> bool:
    return PeriodLock.objects.filter(organization=organization, period=period, locked=True).exists()


def due_date(plan: Plan, period: Period) -> datetime.date:
    return period.end + datetime.timedelta(days=plan.report_due_days)


class Assessment(models.Model):
    """A performance-agreement indicator's rubric result for a period: the district's
    self-assessment and the evaluator's result are kept side by side."""

    class Kind(models.TextChoices):
        SELF = "self", _("Self-assessment")
        EVALUATOR = "evaluator", _("Evaluator")

    ORG_PATH = "indicator__plan__organization"

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="assessments")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    measures = models.JSONField(_("measured values"), default=dict, blank=True)
    confirmed = models.JSONField(_("conditions confirmed with evidence"), default=list, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=0)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"),
        null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rubric assessment")
        verbose_name_plural = _("rubric assessments")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "kind"], name="assessment_unique"),
            models.CheckConstraint(condition=Q(level__gte=0) & Q(level__lte=5), name="assessment_level_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.get_kind_display()}"
