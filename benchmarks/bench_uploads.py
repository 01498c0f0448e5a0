"""Reading uploads within bounds (issue 12): CPU time and growth of the peak resident
memory of read_upload, each file in a fresh process, for the real plan workbook, a legal
sheet of 1,000,000 cells (the default cell limit) and the hostile files of
tests/hostile_files.py.

    DATABASE_URL=... SECRET_KEY=x python benchmarks/bench_uploads.py
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURE = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiplan.settings")
import django; django.setup()
from kpiplan.lib.spreadsheets import SpreadsheetError, read_upload
from tests.hostile_files import _workbook
data = open(sys.argv[1], "rb").read()
read_upload(_workbook(), "warm-up.xlsx")
before, started = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.process_time()
try:
    outcome = f"{{sum(len(s.rows) for s in read_upload(data, 'x.xlsx', max_bytes=len(data)))}} rows"
except SpreadsheetError as exc:
    outcome = "refused: " + str(exc)[:60]
print(json.dumps({{"cpu_s": round(time.process_time() - started, 2),
                   "grew_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024),
                   "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                   "before_mb": round(before / 1024),
                   "outcome": outcome}}, ensure_ascii=False))
"""


def files(folder: Path) -> dict[str, Path]:
    sys.path.insert(0, str(ROOT))
    import openpyxl

    from tests import hostile_files

    out = {}
    django_env = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                                 "from plans.models import Plan; from plandoc.workbook import export_workbook; import sys;"
                                 f"open({str(folder / 'plan.xlsx')!r}, 'wb').write(export_workbook(Plan.objects.order_by('pk').first()))"],
                                cwd=ROOT, capture_output=True, text=True)
    if django_env.returncode == 0:
        out["real plan workbook"] = folder / "plan.xlsx"
    book = openpyxl.Workbook()
    for r in range(50_000):
        book.active.append([f"okr:{r}", "ตัวชี้วัด", r * 1.5, f"ดำเนินการ {r}", -r, "ฝ่ายโยธา", r, "x" * 10, r % 7,
                            "ไตรมาส 1/2567", *range(10)])
    book.save(folder / "million.xlsx")
    out["1,000,000 cells (50,000 rows x 20)"] = folder / "million.xlsx"
    for kind, build in hostile_files.HOSTILE.items():
        (folder / f"{kind}.xlsx").write_bytes(build())
        out[kind] = folder / f"{kind}.xlsx"
    return out


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in files(Path(tmp)).items():
            done = subprocess.run([sys.executable, "-c", MEASURE.format(root=str(ROOT)), str(path)], cwd=ROOT,
                                  capture_output=True, text=True)
            result = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {"error": done.stderr[-300:]}
            print(f"{label} ({path.stat().st_size / 1048576:.1f} MB): {result}")
