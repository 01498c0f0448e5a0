"""`manage.py backup` then `manage.py restore` into an empty database gives the same
installation: every table's rows (count and checksum), the sequences, and the media files."""

import hashlib
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from indicators.models import Indicator
from plans.models import Period
from progress.models import Evidence
from progress.services import Item, entry_save

FINGERPRINT_TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


def fingerprint(cursor) -> dict:
    """Per table: rows and an md5 of all rows in a fixed order; per sequence: last value."""
    cursor.execute(FINGERPRINT_TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(
            f'SELECT count(*), md5(coalesce(string_agg(t::text, E\'\\n\' ORDER BY t::text), \'\')) FROM "{table}" t'
        )
        result[table] = tuple(cursor.fetchone())
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    result.update({f"sequence {name}": value for name, value in cursor.fetchall()})
    return result


def files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def server_dsn(dbname: str) -> str:
    db = connection.settings_dict
    parts = {"dbname": dbname, "host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


@pytest.fixture
def empty_database():
    name = connection.settings_dict["NAME"] + "_restored"
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    result = subprocess.run([sys.executable, "manage.py", *args], env={**clean, "SECRET_KEY": "x", **env},
                            capture_output=True, text=True, cwd=django_settings.BASE_DIR)
    return result


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_into_an_empty_database_gives_identical_data(cast, settings, tmp_path, empty_database):
    # Data of every kind: the real plan, users, a progress report with its history, evidence.
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    item = Item("indicator", Indicator.objects.get(plan=cast.plan, key="okr:1.4.06"))
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item,
                       data={"value": Decimal("12.5"), "narrative": "ปรับปรุงถนนเทอดไท"}, version=0)
    Evidence.objects.create(entry=entry, file=ContentFile(b"%PDF-1.4 evidence", name="รูปถ่ายถนน.pdf"),
                            original_name="รูปถ่ายถนน.pdf", content_type="application/pdf", size=17, uploaded_by=cast.staff)
    media = Path(settings.MEDIA_ROOT)
    (media / "reports" / "2567").mkdir(parents=True)
    (media / "reports" / "2567" / "book.pdf").write_bytes(os.urandom(200_000))

    archive = tmp_path / "kpiplan.tar.gz"
    call_command("backup", str(archive), stdout=open(os.devnull, "w"))

    restored_media = tmp_path / "restored-media"
    result = manage("restore", str(archive), DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(restored_media))
    assert result.returncode == 0, result.stderr
    assert "2 media file(s)" in result.stdout

    with connection.cursor() as cursor:
        before = fingerprint(cursor)
    with psycopg.connect(server_dsn(empty_database)) as restored:
        after = fingerprint(restored.cursor())
    assert before["progress_progressentry"][0] == 1 and before["plans_plan"][0] >= 1
    assert sum(count for key, (count, _) in ((k, v) for k, v in before.items() if not k.startswith("sequence"))) > 1000
    assert after == before
    assert files(restored_media) == files(media) and len(files(media)) == 2

    # The restored installation works: its migrations are all applied.
    check = manage("migrate", "--check", DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(restored_media))
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(real_plan, tmp_path, settings):
    archive = tmp_path / "kpiplan.tar.gz"
    call_command("backup", str(archive), stdout=open(os.devnull, "w"))
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))


def test_sqlite_round_trip_through_the_backup_api(tmp_path):
    source, target = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3"
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "หลักฐาน.png").write_bytes(b"\x89PNG evidence")
    env = {"DATABASE_URL": f"sqlite:///{source}", "MEDIA_ROOT": str(media)}
    assert manage("migrate", "-v0", **env).returncode == 0
    assert manage("createsuperuser", "--noinput", "--username", "somchai", "--email", "s@example.go.th",
                  **env, DJANGO_SUPERUSER_PASSWORD="x-very-long-2567").returncode == 0
    archive = tmp_path / "kpiplan.tar.gz"
    result = manage("backup", str(archive), **env)
    assert result.returncode == 0, result.stderr

    result = manage("restore", str(archive), DATABASE_URL=f"sqlite:///{target}", MEDIA_ROOT=str(restored_media))
    assert result.returncode == 0, result.stderr
    import sqlite3

    def dump(path):
        with sqlite3.connect(path) as db:
            return list(db.iterdump())

    assert dump(target) == dump(source)
    assert any("somchai" in line for line in dump(target))
    assert files(restored_media) == files(media)
