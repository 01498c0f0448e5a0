"""The embedded quick start under its own report worker: two processes on one SQLite file
(db_worker polling every 5 ms and making reports, and a client saving, submitting, endorsing,
verifying, asking for reports and adding users through the views) for a bounded time,
with no failure. Before WAL, IMMEDIATE transactions and a busy timeout, this gave HTTP 500
"database is locked" within seconds."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 20


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}", SECRET_KEY="sqlite-concurrency",
               MEDIA_ROOT=str(tmp_path / "media"), KPIPLAN_TASKS_BACKEND="database", DEBUG="0", ALLOWED_HOSTS="testserver")
    return env


def test_worker_and_busy_users_share_the_embedded_database_without_errors(tmp_path):
    env = _env(tmp_path)
    for command in (["migrate", "--noinput", "-v0"], ["loadplan", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.005"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = subprocess.run([sys.executable, "tests/sqlite_traffic.py", str(SECONDS)], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=SECONDS + 120)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker_output = worker.communicate(timeout=60)[0].decode(errors="replace")
    assert client.returncode == 0, client.stderr[-3000:]
    result = json.loads(client.stdout.strip().splitlines()[-1])
    assert result["failures"] == [], "\n".join(result["failures"][:5])
    assert result["rounds"] >= 5 and result["done"] == 5 * result["rounds"]
    assert "database is locked" not in worker_output, worker_output[-3000:]
    # The worker did its share: the reports the planner asked for were made.
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                           "from reports.models import ReportFile; print(ReportFile.objects.filter(status='ready').count(),"
                           " ReportFile.objects.count())"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1].split()
    assert int(made[0]) >= 1 and int(made[1]) == result["rounds"]
