from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kpiplan.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database (pg_dump custom format, or an SQLite copy) and every media file "
        "into one .tar.gz archive. Restore it with `manage.py restore ARCHIVE`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive", nargs="?",
            help="where to write (default: var/backups/kpiplan-YYYYMMDD-HHMMSS.tar.gz)",
        )

    def handle(self, *args, archive, **options):
        if archive:
            path = Path(archive)
        else:
            path = settings.BASE_DIR / "var" / "backups" / f"kpiplan-{datetime.now():%Y%m%d-%H%M%S}.tar.gz"
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path}: {manifest['engine']} database and {manifest['media_files']} media file(s)")
