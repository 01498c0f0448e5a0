"""Render every PDF report of the real plan, with a quarter of demo progress, to a folder
(and each page to PNG with pdftoppm), so that a person can look at them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpiplan_look SECRET_KEY=x \\
        .venv/bin/python benchmarks/render_reports.py OUT_DIR [--png] [--only book,summary]

It uses (and resets) the database named in DATABASE_URL.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--png", action="store_true", help="also every page as PNG at 80 dpi")
    parser.add_argument("--only", default="", help="comma-separated kinds (book, summary, quarterly, quarterly-division, scorecard)")
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is (no reset)")
    args = parser.parse_args()
    from plans.models import Division, Period, Plan
    from progress.demo import add_demo_quarter
    from reports.registry import produce

    if not args.keep:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as devnull:
            call_command("loadplan", verbosity=0, stdout=devnull)
    plan = Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ")
    if not args.keep:
        add_demo_quarter(plan, 1)
    q1 = Period.objects.get(fiscal_year_id=plan.fiscal_year_id, kind="quarter", number=1)
    roads = Division.objects.get(organization=plan.organization, name="ฝ่ายโยธา")
    jobs = {
        "book": ("book", {}),
        "summary": ("summary", {"period": q1.pk}),
        "quarterly": ("quarterly", {"period": q1.pk}),
        "quarterly-division": ("quarterly", {"period": q1.pk, "division": roads.pk}),
        "scorecard": ("scorecard", {"period": q1.pk}),
    }
    only = [k for k in args.only.split(",") if k] or list(jobs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in only:
        kind, params = jobs[name]
        produced = produce(kind, plan, params)
        path = out / f"{name}.pdf"
        path.write_bytes(produced.content)
        print(f"{path}  ({produced.filename})", flush=True)
        if args.png:
            subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(out / name)], check=True)


if __name__ == "__main__":
    main()
