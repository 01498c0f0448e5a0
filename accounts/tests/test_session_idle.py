"""An idle session ends after KPIPLAN_SESSION_IDLE_MINUTES; a working one does not."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from plans.models import Division
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_it_logs_out_after_the_idle_time_and_not_while_working(client, organization, settings):
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    make_user("somchai", roles.DIVISION_STAFF, organization, Division.objects.get(organization=organization, name="ฝ่ายโยธา"))
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert client.post("/accounts/login/", {"username": "somchai", "password": "pw-somchai"}).status_code == 302
        # Working: a page every (idle - 1 minute) keeps the session, for longer than the idle time.
        for _ in range(3):
            clock.shift(idle - timedelta(minutes=1))
            assert client.get("/work/").status_code == 200
        # Pages within a minute cost no session write.
        clock.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/work/").status_code == 200
        assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]
        clock.shift(idle + timedelta(minutes=1))
        response = client.get("/work/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_idle_time_comes_from_the_environment():
    env = {**os.environ, "KPIPLAN_SESSION_IDLE_MINUTES": "15"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=django_settings.BASE_DIR).stdout
    assert out.strip() == "900"
