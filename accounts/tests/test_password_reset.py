"""Forgotten password: the login page links to a reset by e-mail; the mailed link sets a
new password once, and the new password logs in."""

import re

import pytest

from accounts import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(organization, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KPIPLAN_BASE_URL = "https://kpiplan.example"
    user = make_user("somchai", roles.DIVISION_STAFF, organization)
    user.email = "somchai@example.go.th"
    user.save()
    return user


def test_it_resets_a_forgotten_password_by_e_mail_end_to_end(client, staff, mailoutbox, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    login_page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in login_page
    assert "ลืมรหัสผ่าน" in login_page

    form = client.get("/accounts/password-reset/").content.decode()
    assert "ตั้งรหัสผ่านใหม่" in form
    response = client.post("/accounts/password-reset/", {"email": "somchai@example.go.th"}, HTTP_HOST="evil.example")
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert "กรุณาตรวจสอบอีเมล" in client.get(response["Location"]).content.decode()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["somchai@example.go.th"]
    assert mail.subject == "kpiplan: ตั้งรหัสผ่านใหม่"
    assert "somchai" in mail.body
    # The link is built on KPIPLAN_BASE_URL, not on the Host header the requester sent.
    link = re.search(r"https://kpiplan\.example(/accounts/password-reset/\S+/\S+/)", mail.body).group(1)
    assert "evil.example" not in mail.body

    set_password_page = client.get(link, follow=True)
    assert "รหัสผ่านใหม่" in set_password_page.content.decode()
    set_url = set_password_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "ถนนเทอดไท-2567", "new_password2": "ถนนเทอดไท-2567"})
    assert done.status_code == 302
    assert "เปลี่ยนรหัสผ่านแล้ว" in client.get(done["Location"]).content.decode()

    assert client.post("/accounts/login/", {"username": "somchai", "password": "pw-somchai"}).status_code == 200
    assert client.post("/accounts/login/", {"username": "somchai", "password": "ถนนเทอดไท-2567"}).status_code == 302
    # The link works once.
    assert "ใช้ไม่ได้" in client.get(link, follow=True).content.decode()


def test_it_sends_nothing_for_an_unknown_address_and_says_the_same(client, staff, mailoutbox):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.go.th"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_a_reset_password_lifts_the_account_lockout(client, staff, mailoutbox, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "somchai", "password": f"guess{i}"}, REMOTE_ADDR="198.51.100.1")
    assert client.post("/accounts/login/", {"username": "somchai", "password": "pw-somchai"}, REMOTE_ADDR="192.0.2.5").status_code == 429

    client.post("/accounts/password-reset/", {"email": "somchai@example.go.th"})
    link = re.search(r"https://kpiplan\.example(\S+)", mailoutbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "ถนนเทอดไท-2567", "new_password2": "ถนนเทอดไท-2567"})
    response = client.post("/accounts/login/", {"username": "somchai", "password": "ถนนเทอดไท-2567"}, REMOTE_ADDR="192.0.2.5")
    assert response.status_code == 302
