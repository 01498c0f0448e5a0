"""One archive holds a whole kpiplan: the database and the media files (evidence,
background-made reports).

Layout of the archive (a .tar.gz):
    manifest.json         format, database engine, when, how many media files
    database.pgdump       PostgreSQL: pg_dump --format=custom
    database.sqlite3      SQLite: a copy made with SQLite's online backup API
    media/...             MEDIA_ROOT as it was

`restore` writes into an empty database only (a fresh `createdb`, or a new SQLite file),
so that it never mixes two installations' rows.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

FORMAT = 1
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    pass


def engine_kind(alias: str = "default") -> str:
    engine = settings.DATABASES[alias]["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite3" in engine:
        return "sqlite"
    raise BackupError(f"backup supports PostgreSQL and SQLite, not {engine}")


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's variables for pg_dump/pg_restore: the password never on a command line."""
    db = settings.DATABASES[alias]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def backup(archive: Path, alias: str = "default") -> dict:
    """Write the archive; returns its manifest."""
    kind = engine_kind(alias)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        if kind == "postgresql":
            dump = work / PG_DUMP
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"], _pg_env(alias))
        else:
            dump = work / SQLITE_COPY
            connection = connections[alias]
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        # The database first, the files after it: every file a row names is then in the
        # archive (a file added in between is kept too, and harmless).
        files = media_files(media_root)
        manifest = {
            "format": FORMAT,
            "engine": kind,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": dump.name,
            "media_files": len(files),
        }
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            manifest_path = work / "manifest.json"
            manifest_path.write_text(json.dumps(manifest, indent=2))
            tar.add(manifest_path, arcname="manifest.json")
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        partial.replace(archive)  # never a half-written archive under the final name
    return manifest


def database_is_empty(alias: str = "default") -> bool:
    with connections[alias].cursor() as cursor:
        return not connections[alias].introspection.table_names(cursor)


def restore(archive: Path, alias: str = "default") -> dict:
    """Restore the archive into the empty database and media folder of this settings."""
    kind = engine_kind(alias)
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(archive, "r:*") as tar, tempfile.TemporaryDirectory() as work:
        work = Path(work)
        # The "data" filter refuses absolute paths, "..", links out of the folder and devices.
        tar.extractall(work, filter="data")
        try:
            manifest = json.loads((work / "manifest.json").read_text())
        except (FileNotFoundError, ValueError) as exc:
            raise BackupError(f"{archive} is not a kpiplan backup (no manifest.json)") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest["engine"] != kind:
            raise BackupError(f"the backup is of a {manifest['engine']} database; this database is {kind}")
        if not database_is_empty(alias):
            raise BackupError("the database is not empty: restore into a new, empty database")
        if media_files(media_root):
            raise BackupError(f"MEDIA_ROOT ({media_root}) has files: restore into an empty folder")

        dump = work / manifest["database"]
        if kind == "postgresql":
            connections[alias].close()
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  f"--dbname={settings.DATABASES[alias]['NAME']}", str(dump)], _pg_env(alias))
        else:
            connection = connections[alias]
            connection.ensure_connection()
            source = sqlite3.connect(dump)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            connection.close()

        media = work / "media"
        if media.exists():
            media_root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    return manifest
