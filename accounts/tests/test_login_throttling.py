"""Password guessing: on the login form and on the API's HTTP Basic, an account and an
address are refused after KPIPLAN_LOGIN_FAILURE_LIMIT failures until the cool-off has
passed, and every failure is logged with the username and the address."""

import base64
import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED_TH = "เข้าสู่ระบบผิดเกินกำหนด"


@pytest.fixture
def staff(organization):
    return make_user("somchai", roles.DIVISION_STAFF, organization)


def form_login(client, username, password, address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def basic(client, username, password, address="192.0.2.10"):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.get("/api/plans/", HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR=address)


def test_it_lets_a_correct_password_in_after_a_few_failures(client, staff):
    for _ in range(3):
        assert form_login(client, "somchai", "wrong").status_code == 200
    response = form_login(client, "somchai", "pw-somchai")
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == staff


def test_it_locks_the_form_after_20_wrong_passwords_until_the_cool_off(client, staff, settings, caplog):
    caplog.set_level(logging.WARNING, logger="kpiplan.login")
    statuses = [form_login(client, "somchai", f"guess{i}").status_code for i in range(20)]
    assert statuses[0] == 200 and statuses[-1] == 429
    assert statuses.index(429) == settings.AXES_FAILURE_LIMIT - 1

    refused = form_login(client, "somchai", "pw-somchai")
    assert refused.status_code == 429
    assert LOCKED_TH in refused.content.decode()
    assert "_auth_user_id" not in client.session

    lines = [r.getMessage() for r in caplog.records if r.name == "kpiplan.login"]
    assert "login failed: username='somchai' address=192.0.2.10 path=/accounts/login/" in lines
    assert any(line.startswith("login locked out: username='somchai' address=192.0.2.10") for line in lines)
    assert not any("guess" in line or "pw-somchai" in line for line in lines), "a password reached the log"

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert form_login(client, "somchai", "pw-somchai").status_code == 302


def test_it_locks_http_basic_after_20_wrong_passwords(client, staff, settings, caplog):
    caplog.set_level(logging.WARNING, logger="kpiplan.login")
    assert basic(client, "somchai", "pw-somchai").status_code == 200
    statuses = [basic(client, "somchai", f"guess{i}").status_code for i in range(20)]
    assert statuses[0] == 403 and statuses[-1] == 429  # 403: DRF answers a wrong password so, with session auth listed first

    refused = basic(client, "somchai", "pw-somchai")
    assert refused.status_code == 429
    assert LOCKED_TH in refused.json()["detail"]
    assert int(refused["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "login failed: username='somchai' address=192.0.2.10 path=/api/plans/" in [r.getMessage() for r in caplog.records]

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert basic(client, "somchai", "pw-somchai").status_code == 200


def test_it_locks_an_account_guessed_from_many_addresses(client, staff):
    for i in range(20):
        basic(client, "somchai", "wrong", address=f"198.51.100.{i}")
    assert form_login(client, "somchai", "pw-somchai", address="203.0.113.7").status_code == 429


def test_it_locks_an_address_that_guesses_many_accounts(client, staff, organization):
    make_user("suda", roles.DIVISION_STAFF, organization)
    for i in range(20):
        form_login(client, f"user{i}", "wrong", address="198.51.100.66")
    assert form_login(client, "suda", "pw-suda", address="198.51.100.66").status_code == 429
    # Another address is not held back by that one's guessing.
    assert form_login(client, "suda", "pw-suda", address="203.0.113.8").status_code == 302


def test_it_reads_the_address_behind_a_trusted_proxy(client, staff, settings, caplog):
    settings.KPIPLAN_PROXY_COUNT = 1
    caplog.set_level(logging.WARNING, logger="kpiplan.login")
    client.post(LOGIN, {"username": "somchai", "password": "x"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.99")
    assert "login failed: username='somchai' address=192.0.2.99 path=/accounts/login/" in [r.getMessage() for r in caplog.records]
