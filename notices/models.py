"""What the app tells one person: a report returned to them, one waiting for their
approval, a deadline, an answer. Each event is written once per person (the key), shown
in the list under the header's bell, and listed once in the daily e-mail."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from kpiplan.lib.thai import format_date_in
from plans.models import Period


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    RETURNED = "returned", _("Returned to you")
    TO_APPROVE = "to_approve", _("Waiting for your approval")
    TO_VERIFY = "to_verify", _("Waiting for your verification")
    REOPEN_REQUEST = "reopen_request", _("Request to reopen a period")
    REOPEN_ANSWER = "reopen_answer", _("Answer to your request")
    REPORT_READY = "report_ready", _("Report ready")


# The sentence of each kind, filled with the notice's params when it is shown, so it reads
# in the reader's language. The params are names as they were when the event happened
# (items, periods and divisions are Thai whatever the language).
def _sentences() -> dict[str, str]:
    return {
        Kind.DUE_SOON: gettext("%(period)s: %(item)s — due %(date)s"),
        Kind.OVERDUE: gettext("%(period)s: %(item)s — overdue since %(date)s"),
        Kind.RETURNED: gettext("%(period)s: %(item)s — returned to you: %(comment)s"),
        Kind.TO_APPROVE: gettext("%(period)s: %(item)s — waiting for your approval"),
        Kind.TO_VERIFY: gettext("%(period)s: %(item)s — approved by the head of %(division)s, waiting for your verification"),
        Kind.REOPEN_REQUEST: gettext("%(division)s asks to reopen %(period)s: %(reason)s"),
        Kind.REOPEN_ANSWER: gettext("%(period)s was reopened, answering your request: %(answer)s"),
        Kind.REPORT_READY: gettext("Your report is ready to download: %(report)s"),
    }


def _named(value) -> str:
    """A stored name; a period (stored as what names it) in the reader's language."""
    if isinstance(value, dict) and {"fiscal_year", "kind", "number"} <= value.keys():
        return str(Period(fiscal_year_id=value["fiscal_year"], kind=value["kind"], number=value["number"]))
    return str(value)


class NoticeQuerySet(models.QuerySet):
    def for_recipient(self, user):
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mail_pending(self):
        return self.filter(mail_done_at__isnull=True)


class Notice(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("words shown"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # The event (e.g. "returned:<report>:<version>"): one notice per event and person, so
    # a daily run or a repeated call never shows the same thing twice.
    key = models.CharField(_("event"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # When the daily mail dealt with it: listed it, or passed it by (e-mail off, no
    # address, read already, or mailed at once). Turning e-mail on never sends old news.
    mail_done_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_event"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="notice_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_recent"),
            # The bell's count on every page: only the unread rows are in it.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"),
            models.Index(fields=["recipient"], condition=Q(mail_done_at__isnull=True), name="notice_mail_pending"),
        ]

    def __str__(self) -> str:
        return self.text()

    def text(self) -> str:
        words = {name: _named(value) for name, value in self.params.items()}
        if "date" in self.params:
            words["date"] = format_date_in(datetime.date.fromisoformat(self.params["date"]), get_language())
        try:
            return _sentences()[self.kind] % words
        except (KeyError, ValueError, TypeError):  # a row older than its sentence: say at least what it is
            return self.get_kind_display()


class MailSetting(models.Model):
    """A person's choice of the daily e-mail; without a row it is on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                primary_key=True, related_name="notice_mail")
    email = models.BooleanField(_("send me notices by e-mail"), default=True)

    class Meta:
        verbose_name = _("notice e-mail setting")
        verbose_name_plural = _("notice e-mail settings")

    def __str__(self) -> str:
        return f"{self.user} {self.email}"
