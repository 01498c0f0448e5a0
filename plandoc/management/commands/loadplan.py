from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plandoc.loader import PlanLoadError, load_plan_directory

DEFAULT_DIRECTORY = settings.BASE_DIR / "fixtures" / "plans" / "phasi-charoen-2567"


class Command(BaseCommand):
    help = "Load a plan from a folder of YAML files (default: the Phasi Charoen FY 2567 plan)."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(DEFAULT_DIRECTORY))
        parser.add_argument("--replace", action="store_true", help="Replace the plan if it is already loaded.")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when the plan is already loaded."
        )

    def handle(self, *args, directory, replace, if_missing, **options):
        try:
            result = load_plan_directory(directory, replace=replace)
        except PlanLoadError as exc:
            if if_missing and len(exc.problems) == 1 and "already loaded" in exc.problems[0]:
                self.stdout.write(exc.problems[0].split(" (use")[0])
                return
            raise CommandError("\n".join(exc.problems)) from exc
        counts = ", ".join(f"{k}: {v}" for k, v in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded {result.plan} ({counts})"))
