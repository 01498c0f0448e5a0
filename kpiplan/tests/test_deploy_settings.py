"""Production settings from the environment: `check --deploy` is clean, and the headers
a browser enforces (CSP, HSTS) and the redirect to HTTPS are there."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DATABASE_URL": "postgres://kpiplan:secret@db.example/kpiplan",
    "SECRET_KEY": "k3-Xq9v!p0Lr7sT2wYz8uBn4mC6dF1gH5jK0aS9dQ2eW7rT3yU8iO1pZ4xC6vB2n",
    "ALLOWED_HOSTS": "kpiplan.example.go.th",
    "CSRF_TRUSTED_ORIGINS": "https://kpiplan.example.go.th",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run([sys.executable, "manage.py", *args], env={**clean, **env}, capture_output=True, text=True,
                          cwd=django_settings.BASE_DIR)


def test_check_deploy_is_clean_with_the_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_names_what_a_production_environment_forgot():
    env = {k: v for k, v in PRODUCTION.items() if k not in {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"  # and so <style> elements: none inline
    assert directives["style-src-attr"] == "'unsafe-inline'"
    assert directives["frame-ancestors"] == "'none'"
    assert "script-src-elem" not in directives and "unsafe-inline" not in directives["script-src-attr"]


def test_https_redirect_and_hsts_follow_the_settings(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_embedded_default_serves_plain_http(client):
    assert django_settings.SECURE_SSL_REDIRECT is False
    response = client.get("/accounts/login/")
    assert response.status_code == 200 and "Strict-Transport-Security" not in response
