"""Benchmark: loading the real plan, checking it, and the progress pages with a full
year of reports. Prints figures; record them in docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpiplan_bench SECRET_KEY=x \\
        .venv/bin/python benchmarks/bench_plan_and_progress.py

It uses (and resets) the database named in DATABASE_URL.
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

ALLOWED = ["testserver"]


def timed(label, fn, repeat=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(f"{label:<55} {statistics.median(times) * 1000:9.1f} ms (median of {repeat})")
    return result


def main():
    if "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...)")
    call_command("migrate", verbosity=0)
    def load():
        with open(os.devnull, "w") as devnull:
            call_command("loadplan", replace=True, verbosity=0, stdout=devnull)

    timed("loadplan (real FY2567 plan, --replace)", load)
    from plandoc.checks import check_plan
    from plans.models import Division, Period, Plan

    plan = Plan.objects.get(organization__short_name="สนข.ภาษีเจริญ")
    findings = timed("check_plan", lambda: check_plan(plan), repeat=5)
    print(f"{'  findings':<55} {len(findings):9d}")

    from django.contrib.auth.models import User

    from accounts import roles
    from progress.selectors import items_for
    from progress.services import entry_save, entry_submit
    from tests.factories import make_user

    User.objects.filter(username__startswith="bench_").delete()
    org = plan.organization
    staff = {d.pk: make_user(f"bench_staff_{d.pk}", roles.DIVISION_STAFF, org, d) for d in Division.objects.filter(organization=org)}
    planner = make_user("bench_planner", roles.PLANNER, org)
    months = list(Period.objects.filter(fiscal_year_id=2567, kind="month").order_by("number"))
    from progress.models import ProgressEntry

    ProgressEntry.objects.filter(plan=plan).delete()
    count = 0
    start = time.perf_counter()
    for period in months:
        for item in items_for(plan, period):
            user = staff[item.division_id]
            # 10 is unusual against a small target (pa:1.1.1, 1.53 km): confirmed in writing, as staff would.
            data = ({"value": Decimal("10"), "narrative": "ดำเนินการตามแผน", "implausible_confirmed": True,
                     "implausible_note": "ค่าทดสอบประสิทธิภาพ"} if item.kind == "indicator"
                    else {"percent_complete": Decimal("50"), "disbursed": Decimal("1000"), "narrative": "ดำเนินการตามแผน"})
            entry = entry_save(user=user, plan=plan, period=period, item=item, data=data, version=0)
            entry_submit(user=user, entry=entry, version=entry.version)
            count += 1
    elapsed = time.perf_counter() - start
    print(f"{'save + submit through the service (per report)':<55} {elapsed / count * 1000:9.1f} ms ({count} reports)")

    client = Client()
    roads = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    client.force_login(staff[roads.pk])
    last = months[-1]
    with override_settings(ALLOWED_HOSTS=ALLOWED, DEBUG=True):
        for label, user, url in [
            ("GET /work/ (ฝ่ายโยธา, full year reported)", staff[roads.pk], f"/work/?period={last.pk}"),
            ("GET /completeness/ (whole office)", planner, f"/completeness/?period={last.pk}"),
            ("GET /review/ (whole office)", planner, f"/review/?period={last.pk}"),
            (f"GET /plans/{plan.pk}/check/", planner, f"/plans/{plan.pk}/check/"),
        ]:
            client.force_login(user)
            reset_queries()
            timed(label, lambda url=url: client.get(url), repeat=10)
            client.get(url)
            print(f"{'  queries':<55} {len(connection.queries):9d}")


if __name__ == "__main__":
    main()
