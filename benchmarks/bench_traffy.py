"""Benchmark: Traffy Fondue tickets at city scale (issue 16 "Performance"). A realistic
100,000-row CSV export (Thai headers as traffy.importer reads them; about 70 % of the rows
Phasi Charoen's, the rest other districts; every state; re-opened tickets; tickets seen
twice, later with a newer state, and rows repeated as they are), then, each timed with its
query count and peak memory:

- the import page's two steps through importer.import_file: the check (dry run: the same
  writes, rolled back) and the import;
- the same file imported again (every ticket unchanged);
- a fiscal year's monthly figures (kpi.monthly_figures);
- the Traffy page (GET) on FY 2569, its query count with 1,000 tickets and with the 100,000.

Memory: the growth of the process's peak resident set (getrusage) and, with --tracemalloc,
Python's own peak allocation per step (slower; the times of that run are not the ones to
record). --tickets N makes a smaller or larger file, to see that memory does not grow with it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpiplan_bench_traffy SECRET_KEY=x \\
        .venv/bin/python benchmarks/bench_traffy.py [--tickets 100000] [--tracemalloc]

It resets the database named in DATABASE_URL and loads the real plan. Record the results
in docs/benchmarks.md.
"""

import argparse
import csv
import datetime
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

BANGKOK = datetime.timezone(datetime.timedelta(hours=7))
HEADERS = ["เลขที่เรื่อง", "ประเภทปัญหา", "รายละเอียด", "รูปภาพ", "รูปหลังแก้ไข", "หน่วยงาน", "ที่อยู่", "แขวง", "เขต",
           "จังหวัด", "พิกัด", "วันที่แจ้ง", "สถานะ", "คะแนน", "จำนวนครั้งที่เปิดเรื่องใหม่", "อัปเดตล่าสุด"]
TYPES = ["ถนน", "ทางเท้า", "ความสะอาด", "น้ำท่วม", "ไฟฟ้า", "ต้นไม้", "ท่อระบายน้ำ", "กีดขวาง", "จราจร", "เสียงรบกวน",
         "สายไฟ", "ความปลอดภัย", "สัตว์จรจัด", "คลอง", "PM2.5", "ป้าย", "สะพาน", "คนจรจัด", "ร้องเรียน", "เสนอแนะ"]
SUBDISTRICTS = ["บางหว้า", "บางด้วน", "บางจาก", "บางแวก", "คลองขวาง", "ปากคลองภาษีเจริญ", "คูหาสวรรค์"]
OTHER_DISTRICTS = ["บางแค", "หนองแขม", "ตลิ่งชัน", "จอมทอง", "ทวีวัฒนา", "บางบอน", "ธนบุรี", "คลองสาน", "Bang Khae"]
# The states the export shows, about as often as a district sees them.
STATES = [("เสร็จสิ้น", 62), ("กำลังดำเนินการ", 14), ("รอรับเรื่อง", 8), ("ส่งต่อ", 9), ("ไม่เกี่ยวข้อง", 5),
          ("ติดตาม", 2)]
START = datetime.datetime(2025, 1, 1, tzinfo=BANGKOK)
END = datetime.datetime(2026, 12, 1, tzinfo=BANGKOK)


def stamp(moment: datetime.datetime) -> str:
    # Half the export writes UTC with a bare "+00", as Traffy's own CSV does.
    if moment.second % 2:
        return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "+00"
    return moment.isoformat(sep=" ", timespec="seconds")


def generate(tickets: int, seed: int = 16, prefix: str = "") -> bytes:
    """`tickets` rows: distinct tickets, some seen twice (a later row with a newer state, as
    two exports pasted together give), and some rows repeated as they are."""
    rnd = random.Random(seed)
    states, weights = zip(*STATES, strict=True)
    span = (END - START).total_seconds()
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")  # no second copy of the file as a str
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    written = 0
    serial = 0
    while written < tickets:
        serial += 1
        ticket_id = f"{prefix}{2025 + serial % 2}-{serial:06X}"
        ours = rnd.random() < 0.70
        district = rnd.choice(["ภาษีเจริญ", "เขตภาษีเจริญ", "Phasi Charoen"]) if ours else rnd.choice(OTHER_DISTRICTS)
        reported = START + datetime.timedelta(seconds=rnd.random() * span)
        state = rnd.choices(states, weights)[0]
        reopen = rnd.choice([1, 1, 1, 2, 3]) if rnd.random() < 0.05 else 0
        last = reported + datetime.timedelta(hours=rnd.expovariate(1 / 120))
        kinds = rnd.sample(TYPES, rnd.choice([1, 1, 1, 2]))
        lon, lat = 100.40 + rnd.random() * 0.06, 13.70 + rnd.random() * 0.04
        cells = [ticket_id, "{" + ",".join(kinds) + "}",
                 f"{kinds[0]} บริเวณซอยเพชรเกษม {rnd.randint(1, 120)} แจ้งโดยประชาชน กรุณาแก้ไขด้วยค่ะ เรื่องที่ {serial}",
                 f"https://storage.googleapis.com/traffy_public_bucket/attachment/2025-01/{ticket_id.lower()}.jpg",
                 "", "เขต" + district if ours else "สำนักงานเขต" + district, f"ซอย {rnd.randint(1, 99)} ถนนเพชรเกษม",
                 rnd.choice(SUBDISTRICTS), district, "กรุงเทพมหานคร", f"{lon:.5f},{lat:.5f}", stamp(reported)]
        sighting = rnd.random()
        if sighting < 0.04 and written + 2 <= tickets:  # seen twice: first still waiting, then its state now
            writer.writerow([*cells, "รอรับเรื่อง", "", "0", stamp(reported + datetime.timedelta(minutes=5))])
            written += 1
        finished = state == "เสร็จสิ้น"
        row = [*cells, state, str(rnd.randint(1, 5)) if finished and rnd.random() < 0.4 else "", str(reopen), stamp(last)]
        if finished:
            row[4] = row[3].replace(".jpg", "_after.jpg")
        writer.writerow(row)
        written += 1
        if sighting > 0.99 and written < tickets:  # the same row twice
            writer.writerow(row)
            written += 1
    text.flush()
    return out.getvalue()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label, fn, results):
    """Time, queries, growth of the peak resident set and (with tracemalloc) Python's peak."""
    rss_before = peak_rss_mib()
    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
    queries = []

    def count(execute, sql, params, many, context):
        # Only the statement's start is kept: CaptureQueriesContext would hold every bulk
        # INSERT's text with its values and swell the memory measured.
        queries.append(sql[:70])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - start
    traced = (tracemalloc.get_traced_memory()[1] - base) / 2**20 if tracemalloc.is_tracing() else float("nan")
    grew = peak_rss_mib() - rss_before
    print(f"{label:<52} {elapsed:8.2f} s {len(queries):7d} queries  rss +{grew:6.1f} MiB"
          f"  traced peak {traced:6.1f} MiB", flush=True)
    results.append((label, elapsed, queries, grew, traced))
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    if "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...)")
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("loadplan", verbosity=0, stdout=devnull)
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts import roles
    from plans.models import Organization
    from tests.factories import make_user
    from traffy import kpi
    from traffy.importer import import_file
    from traffy.models import Ticket, TicketState

    setup_test_environment()  # the test client's host is allowed
    settings.DEBUG = False
    organization = Organization.objects.get(short_name="สนข.ภาษีเจริญ")
    planner = make_user("bench_traffy_planner", roles.PLANNER, organization)
    client = Client()
    client.force_login(planner)
    page = f"/traffy/{organization.pk}/?year=2569"  # a whole year of the generated tickets
    results = []

    def import_(data, name, dry_run=False):
        result = import_file(organization=organization, user=planner, data=data, filename=name, dry_run=dry_run)
        assert not result.has_errors, ([e.message for e in result.errors[:3]], result.file_error)
        return result.batch

    def get_page():
        response = client.get(page)
        assert response.status_code == 200, response.status_code
        return response

    small = generate(1_000, seed=1, prefix="S")
    import_(small, "small.csv")
    get_page()  # warm: templates, translations
    measure(f"Traffy page GET, {Ticket.objects.count():,} tickets", get_page, results)

    start = time.perf_counter()
    data = generate(args.tickets)
    print(f"\n{args.tickets:,} rows generated in {time.perf_counter() - start:.1f} s: {len(data) / 2**20:.1f} MB CSV\n")
    if args.tracemalloc:
        tracemalloc.start()
    batch = measure("check (import_file, dry run)", lambda: import_(data, "traffy.csv", dry_run=True), results)
    print(f"  would: {batch.read:,} read, {batch.created:,} new, {batch.updated:,} updated, "
          f"{batch.unchanged:,} unchanged, {batch.other_districts:,} other districts")
    batch = measure("import (import_file)", lambda: import_(data, "traffy.csv"), results)
    print(f"  did:   {batch.read:,} read, {batch.created:,} new, {batch.updated:,} updated, "
          f"{batch.unchanged:,} unchanged, {batch.other_districts:,} other districts; "
          f"{TicketState.objects.count():,} states kept")
    batch = measure("the same file again (import_file)", lambda: import_(data, "traffy.csv"), results)
    print(f"  did:   {batch.created:,} new, {batch.updated:,} updated, {batch.unchanged:,} unchanged")
    tracemalloc.stop()
    tickets = kpi.tickets_of(organization)
    figures = measure("monthly figures of FY 2569 (kpi.monthly_figures)", lambda: kpi.monthly_figures(tickets, 2569),
                      results)
    print(f"  FY 2569: received {figures[-1].received_to_date:,}, resolved {figures[-1].resolved_to_date:,}, "
          f"rate {figures[-1].rate_to_date} %")
    get_page()
    measure(f"Traffy page GET, {Ticket.objects.count():,} tickets", get_page, results)
    print(f"\npeak resident memory of the process: {peak_rss_mib():.0f} MiB")
    first, last = (r[2] for r in results if r[0].startswith("Traffy page"))
    if first != last:  # what differs, if the page's queries grew with the tickets
        print("page queries differ:", [q for q in last if q not in first], [q for q in first if q not in last])


if __name__ == "__main__":
    main()
