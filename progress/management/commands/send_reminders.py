import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from progress.reminders import reminders


class Command(BaseCommand):
    help = "E-mail staff whose reports are due within N days or overdue, and heads with reports waiting. Safe to run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, today, dry_run, **options):
        today = today or timezone.localdate()
        with translation.override(settings.LANGUAGE_CODE):
            found = reminders(today, days)
            messages = [(r.subject(), r.body(), None, [r.user.email]) for r in found]
        if not dry_run:
            send_mass_mail(messages, fail_silently=False)
        self.stdout.write(f"{len(messages)} reminder(s){' (dry run)' if dry_run else ' sent'}")
