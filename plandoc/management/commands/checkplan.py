from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from plandoc.checks import check_plan
from plans.findings import CATEGORIES, SEVERITIES
from plans.models import Plan
from progress.quality import progress_findings


class Command(BaseCommand):
    help = ("Print every place where a stored plan disagrees with itself or with the totals it prints, "
            "then the data-quality problems of its reported progress.")

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, help="Plan id (default: every plan).")
        parser.add_argument("--category", action="append", choices=list(CATEGORIES), help="Only these categories (repeatable).")
        parser.add_argument("--severity", choices=list(SEVERITIES), help="Only errors or only warnings.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="th (default) or en.")

    def handle(self, *args, plan=None, category=None, severity=None, language, **options):
        plans = Plan.objects.select_related("organization", "fiscal_year")
        if plan is not None:
            plans = plans.filter(pk=plan)
            if not plans.exists():
                raise CommandError(f"No plan with id {plan}.")
        with translation.override(language):
            for p in plans:
                findings = [f for f in check_plan(p) + progress_findings(p)
                            if (not category or f.category in category) and (not severity or f.severity == severity)]
                self.stdout.write(f"# {p} (id {p.pk}): {len(findings)}")
                for finding in findings:
                    self.stdout.write(str(finding))
