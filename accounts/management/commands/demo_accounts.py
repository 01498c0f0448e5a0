import os

from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DemoAccountsRefused, create_demo_accounts, describe


class Command(BaseCommand):
    help = "Create the demo accounts (every role; staff and head in two divisions) (embedded database only) and print them."

    def handle(self, *args, **options):
        try:
            accounts = create_demo_accounts()
        except DemoAccountsRefused as exc:
            raise CommandError(str(exc)) from exc
        address = os.environ.get("KPIPLAN_ADDR") or "127.0.0.1:8000"  # where bin/serve serves
        self.stdout.write(f"Demo accounts (username, password, role) — http://{address}/")
        for line in describe(accounts):
            self.stdout.write(line)
