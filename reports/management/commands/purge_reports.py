from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.models import ReportFile


class Command(BaseCommand):
    help = "Delete background-made report files past their expiry, with their rows. Safe to run daily (cron)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run, **options):
        expired = ReportFile.objects.expired(timezone.now())
        count = expired.count()
        if not dry_run:
            # Row by row through the model's delete signal, which removes each file.
            expired.delete()
        self.stdout.write(f"{count} expired report file(s){' (dry run)' if dry_run else ' deleted'}")
