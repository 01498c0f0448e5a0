import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notices.services import mark_mailed, pending_digests
from progress.reminders import remind


def _message(digest) -> tuple[str, str, None, list[str]]:
    user = digest.user
    lines = [f"- {notice.text()}" for notice in digest.notices]
    body = "\n".join([_("Dear %(name)s,") % {"name": user.get_full_name() or user.username}, "", *lines, "",
                      _("Your notices are on kpiplan: %(url)s") % {"url": f"{settings.KPIPLAN_BASE_URL}/notices/"}])
    subject = _("kpiplan: %(n)s new notices") % {"n": len(lines)}
    return subject, body, None, [user.email]


class Command(BaseCommand):
    help = ("Write notices of reports due within N days or overdue, and of reports waiting for a head; then e-mail "
            "each person who wants e-mail one message listing their new notices. Safe to run daily, or twice.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="write nothing and send nothing, only count")

    def handle(self, *args, days, today, dry_run, **options):
        today = today or timezone.localdate()
        with transaction.atomic():
            new = remind(today, days)
            with translation.override(settings.LANGUAGE_CODE):
                digests, pending = pending_digests()
                messages = [_message(d) for d in digests]
            if dry_run:
                transaction.set_rollback(True)
            else:
                # Marked first, in the same transaction: if the mail server refuses, nothing
                # is marked and the next run tries again.
                mark_mailed(pending)
                send_mass_mail(messages, fail_silently=False)
        self.stdout.write(f"{new} new notice(s); {len(messages)} e-mail(s){' (dry run)' if dry_run else ' sent'}")
