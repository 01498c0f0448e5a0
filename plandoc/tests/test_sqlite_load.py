"""The embedded default: the same plan loads into SQLite with the same numbers."""

import os
import subprocess
import sys

from django.conf import settings


def test_it_loads_the_real_plan_into_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    env["SECRET_KEY"] = "sqlite-test"

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
            capture_output=True, text=True, check=True,
        ).stdout

    manage("migrate", "--noinput", "-v0")
    loaded = manage("loadplan")
    assert "projects: 95" in loaded and "indicators: 76" in loaded
    report = manage("checkplan", "--category", "total", "--language", "en")
    assert "35,294,295" in report and "35,254,295" in report
    assert "2,694,800" not in report  # Part 1 adds up
