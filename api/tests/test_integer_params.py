"""Integer query parameters of every API endpoint (from the OpenAPI schema, see
tests/api_params.py): ids out of range, negative or not numbers give 400 with a message
naming the value, paging never reaches the database out of range, never a 500 — on
PostgreSQL and on the embedded SQLite (where ?plan=-36893488147419103233 gave a 500)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from api.urls import router
from plans.models import Division, Period
from tests import api_params


def covers_every_list_of_the_router(paths):
    assert {f"/api/{prefix}/" for prefix, _viewset, _basename in router.registry} <= set(paths)
    assert "/api/scorecard/" in paths and "/api/indicators/{id}/status/" in paths


@pytest.mark.django_db
def test_on_postgresql(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.planner)
    result = api_params.probe(client, api_params.valid_ids(cast.plan, Period, Division))
    covers_every_list_of_the_router(result["paths"])
    assert result["wrong"] == []
    assert len(result["checked"]) >= 8 * 10


def test_the_message_is_thai_and_names_the_parameter(admin_client, db):
    body = admin_client.get("/api/indicators/", {"plan": "-36893488147419103233"}).json()
    assert body == {"plan": ["«-36893488147419103233» ไม่ใช่รหัส (id) ที่ใช้ได้: รหัสต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง "
                             "9223372036854775807"]}
    assert admin_client.get("/api/scorecard/").json() == {"plan": ["ต้องระบุพารามิเตอร์นี้: รหัส (id) ของ plan"]}


def test_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'api.sqlite3'}", SECRET_KEY="sqlite-params", DEBUG="0",
               ALLOWED_HOSTS="testserver", MEDIA_ROOT=str(tmp_path / "media"))
    for command in (["migrate", "--noinput", "-v0"], ["loadplan", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "tests/api_params.py"], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    covers_every_list_of_the_router(result["paths"])
    assert result["wrong"] == []
