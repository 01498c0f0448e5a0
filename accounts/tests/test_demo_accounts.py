from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEMO_ACCOUNTS_ALLOWED=False)
def test_production_never_gets_demo_accounts(real_plan):
    with pytest.raises(CommandError):
        call_command("demo_accounts", stdout=StringIO())
    assert not User.objects.filter(username__in=["staff", "planner", "admin"]).exists()


@override_settings(DEMO_ACCOUNTS_ALLOWED=True)
def test_embedded_mode_gets_one_account_per_role(real_plan, client):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for username in ["staff", "head", "planner", "executive", "admin"]:
        assert username in text
        user = User.objects.get(username=username)
        assert user.profile.organization == real_plan.organization
    assert User.objects.get(username="staff").profile.division.name == "ฝ่ายโยธา"
    city = User.objects.get(username="city")  # the city executive: of no district, no admin
    assert city.profile.organization is None and not city.is_staff
    assert list(city.groups.values_list("name", flat=True)) == ["city_executive"]
    # Through the login form: django-axes needs the request that client.login() omits.
    response = client.post("/accounts/login/", {"username": "planner", "password": "demo-planner"})
    assert response.status_code == 302
    assert client.get("/admin/projects/project/").status_code == 200
    call_command("demo_accounts", stdout=StringIO())  # again: no duplicates
    assert User.objects.filter(username="planner").count() == 1


def test_the_settings_allow_demo_accounts_only_without_database_url(settings):
    assert settings.DATABASE_URL  # the suite runs on PostgreSQL
    assert settings.DEMO_ACCOUNTS_ALLOWED is False


def test_roles_exist_as_groups(db):
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"division_staff", "division_head", "planner", "executive", "administrator"} <= names
    planner = Group.objects.get(name="planner")
    assert planner.permissions.filter(codename="change_project").exists()
    assert not planner.permissions.filter(codename="change_organization").exists()


@override_settings(DEMO_ACCOUNTS_ALLOWED=True)
def test_demo_accounts_have_staff_and_head_in_two_divisions_and_addresses(real_plan):
    call_command("demo_accounts", stdout=StringIO())
    from accounts import policy
    from accounts.roles import DIVISION_HEAD, DIVISION_STAFF

    divisions = {}
    for user in User.objects.filter(username__in=["staff", "head", "staff2", "head2"]):
        role = DIVISION_HEAD if policy.is_head_of(user, user.profile.division_id) else DIVISION_STAFF
        assert user.groups.filter(name=role).exists()
        divisions.setdefault(user.profile.division.name, set()).add(role)
    assert divisions == {"ฝ่ายโยธา": {DIVISION_STAFF, DIVISION_HEAD}, "ฝ่ายการศึกษา": {DIVISION_STAFF, DIVISION_HEAD}}
    # Every demo account has an address that never delivers, so send_reminders has someone to write to.
    assert set(User.objects.values_list("email", flat=True)) == {
        f"{u}@example.invalid" for u in User.objects.values_list("username", flat=True)}


@override_settings(DEMO_ACCOUNTS_ALLOWED=True)
def test_the_demo_planner_is_told_why_my_work_is_read_only(real_plan, client):
    call_command("demo_accounts", stdout=StringIO())
    client.force_login(User.objects.get(username="planner"))
    page = client.get("/work/").content.decode()
    assert 'id="read-only"' in page and "ผู้จัดทำแผนมีหน้าที่ตรวจสอบและอนุมัติรายงาน" in page
    assert 'id="to-review"' in page
    client.force_login(User.objects.get(username="staff"))
    assert 'id="read-only"' not in client.get("/work/").content.decode()
