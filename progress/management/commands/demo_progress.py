import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DemoAccountsRefused, create_demo_accounts, division_reporters
from plans.models import Plan
from progress.demo import add_demo_year
from progress.models import Evidence, ProgressEntry


class Command(BaseCommand):
    help = ("Give the real plan a year of made-up progress (embedded database only): every month of its fiscal year "
            "that has ended, written through the same steps as the divisions and the planner take (saved, evidence "
            "attached, submitted, some late, some returned and corrected, approved, verified), so that the status "
            "page, the reports, the dashboard and the history have something to show. Does nothing when the plan "
            "already has reports, unless --replace.")

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true",
                            help="Delete the plan's reports (and their history and evidence) and make the year again.")

    def handle(self, *args, replace=False, **options):
        # Made-up results must never reach a real database.
        if not settings.EMBEDDED_MODE:
            raise CommandError("Demo progress is only for the embedded database (no DATABASE_URL).")
        plan = Plan.objects.filter(organization__short_name="สนข.ภาษีเจริญ").order_by("-fiscal_year_id").first()
        if plan is None:
            raise CommandError("Load the plan first: python manage.py loadplan")
        if ProgressEntry.objects.filter(plan=plan).exists():
            if not replace:
                self.stdout.write("The plan already has progress reports: nothing added (--replace makes them again).")
                return
            for evidence in Evidence.objects.filter(entry__plan=plan):
                evidence.file.delete(save=False)
            ProgressEntry.objects.filter(plan=plan).delete()
            ProgressEntry.history.filter(plan_id=plan.pk).delete()
        try:
            create_demo_accounts(plan.organization)
            reporters = division_reporters(plan.organization)
        except DemoAccountsRefused as exc:
            raise CommandError(str(exc)) from exc
        planner = User.objects.get(username="planner")
        started = time.monotonic()
        year = add_demo_year(plan, planner=planner, reporters=reporters)
        self.stdout.write(
            f"Demo progress for {plan}: {year.reports} reports of {year.months} months through the workflow "
            f"({year.late} submitted late, {year.returned} returned for correction, {year.waiting} still waiting "
            f"in the last month, {year.evidence} evidence images) in {time.monotonic() - started:.0f} s.")
