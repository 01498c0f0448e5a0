"""The 400, 403, 404, 500 and refused-form pages are Thai pages of the site, with its
header and a way home, never Django's debug pages; DEBUG is on only when asked for."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def assert_site_page(page, user):
    """The site header with the user's navigation, and the link home."""
    assert '<header class="top">' in page and '<nav class="main"' in page
    assert user.username in page or user.get_full_name() in page
    assert f'href="{reverse("progress:my-work")}"' in page  # the staff member's menu
    assert 'action="/i18n/setlang/"' in page  # the language switch
    assert "กลับหน้าแรก" in page and f'href="{reverse("home")}"' in page
    assert "Traceback" not in page and "URLconf" not in page and "DEBUG" not in page


def test_it_shows_the_thai_404_for_an_address_that_does_not_exist(client, cast):
    client.force_login(cast.staff)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in page and "เป็นของฝ่ายอื่นซึ่งคุณไม่มีสิทธิ์ดู" in page
    assert_site_page(page, cast.staff)


def test_it_shows_the_thai_404_when_staff_open_another_divisions_item(client, cast, period, road_item):
    # DEBUG is off in the embedded mode too (test_debug_is_off_unless_asked_for), so this
    # is the page the quick start shows, not the yellow page listing the URL patterns.
    client.force_login(cast.other_staff)
    response = client.get(reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in page
    assert road_item.obj.name not in page
    assert_site_page(page, cast.other_staff)


def test_it_shows_the_thai_403_for_a_page_the_role_may_not_open(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("progress:review"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "คุณไม่มีสิทธิ์เปิดหน้านี้" in page and "ผู้จัดทำแผน" in page
    assert_site_page(page, cast.staff)


def test_it_shows_the_thai_400_even_when_the_request_is_what_is_broken(client, cast, settings):
    # Too many parameters: request.GET raises again wherever it is read, so the page
    # must not read it (the header's search box reads q back on the search page).
    client.force_login(cast.staff)
    response = client.get(reverse("progress:search"), {"q": "x", **{f"f{i}": "1" for i in range(1001)}})
    page = response.content.decode()
    assert response.status_code == 400
    assert "ระบบอ่านคำขอนี้ไม่ได้" in page
    assert_site_page(page, cast.staff)


def test_it_shows_the_thai_500_without_the_debug_page(client, cast, settings):
    settings.ROOT_URLCONF = "kpiplan.tests.urls_failing"
    client.raise_request_exception = False
    client.force_login(cast.staff)
    response = client.get("/test-500/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "ระบบขัดข้อง" in page and "ข้อมูลที่คุณบันทึกไว้ก่อนหน้านี้ไม่สูญหาย" in page
    assert '<header class="top">' in page and 'href="/"' in page and "กลับหน้าแรก" in page
    assert "a bug" not in page and "Traceback" not in page


def test_the_500_page_renders_without_a_request_context_or_the_database(django_assert_num_queries):
    # Django renders 500.html with an empty context: the database may be what failed.
    with django_assert_num_queries(0), translation.override("th"):  # as the locale middleware left it
        response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "ระบบขัดข้อง" in page and 'href="/"' in page
    assert "/i18n/setlang/" not in page  # no form that could only fail its CSRF check


def test_a_refused_form_shows_what_was_typed_in_thai(cast, period, road_item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff)
    entry = reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])
    client.get(entry)  # sets the CSRF cookie; the POST below carries no token
    response = client.post(entry, {"value": "๑,๒๐๐", "narrative": "ล้างท่อแล้ว ๓ สาย", "password": "secret",
                                   "value_is_cumulative": "on", "version": "7", "action": "save",
                                   "csrfmiddlewaretoken": "stale" * 8},
                           HTTP_REFERER=f"http://testserver{entry}")
    page = response.content.decode()
    assert response.status_code == 403
    assert "แบบฟอร์มนี้หมดอายุแล้ว" in page and "ยังไม่ได้บันทึกสิ่งใด" in page
    assert "๑,๒๐๐" in page and "ล้างท่อแล้ว ๓ สาย" in page
    assert "secret" not in page and "stale" not in page
    # …and only what was typed: not the ticked box, the version or the button.
    assert page.count("<textarea") == 2  # value and narrative
    assert f'href="http://testserver{entry}" target="_blank"' in page  # this page stays open
    assert_site_page(page, cast.staff)


def test_a_form_posted_from_another_site_is_refused_without_showing_its_fields(cast, period, road_item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff)
    entry = reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])
    response = client.post(entry, {"narrative": "ข้อความจากเว็บอื่น"}, HTTP_ORIGIN="https://evil.example")
    page = response.content.decode()
    assert response.status_code == 403 and "แบบฟอร์มนี้หมดอายุแล้ว" in page
    assert "ข้อความจากเว็บอื่น" not in page and "evil.example" not in page


def test_a_form_without_the_cookie_asks_to_allow_cookies():
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "staff", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "โปรดอนุญาตคุกกี้" in page
    assert "readonly" in page and ">staff</textarea>" in page  # the name typed is given back
    assert ">x</textarea>" not in page


def settings_in_a_fresh_process(**env):
    """kpiplan.settings as a process with only `env` (and PATH) in its environment sees it."""
    script = ("import json, kpiplan.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
              "['DEBUG', 'EMBEDDED_MODE', 'ALLOWED_HOSTS', 'DEMO_ACCOUNTS_ALLOWED', 'WHITENOISE_USE_FINDERS', "
              "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE']}))")
    result = subprocess.run([sys.executable, "-c", script], env={"PATH": os.environ.get("PATH", ""), **env},
                            capture_output=True, text=True, cwd=django_settings.BASE_DIR, check=True)
    return json.loads(result.stdout)


def test_debug_is_off_unless_asked_for():
    embedded = settings_in_a_fresh_process()
    assert embedded["EMBEDDED_MODE"] is True and embedded["DEBUG"] is False
    # …and the quick start still works: its addresses, static files without collectstatic,
    # cookies over plain http, the demo accounts.
    assert "127.0.0.1" in embedded["ALLOWED_HOSTS"] and "localhost" in embedded["ALLOWED_HOSTS"]
    assert embedded["WHITENOISE_USE_FINDERS"] is True
    assert embedded["SESSION_COOKIE_SECURE"] is None and embedded["CSRF_COOKIE_SECURE"] is None
    assert embedded["DEMO_ACCOUNTS_ALLOWED"] is True

    production = settings_in_a_fresh_process(DATABASE_URL="postgres://db.example/kpiplan", SECRET_KEY="s")
    assert production["DEBUG"] is False and production["WHITENOISE_USE_FINDERS"] is False
    assert production["SESSION_COOKIE_SECURE"] is True and production["CSRF_COOKIE_SECURE"] is True

    assert settings_in_a_fresh_process(DEBUG="1")["DEBUG"] is True
    assert settings_in_a_fresh_process(DEBUG="1", DATABASE_URL="postgres://db.example/k", SECRET_KEY="s")["DEBUG"] is True
