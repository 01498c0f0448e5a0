from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from progress.demo import add_demo_quarter
from progress.models import ProgressEntry


class Command(BaseCommand):
    help = ("Give the real plan a first quarter of made-up progress (embedded database only, and only while it has "
            "no reports), so that the status page, the reports and the dashboard have something to show.")

    def handle(self, *args, **options):
        # Made-up results must never reach a real database.
        if not settings.EMBEDDED_MODE:
            raise CommandError("Demo progress is only for the embedded database (no DATABASE_URL).")
        plan = Plan.objects.filter(organization__short_name="สนข.ภาษีเจริญ").order_by("-fiscal_year_id").first()
        if plan is None:
            raise CommandError("Load the plan first: python manage.py loadplan")
        if ProgressEntry.objects.filter(plan=plan).exists():
            self.stdout.write("The plan already has progress reports: nothing added.")
            return
        count = add_demo_quarter(plan, 1)
        self.stdout.write(f"Demo progress: {count} reports of the first quarter (October-December) for {plan}.")
