from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DemoAccountsRefused, create_demo_accounts, describe


class Command(BaseCommand):
    help = "Create one demo account per role (embedded database only) and print them."

    def handle(self, *args, **options):
        try:
            accounts = create_demo_accounts()
        except DemoAccountsRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo accounts (username, password, role) — http://127.0.0.1:8000/")
        for line in describe(accounts):
            self.stdout.write(line)
