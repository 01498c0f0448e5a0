"""A busy office on the embedded database, for tests/test_sqlite_concurrency.py: staff save
and submit reports, the head endorses, the planner verifies and asks for reports that the
worker (another process) makes, and an administrator adds users, in a loop through the
real views, for a bounded time. Prints one JSON line: operations done and failures.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 SECRET_KEY=x python tests/sqlite_traffic.py SECONDS
"""

import json
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()


def main(seconds: float) -> dict:
    from django.test import Client
    from django.urls import reverse

    from accounts import roles
    from indicators.models import Indicator
    from plans.models import Division, Period, Plan
    from progress.models import ProgressEntry
    from tests.factories import make_user

    plan = Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ")
    roads = Division.objects.get(organization=plan.organization, name="ฝ่ายโยธา")
    staff = make_user("traffic_staff", roles.DIVISION_STAFF, plan.organization, roads)
    head = make_user("traffic_head", roles.DIVISION_HEAD, plan.organization, roads)
    planner = make_user("traffic_planner", roles.PLANNER, plan.organization)
    admin = make_user("traffic_admin", roles.ADMINISTRATOR, None, superuser=True)
    clients = {}
    for user in (staff, head, planner, admin):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    items = [(p, i) for p in Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind="month").order_by("number")
             for i in Indicator.objects.filter(plan=plan, division=roads).order_by("pk")]
    done, failures = 0, []

    def check(response, what):
        nonlocal done
        if response.status_code >= 400:
            failures.append(f"{what}: HTTP {response.status_code} {response.content[:200]!r}")
        else:
            done += 1

    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end and n < len(items):
        period, indicator = items[n]
        url = reverse("progress:entry", args=[period.pk, "indicator", indicator.pk])
        try:
            # (measure_*: the boxes of an indicator reported by measure, OKR 1.4.07; other forms ignore them)
            check(clients["traffic_staff"].post(url, {"action": "submit", "version": "0", "value": "๑", "measure_0": "๑",
                                                      "measure_1": "๑", "value_is_cumulative": "on",
                                                      "narrative": "ดำเนินการตามแผน"}), "submit")
            entry = ProgressEntry.objects.get(period=period, indicator=indicator)
            check(clients["traffic_head"].post(url, {"action": "endorse", "version": entry.version}), "endorse")
            entry.refresh_from_db()
            check(clients["traffic_planner"].post(url, {"action": "verify", "version": entry.version, "verified_value": "1",
                                                        "verified_measure_0": "1", "verified_measure_1": "1",
                                                        "evaluation_comment": "ตรวจแล้ว"}), "verify")
            check(clients["traffic_planner"].post(f"{reverse('reports:request', args=['scorecard'])}?plan={plan.pk}&period={period.pk}"),
                  "request report")
            check(clients["traffic_admin"].post(reverse("admin:auth_user_add"), {
                "username": f"new_user_{n}", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1",
                "usable_password": "true"}), "add user")
        except Exception:  # noqa: BLE001 - every failure is counted and shown, none stops the loop
            failures.append(traceback.format_exc(limit=3))
        n += 1
    return {"done": done, "rounds": n, "failures": failures}


if __name__ == "__main__":
    print(json.dumps(main(float(sys.argv[1]))), flush=True)
