"""An administrator adds an organization with its divisions and people on one admin
page; the people choose their own password through a mailed link and then work with
their role and division. Nobody else may open the page (see also the admin matrix)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from accounts import roles
from accounts.roles import user_division, user_organization
from plans.models import Division, Organization

pytestmark = pytest.mark.django_db
URL = "/admin/auth/user/new-organization/"


def _data(**changes):
    data = {
        "org-name": "สำนักงานเขตหนองแขม", "org-short_name": "สนข.หนองแขม", "org-code": "๕๐๒๓๐๐๐๐", "org-kind": "district",
        "divisions-TOTAL_FORMS": "3", "divisions-INITIAL_FORMS": "0",
        "divisions-0-name": "ฝ่ายโยธา", "divisions-1-name": "ฝ่ายปกครอง", "divisions-1-short_name": "ปค.",
        "people-TOTAL_FORMS": "3", "people-INITIAL_FORMS": "0",
        "people-0-username": "somchai", "people-0-first_name": "สมชาย", "people-0-last_name": "ใจดี",
        "people-0-email": "somchai@example.invalid", "people-0-role": roles.DIVISION_STAFF, "people-0-division": "ฝ่ายโยธา",
        "people-1-username": "malee", "people-1-first_name": "มาลี", "people-1-email": "malee@example.invalid",
        "people-1-role": roles.PLANNER,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_creates_the_organization_divisions_and_people_on_one_page(
        client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.administrator)
    page = client.get(URL)
    assert page.status_code == 200
    assert "เพิ่มหน่วยงานพร้อมฝ่ายและผู้ใช้" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the links are mailed once all is saved
        response = client.post(URL, _data())
    organization = Organization.objects.get(short_name="สนข.หนองแขม")
    assert response.status_code == 302 and response["Location"] == f"/admin/plans/organization/{organization.pk}/change/"
    assert organization.code == "50230000"  # Thai digits stored as the city writes the code
    assert list(Division.objects.filter(organization=organization).values_list("name", "short_name")) == [
        ("ฝ่ายโยธา", ""), ("ฝ่ายปกครอง", "ปค.")]
    staff, planner = User.objects.get(username="somchai"), User.objects.get(username="malee")
    assert (user_organization(staff), user_division(staff).name, roles.has_role(staff, roles.DIVISION_STAFF)) == (
        organization, "ฝ่ายโยธา", True)
    assert (user_organization(planner), user_division(planner), planner.is_staff) == (organization, None, True)
    assert not staff.has_usable_password() and not staff.is_staff
    assert sorted(m.to[0] for m in mail.outbox) == ["malee@example.invalid", "somchai@example.invalid"]


def test_the_new_people_set_their_password_by_the_mailed_link_and_work_in_their_division(
        client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _data())
    client.logout()
    letter = next(m for m in mail.outbox if m.to == ["somchai@example.invalid"])
    assert "somchai" in letter.body and "สำนักงานเขตหนองแขม" in letter.body
    link = re.search(r"https?://[^/\s]+(/accounts/\S+)", letter.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session key
    response = client.post(form_url, {"new_password1": "Kp-9-hnongkhaem", "new_password2": "Kp-9-hnongkhaem"})
    assert response.status_code == 302
    client.logout()
    login = client.post("/accounts/login/", {"username": "somchai", "password": "Kp-9-hnongkhaem"})
    assert login.status_code == 302 and "/accounts/login/" not in login["Location"]
    home = client.get("/", follow=True)
    assert home.status_code == 200 and home.context["user"].username == "somchai"
    assert user_division(home.context["user"]).name == "ฝ่ายโยธา"


@pytest.mark.parametrize("code, message", [
    ("5023000", "รหัสหน่วยงาน: ต้องเป็นตัวเลข ๘ หลักพอดี"),
    ("๕๐๒๓๐๐๐ก", "รหัสหน่วยงาน: ต้องเป็นตัวเลข ๘ หลักพอดี"),
    ("50400000", "รหัสหน่วยงาน: «50400000» เป็นรหัสของ"),  # Bang Khae's (the cast's other organization)
])
def test_a_wrong_department_code_is_refused_in_thai_naming_the_field_and_nothing_is_saved(client, cast, code, message):
    client.force_login(cast.administrator)
    response = client.post(URL, _data(**{"org-code": code}))
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert 'value="somchai"' in text and 'value="สำนักงานเขตหนองแขม"' in text  # nothing typed is lost
    assert not Organization.objects.filter(short_name="สนข.หนองแขม").exists()
    assert not User.objects.filter(username="somchai").exists() and mail.outbox == []


def test_a_person_in_a_division_not_written_above_or_a_taken_username_is_refused_by_row(client, cast):
    client.force_login(cast.administrator)
    response = client.post(URL, _data(**{"people-0-division": "ฝ่ายรายได้", "people-1-username": "planner"}))
    text = response.content.decode()
    assert "ฝ่าย: «ฝ่ายรายได้» ไม่ใช่ฝ่ายที่กรอกไว้ด้านบน" in text
    assert "ชื่อผู้ใช้: «planner» มีผู้ใช้แล้ว" in text
    assert not Organization.objects.filter(short_name="สนข.หนองแขม").exists()


def test_division_staff_need_a_division(client, cast):
    client.force_login(cast.administrator)
    text = client.post(URL, _data(**{"people-0-division": ""})).content.decode()
    assert "ฝ่าย: ต้องกรอกสำหรับเจ้าหน้าที่ฝ่ายและหัวหน้าฝ่าย" in text


def test_planners_staff_and_executives_cannot_open_or_post_the_page(client, cast):
    for user in (cast.planner, cast.other_planner, cast.staff, cast.head, cast.executive):
        client.force_login(user)
        assert client.get(URL).status_code in (302, 403)
        assert client.post(URL, _data()).status_code in (302, 403)
    assert not Organization.objects.filter(short_name="สนข.หนองแขม").exists()
    assert not User.objects.filter(username="somchai").exists()


def test_the_user_and_organization_lists_link_to_the_page_for_administrators_only(client, cast):
    client.force_login(cast.administrator)
    assert URL in client.get("/admin/auth/user/").content.decode()
    assert URL in client.get("/admin/plans/organization/").content.decode()
    client.force_login(cast.planner)
    assert URL not in client.get("/admin/plans/organization/").content.decode()
