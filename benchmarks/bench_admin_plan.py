"""Benchmark: the admin's plan change page (/admin/plans/plan/<id>/change/, issue 14
item 6: "takes 1.7 s and 461 KB today: make it light"), as an administrator, in this
process through Django's test client (no network): bytes, queries and time per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a database with the real plan> SECRET_KEY=x \\
        .venv/bin/python benchmarks/bench_admin_plan.py [--requests 20]

Record the results in docs/benchmarks.md.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from plans.models import Plan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()  # the test client's host and response context
    plan = Plan.objects.order_by("pk").first()
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(admin)
    url = f"/admin/plans/plan/{plan.pk}/change/"
    first = time.perf_counter()
    response = client.get(url)
    first_ms = (time.perf_counter() - first) * 1000
    assert response.status_code == 200, response.status_code
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    print(f"{url}: {len(response.content):,} bytes, {len(queries)} queries, first {first_ms:.0f} ms, "
          f"p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {args.requests}")


if __name__ == "__main__":
    main()
