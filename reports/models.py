"""Reports produced in the background: one row per request, the file kept privately
under MEDIA_ROOT (never served as media) until it expires."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import OrgScopedQuerySet


class ReportFileQuerySet(OrgScopedQuerySet):
    def expired(self, now: datetime.datetime | None = None):
        return self.filter(expires_at__lte=now or timezone.now())


class ReportFile(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting in the queue")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    ORG_PATH = "organization"

    kind = models.CharField(_("report"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    plan = models.ForeignKey("plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="report_files")
    # Denormalised from the plan so that access checks and lists need no join.
    organization = models.ForeignKey("plans.Organization", verbose_name=_("organization"), on_delete=models.CASCADE,
                                     related_name="report_files")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="report_files")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to="private/reports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    objects = ReportFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="reportfile_requester_recent"),
                   models.Index(fields=["expires_at"], name="reportfile_expires")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "ready", "failed"]), name="reportfile_status_valid"),
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(file=""), name="reportfile_ready_has_file"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="reportfile_expires_after_request"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @classmethod
    def expiry_from(cls, when: datetime.datetime) -> datetime.datetime:
        return when + datetime.timedelta(days=settings.REPORT_FILE_DAYS)

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


@receiver(post_delete, sender=ReportFile)
def _delete_stored_file(sender, instance: ReportFile, **kwargs):
    """However a row goes (purge, admin, a deleted plan), its file goes with it."""
    if instance.file:
        instance.file.delete(save=False)
