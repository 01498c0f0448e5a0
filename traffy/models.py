"""Traffy Fondue complaints as data (issue 16): one row per ticket and organization, the
last state winning, every state change kept, and each batch that brought tickets in
(a CSV export, a GeoJSON file, a run of the fetch command) recorded with where and when,
so the KPI of table ค indicator 1.2 can name its source. Photos stay links on Traffy's
servers; nothing is copied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Organization, OrgScopedQuerySet

# The state Traffy gives a ticket it considers resolved (state_type_latest "finish").
FINISHED = "เสร็จสิ้น"


class Batch(models.Model):
    """One import or fetch: where the numbers came from and when."""

    class Kind(models.TextChoices):
        CSV = "csv", _("CSV export")
        GEOJSON = "geojson", _("GeoJSON file")
        API = "api", _("Traffy statistics API")

    ORG_PATH = "organization"

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="traffy_batches")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=500, help_text=_("The file's name, or the API address and window."))
    window_start = models.DateTimeField(_("from"), null=True, blank=True)
    window_end = models.DateTimeField(_("until"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL)
    read = models.PositiveIntegerField(_("tickets read"), default=0)
    created = models.PositiveIntegerField(_("new tickets"), default=0)
    updated = models.PositiveIntegerField(_("tickets updated"), default=0)
    unchanged = models.PositiveIntegerField(_("tickets unchanged"), default=0)
    other_districts = models.PositiveIntegerField(_("tickets of other districts (skipped)"), default=0)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Traffy import")
        verbose_name_plural = _("Traffy imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source}"


class Ticket(models.Model):
    """A complaint as Traffy last reported it."""

    ORG_PATH = "organization"

    organization = models.ForeignKey(Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="traffy_tickets")
    ticket_id = models.CharField(_("ticket"), max_length=40)
    problem_types = models.JSONField(_("problem types"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    photo_url = models.URLField(_("photo"), max_length=500, blank=True)
    after_photo_url = models.URLField(_("photo after"), max_length=500, blank=True)
    org_text = models.TextField(_("organizations as given"), blank=True)
    org_action = models.TextField(_("organization acting"), blank=True)
    district = models.CharField(_("district as given"), max_length=100, blank=True)
    subdistrict = models.CharField(_("sub-district"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=40)
    reported_at = models.DateTimeField(_("reported"))
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    in_progress_at = models.DateTimeField(_("in progress since"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    count_reopen = models.PositiveIntegerField(_("times re-opened"), default=0)
    star = models.DecimalField(_("rating"), max_digits=3, decimal_places=1, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    batch = models.ForeignKey(Batch, verbose_name=_("last import"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="tickets")

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Traffy ticket")
        verbose_name_plural = _("Traffy tickets")
        ordering = ["-reported_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "ticket_id"], name="traffy_ticket_unique")]
        indexes = [
            models.Index(fields=["organization", "reported_at"]),
            models.Index(fields=["organization", "finished_at"]),
            models.Index(fields=["organization", "state"]),
        ]

    def __str__(self) -> str:
        return self.ticket_id

    @property
    def is_finished(self) -> bool:
        return self.state == FINISHED


class TicketState(models.Model):
    """Every state a ticket was seen in, in the order it was seen: the last state wins on
    the ticket, the earlier ones stay here."""

    ORG_PATH = "ticket__organization"

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="states")
    state = models.CharField(_("state"), max_length=40)
    at = models.DateTimeField(_("as of"), help_text=_("Traffy's last activity time when this state was seen."))
    batch = models.ForeignKey(Batch, verbose_name=_("import"), null=True, blank=True, on_delete=models.SET_NULL)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Traffy ticket state")
        verbose_name_plural = _("Traffy ticket states")
        ordering = ["ticket", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.state}"
