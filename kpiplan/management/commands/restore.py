from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kpiplan.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into this settings' database, which "
        "must be empty (a new database, no migrate), and its MEDIA_ROOT, which must have no files."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"no such archive: {path}")
        try:
            manifest = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {manifest['engine']} database of {manifest['created']} and {manifest['media_files']} media file(s)"
        )
