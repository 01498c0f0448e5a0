"""Benchmark: `generate_city` at city scale (default 50 organizations x 5 fiscal years),
the data the dashboard and city-view benchmarks run on. Prints the time of the run (and
of deleting an earlier run, with --replace), the peak memory of the process and the row
counts; record them in docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpiplan_bench_city SECRET_KEY=x \\
        .venv/bin/python benchmarks/bench_generate_city.py [--organizations 50] [--years 5] [--seed 1]

It migrates the database named in DATABASE_URL, loads the real plan if it is missing and
replaces the synthetic organizations of an earlier run.
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--organizations", type=int, default=50)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database.")
    call_command("migrate", verbosity=0)
    call_command("loadplan", if_missing=True, stdout=io.StringIO())

    from plandoc.management.commands.generate_city import synthetic_organizations
    from progress.models import ProgressEntry

    earlier = synthetic_organizations().count()
    out = io.StringIO()
    started = time.perf_counter()
    call_command("generate_city", organizations=args.organizations, years=args.years, seed=args.seed,
                 replace=True, stdout=out)
    took = time.perf_counter() - started
    print(out.getvalue().strip())
    print(f"earlier synthetic organizations replaced: {earlier}")
    print(f"generate_city --organizations {args.organizations} --years {args.years}: {took:.1f} s "
          f"(limit 600 s: {'ok' if took < 600 else 'TOO SLOW'})")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    synthetic = synthetic_organizations()
    reports = ProgressEntry.objects.filter(plan__organization__in=synthetic)
    print(f"progress reports of the synthetic organizations: {reports.count():,}")
    for state, n in sorted(reports.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")):
        print(f"  {state}: {n:,}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size: {cursor.fetchone()[0]}")


if __name__ == "__main__":
    main()
