"""Benchmark: importing a 10,000-row progress sheet through the real path (read the
.xlsx, dry run, then the import in one transaction), first as new reports, then the
same sheet with every row changed (updates). Prints times and query counts; record
them in docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpiplan_bench_import SECRET_KEY=x \\
        .venv/bin/python benchmarks/bench_import.py

It uses (and resets its own synthetic organization in) the database named in DATABASE_URL.
"""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ROWS = 10_000
INDICATORS = 850  # x 12 months = 10,200 reportable rows
FISCAL_YEAR = 2568


def build():
    from accounts import roles
    from indicators.models import Indicator
    from plans.models import Division, FiscalYear, Organization, Plan
    from progress.models import ProgressEntry
    from tests.factories import make_user

    fy = FiscalYear.ensure(FISCAL_YEAR)
    old = list(Plan.objects.filter(organization__short_name="สนข.ทดสอบนำเข้า").values_list("pk", flat=True))
    ProgressEntry.objects.filter(plan_id__in=old).delete()
    ProgressEntry.history.filter(plan_id__in=old).delete()
    from django.contrib.auth.models import User

    User.objects.filter(username="bench_import_staff").delete()
    Plan.objects.filter(pk__in=old).delete()
    Division.objects.filter(organization__short_name="สนข.ทดสอบนำเข้า").delete()
    Organization.objects.filter(short_name="สนข.ทดสอบนำเข้า").delete()
    org = Organization.objects.create(short_name="สนข.ทดสอบนำเข้า", name="สำนักงานเขตทดสอบนำเข้า", kind=Organization.Kind.DISTRICT)
    division = Division.objects.create(organization=org, name="ฝ่ายทดสอบนำเข้า")
    plan = Plan.objects.create(organization=org, fiscal_year=fy, title="แผนทดสอบนำเข้า ๑๐,๐๐๐ แถว")
    Indicator.objects.bulk_create([
        Indicator(plan=plan, kind=Indicator.Kind.OKR, code=f"9.{n // 100}.{n % 100:02d}", name=f"ตัวชี้วัดทดสอบ {n}",
                  division=division, reporting_frequency="month", cumulative=True, key=f"bench:{n:04d}", order=n)
        for n in range(INDICATORS)
    ])
    staff = make_user("bench_import_staff", roles.DIVISION_STAFF, org, division)
    return plan, division, staff


def workbook(plan, division, value: str, narrative: str) -> bytes:
    import openpyxl

    from indicators.models import Indicator
    from plans.models import Period
    from progress import sheet as cols

    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("ผลการดำเนินงาน")
    ws.append([cols.KIND, cols.CODE, cols.NAME, cols.DIVISION, cols.PERIOD, cols.VALUE, cols.CUMULATIVE, cols.NARRATIVE,
               cols.OBSTACLES, cols.SUGGESTIONS, cols.PERCENT, cols.DISBURSED, cols.STATE])
    months = list(Period.objects.filter(fiscal_year_id=plan.fiscal_year_id, kind="month").order_by("number"))
    indicators = list(Indicator.objects.filter(plan=plan).order_by("order"))
    count = 0
    for month in months:
        label = cols.period_label(month)
        for n, indicator in enumerate(indicators):
            if count == ROWS:
                break
            ws.append(["ตัวชี้วัด", indicator.key, indicator.name, division.name, label, f"{value}{n % 97},๒๕๐.๕",
                       "ใช่", narrative, "", "", None, None, "ยังไม่รายงาน"])
            count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(label, fn):
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    print(f"{label:<58} {elapsed:8.2f} s {len(ctx.captured_queries):6d} queries")
    return result, elapsed


def main():
    if "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...)")
    call_command("migrate", verbosity=0)
    from kpiplan.lib.spreadsheets import read_upload
    from progress.models import ProgressEntry
    from progress.resources import import_progress, read_rows
    from progress.services import entries_import

    plan, division, staff = build()
    for label, value, narrative in [("new reports", "", "ดำเนินการตามแผน"), ("every row changed", "๑", "ดำเนินการเพิ่มเติม")]:
        data = workbook(plan, division, value, narrative)
        print(f"\n{ROWS:,} rows, {label}: {len(data) / 1024 / 1024:.2f} MB .xlsx")
        timed("  read_upload (openpyxl, values and formulas)", lambda data=data: read_upload(data, "bench.xlsx", max_bytes=50 * 2**20))
        (preview, rows), _t = timed("  read_rows (cells through the resource's widgets)", lambda data=data: read_rows(data, "bench.xlsx"))
        timed("  entries_import, dry run (checks only)",
              lambda preview=preview, rows=rows: entries_import(user=staff, plan=plan, preview=preview, rows=rows, dry_run=True))
        settings.PROGRESS_IMPORT_MAX_BYTES = 50 * 2**20
        preview, t_preview = timed("  preview request path: import_progress(dry_run=True)",
                                   lambda data=data: import_progress(user=staff, plan=plan, data=data, filename="bench.xlsx", dry_run=True))
        assert not preview.has_errors, [r.errors for s in preview.sheets for r in s.rows if r.errors][:3]
        preview, t_import = timed("  confirm request path: import_progress(dry_run=False)",
                                  lambda data=data: import_progress(user=staff, plan=plan, data=data, filename="bench.xlsx", dry_run=False))
        actions = {a: sum(s.count(a) for s in preview.sheets) for a in ("new", "update", "skip", "error")}
        print(f"  {'outcome':<56} {actions}")
        print(f"  {'preview + confirm':<56} {t_preview + t_import:8.2f} s")
        entries = ProgressEntry.objects.filter(plan=plan)
        print(f"  {'reports / history rows now':<56} {entries.count():,} / {ProgressEntry.history.filter(plan_id=plan.pk).count():,}")


if __name__ == "__main__":
    main()
