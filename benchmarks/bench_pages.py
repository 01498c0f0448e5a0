"""Benchmark: server time of the executive dashboard and the city view on city-scale data
(`generate_city`, 50 districts x 5 years), under gunicorn on PostgreSQL, each against its
floor (issue 13):

- the dashboard against an empty Django view on the same server in the same run
  (the same middleware: session, user, locale, CSP; target: p50 ratio <= 3);
- the city view against the single aggregate SQL query that yields its numbers
  (progress.cityrollup.city_totals, run in this process; target: p50 ratio <= 3).

Server time is the Server-Timing header that benchmarks/bench_site.py adds around the
request inside Django (so network and gunicorn parsing count for neither side). The pages
are requested in turn, so that the machine's load falls on all of them alike.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpiplan_bench_city SECRET_KEY=x \\
        .venv/bin/python benchmarks/bench_pages.py [--requests 60] [--workers 2]

Run benchmarks/bench_generate_city.py on the same database first. Record the results in
docs/benchmarks.md.
"""

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402

PASSWORD = "bench-only-password-1"  # noqa: S105 - a scratch database's benchmark logins


def _user(username: str, group: str, organization=None):
    from accounts.models import Profile
    from accounts.roles import sync_roles

    sync_roles()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([Group.objects.get(name=group)])
    Profile.objects.update_or_create(user=user, defaults={"organization": organization, "division": None})
    return user


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, float, bytes]:
        with self.opener.open(self.base + path) as response:
            body = response.read()
            timing = response.headers.get("Server-Timing", "")
            match = re.search(r"dur=([0-9.]+)", timing)
            return response.status, float(match.group(1)) if match else float("nan"), body

    def login(self, username: str) -> None:
        _status, _ms, body = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/accounts/login/"})
        with self.opener.open(request) as response:
            response.read()
        if not any(c.name == "sessionid" for c in self.jar):
            sys.exit(f"login of {username} failed")


def _wait(base: str, process) -> None:
    for _ in range(200):
        if process.poll() is not None:
            sys.exit("gunicorn stopped")
        try:
            urllib.request.urlopen(base + "/accounts/login/").read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not start")


def _p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--no-cache", action="store_true", help="build every page (what a cache miss costs)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database generate_city filled.")

    from django.core.management import call_command

    from accounts import roles
    from plans.models import Organization, Plan

    call_command("migrate", verbosity=0)

    district = Organization.objects.filter(short_name__startswith="สนข.จำลอง").order_by("short_name").first()
    if district is None:
        sys.exit("No generate_city data: run benchmarks/bench_generate_city.py first.")
    plan = Plan.objects.filter(organization=district).order_by("-fiscal_year_id").first()
    # the city view's default period for the year, as the page picks it
    from progress.selectors import pick_period

    period, _periods = pick_period(plan, None)
    city_role = roles.CITY_EXECUTIVE
    _user("bench-executive", roles.EXECUTIVE, district)
    _user("bench-city", city_role, None)
    organizations = Organization.objects.count()

    port = args.port
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.bench_site", "DEBUG": "0",
           "ALLOWED_HOSTS": "127.0.0.1", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
           **({"KPIPLAN_BENCH_NO_CACHE": "1"} if args.no_cache else {})}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "kpiplan.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
         "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        _wait(base, server)
        executive, city = Browser(base), Browser(base)
        executive.login("bench-executive")
        city.login("bench-city")
        pages = {
            "empty view": (executive, "/bench/empty/"),
            "empty view, signed in": (executive, "/bench/empty-signed-in/"),
            "dashboard": (executive, f"/dashboard/?plan={plan.pk}&period={period.pk}"),
            "city view": (city, f"/city/?plan={plan.pk}&period={period.pk}"),
        }
        times = {name: [] for name in pages}
        for round_ in range(args.requests + 5):
            for name, (browser, path) in pages.items():
                status, ms, _body = browser.get(path)
                if status != 200:
                    sys.exit(f"{name}: HTTP {status}")
                if round_ >= 5:  # the first rounds warm the workers
                    times[name].append(ms)
    finally:
        server.terminate()
        server.wait()

    sql_times = []
    try:
        from progress.cityrollup import city_totals
    except ImportError:
        city_totals = None
    if city_totals is not None:
        for round_ in range(args.requests + 5):
            start = time.perf_counter()
            city_totals(plan.fiscal_year_id, period)
            if round_ >= 5:
                sql_times.append((time.perf_counter() - start) * 1000)

    print(f"{organizations} organizations; {args.requests} requests per page, {args.workers} gunicorn workers"
          f"{'; no cache' if args.no_cache else ''}")
    print(f"{'page':<34}{'p50 ms':>9}{'p90 ms':>9}")
    for name, values in times.items():
        print(f"{name:<34}{statistics.median(values):>9.1f}{_p(values, 0.9):>9.1f}")
    if sql_times:
        print(f"{'city aggregate SQL (in process)':<34}{statistics.median(sql_times):>9.1f}{_p(sql_times, 0.9):>9.1f}")
    empty = statistics.median(times["empty view"])
    print(f"dashboard / empty view (p50): {statistics.median(times['dashboard']) / empty:.2f}  (target <= 3)")
    if sql_times:
        print(f"city view / aggregate SQL (p50): {statistics.median(times['city view']) / statistics.median(sql_times):.2f}"
              "  (target <= 3)")


if __name__ == "__main__":
    main()
