"""The Traffy page on the embedded default (SQLite), where the quick start runs: its SQL
(the types of a ticket, the resolution times, the urgent types) has a SQLite form too.
The suite's own database is PostgreSQL, so this runs in a subprocess on a fresh file."""

import os
import subprocess
import sys
import textwrap

from django.conf import settings

SCRIPT = textwrap.dedent("""
    import django, os
    os.environ["DJANGO_SETTINGS_MODULE"] = "kpiplan.settings"
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    call_command("migrate", verbosity=0)
    call_command("loadplan", verbosity=0, stdout=open(os.devnull, "w"))
    from accounts import roles
    from plans.models import Organization
    from tests.factories import make_user
    from traffy.importer import import_file
    from traffy.models import Ticket
    org = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    planner = make_user("planner", roles.PLANNER, org)
    with open("traffy/tests/data/thai_headers.csv", "rb") as f:
        import_file(organization=org, user=planner, data=f.read(), filename="thai_headers.csv", dry_run=False)
    setup_test_environment()
    client = Client()
    client.force_login(planner)
    page = client.get(f"/traffy/{org.pk}/", {"year": 2567}, HTTP_HOST="testserver")
    print(page.status_code, Ticket.objects.count())
    print(page.content.decode())
""")


def test_the_traffy_page_works_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'traffy.sqlite3'}"
    env["SECRET_KEY"] = "sqlite-test"
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    status, body = done.stdout.split("\n", 1)
    assert status == "200 7"
    assert "๔๒.๘๖" in body  # 3 of the 7 tickets resolved, as on PostgreSQL
    assert "ตามประเภทปัญหา" in body  # the counts by type, through json_each
