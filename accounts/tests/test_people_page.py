"""A planner adds divisions and their staff and heads to their own organization on one
page (no shell, no admin): all saved or nothing, each person mailed a link to choose a
password; never a planner or an administrator, never into another organization."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.roles import user_division, user_organization
from plans.models import Division

pytestmark = pytest.mark.django_db
URL = reverse("people-add")


def _data(**changes):
    data = {
        "divisions-TOTAL_FORMS": "2", "divisions-INITIAL_FORMS": "0",
        "divisions-0-name": "ฝ่ายนวัตกรรมดิจิทัล", "divisions-0-short_name": "นด.",
        "people-TOTAL_FORMS": "3", "people-INITIAL_FORMS": "0",
        "people-0-username": "somsri", "people-0-first_name": "สมศรี", "people-0-email": "somsri@example.invalid",
        "people-0-role": roles.DIVISION_STAFF, "people-0-division": "ฝ่ายนวัตกรรมดิจิทัล",
        "people-1-username": "prasert", "people-1-first_name": "ประเสริฐ", "people-1-email": "prasert@example.invalid",
        "people-1-role": roles.DIVISION_HEAD, "people-1-division": "ฝ่ายโยธา",  # a division the district has
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_planner_adds_a_division_and_its_people_to_their_organization(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.planner)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert URL in page  # the planner's home links to it
    page = client.get(URL).content.decode()
    assert "ฝ่ายและผู้ใช้" in page and "ฝ่ายโยธา" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _data())
    assert response.status_code == 302
    somsri, prasert = User.objects.get(username="somsri"), User.objects.get(username="prasert")
    assert (user_organization(somsri), user_division(somsri).name, roles.has_role(somsri, roles.DIVISION_STAFF)) == (
        cast.org, "ฝ่ายนวัตกรรมดิจิทัล", True)
    assert (user_division(prasert), roles.has_role(prasert, roles.DIVISION_HEAD)) == (cast.division, True)
    assert not somsri.has_usable_password() and not somsri.is_staff
    assert sorted(m.to[0] for m in mail.outbox) == ["prasert@example.invalid", "somsri@example.invalid"]
    page = client.get(URL).content.decode()
    assert "สมศรี" in page and "เพิ่มฝ่ายใหม่ ๑ ฝ่ายและผู้ใช้ ๒ คน" in page


def test_mistakes_are_named_in_thai_nothing_is_saved_and_nothing_typed_is_lost(client, cast):
    client.force_login(cast.planner)
    before = User.objects.count(), Division.objects.count()
    response = client.post(URL, _data(**{"people-0-division": "ฝ่ายที่ไม่มี", "people-1-email": "",
                                         "divisions-1-name": "ฝ่ายโยธา"}))
    page = response.content.decode()
    assert response.status_code == 400
    assert "ฝ่าย: «ฝ่ายที่ไม่มี» ไม่ใช่ฝ่ายที่กรอกไว้ด้านบน" in page
    assert "«ฝ่ายโยธา» เป็นฝ่ายของสำนักงานเขตภาษีเจริญอยู่แล้ว" in page
    assert "ที่อยู่อีเมล:" in page
    assert 'value="somsri"' in page and 'value="ฝ่ายนวัตกรรมดิจิทัล"' in page  # kept as typed
    assert (User.objects.count(), Division.objects.count()) == before and mail.outbox == []


@pytest.mark.parametrize("role", [roles.PLANNER, roles.ADMINISTRATOR, roles.EXECUTIVE])
def test_a_planner_cannot_make_a_planner_an_administrator_or_an_executive(client, cast, role):
    client.force_login(cast.planner)
    response = client.post(URL, _data(**{"people-0-role": role}))
    assert response.status_code == 400
    assert not User.objects.filter(username__in=["somsri", "prasert"]).exists()


@pytest.mark.parametrize("who", ["staff", "head", "executive", "other_planner"])
def test_only_a_planner_adds_people_and_only_to_their_own_organization(client, cast, who):
    client.force_login(getattr(cast, who))
    if who == "other_planner":
        # Another district's planner adds to their own district, never to this one.
        response = client.post(URL, _data(**{"people-1-division": None, "people-1-role": None, "people-1-username": None,
                                             "people-1-first_name": None, "people-1-email": None}))
        assert response.status_code == 302
        assert user_organization(User.objects.get(username="somsri")) == user_organization(cast.other_planner)
        assert not Division.objects.filter(organization=cast.org, name="ฝ่ายนวัตกรรมดิจิทัล").exists()
    else:
        assert client.get(URL).status_code == 403
        assert client.post(URL, _data()).status_code == 403
        assert not User.objects.filter(username="somsri").exists()
