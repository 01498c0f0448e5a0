"""Demo accounts for every role, staff and head in two divisions, for the embedded
database only. Each has an address at example.invalid (a domain that never delivers),
so that `send_reminders` on the console e-mail backend shows the letters it would send."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

from plans.models import Division, Organization

from .models import Profile
from .roles import ADMINISTRATOR, CITY_EXECUTIVE, DIVISION_HEAD, DIVISION_STAFF, EXECUTIVE, PLANNER, ROLE_LABELS

EMAIL_DOMAIN = "example.invalid"


class DemoAccountsRefused(Exception):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    first_name: str
    division: str | None


DEMO_DIVISION = "ฝ่ายโยธา"
OTHER_DIVISION = "ฝ่ายการศึกษา"

DEMO_ACCOUNTS = [
    DemoAccount("staff", "demo-staff", DIVISION_STAFF, "เจ้าหน้าที่ฝ่ายโยธา", DEMO_DIVISION),
    DemoAccount("staff2", "demo-staff2", DIVISION_STAFF, "เจ้าหน้าที่ฝ่ายการศึกษา", OTHER_DIVISION),
    DemoAccount("head", "demo-head", DIVISION_HEAD, "หัวหน้าฝ่ายโยธา", DEMO_DIVISION),
    DemoAccount("head2", "demo-head2", DIVISION_HEAD, "หัวหน้าฝ่ายการศึกษา", OTHER_DIVISION),
    DemoAccount("planner", "demo-planner", PLANNER, "ผู้จัดทำแผน ฝ่ายปกครอง", "ฝ่ายปกครอง"),
    DemoAccount("executive", "demo-executive", EXECUTIVE, "ผู้อำนวยการเขต", None),
    DemoAccount("admin", "demo-admin", ADMINISTRATOR, "ผู้ดูแลระบบ", None),
    # Of no district: reads every organization (the city view), changes nothing.
    DemoAccount("city", "demo-city", CITY_EXECUTIVE, "ผู้บริหารกรุงเทพมหานคร", None),
]


@transaction.atomic
def create_demo_accounts(organization: Organization | None = None) -> list[DemoAccount]:
    if not settings.DEMO_ACCOUNTS_ALLOWED:
        raise DemoAccountsRefused("Demo accounts exist only on the embedded database (no DATABASE_URL).")
    if organization is None:
        organization = Organization.objects.filter(kind=Organization.Kind.DISTRICT, plans__isnull=False).order_by("pk").first()
    if organization is None:
        raise DemoAccountsRefused("Load a plan first (python manage.py loadplan).")
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(username=account.username)
        if created:
            user.set_password(account.password)
        user.first_name = account.first_name
        user.email = f"{account.username}@{EMAIL_DOMAIN}"
        user.is_staff = account.role in (PLANNER, ADMINISTRATOR)
        user.is_superuser = account.role == ADMINISTRATOR
        user.save()
        user.groups.set([Group.objects.get(name=account.role)])
        division = Division.objects.filter(organization=organization, name=account.division).first() if account.division else None
        home = None if account.role == CITY_EXECUTIVE else organization
        Profile.objects.update_or_create(user=user, defaults={"organization": home, "division": division})
    return DEMO_ACCOUNTS


def describe(accounts: list[DemoAccount]) -> list[str]:
    return [f"  {a.username:<10} {a.password:<16} {ROLE_LABELS[a.role]} {a.division or ''}" for a in accounts]


# The other divisions' reports of the demo year (progress.demo) are written by made-up
# colleagues who cannot sign in: one staff member and one head per division.
COLLEAGUE_PREFIX = "demo-colleague-"


@transaction.atomic
def division_reporters(organization: Organization) -> dict[int, tuple[User, User]]:
    """A staff member and a head for every division of `organization`: the demo accounts
    where there are some, else made-up colleagues (no usable password)."""
    if not settings.DEMO_ACCOUNTS_ALLOWED:
        raise DemoAccountsRefused("Demo accounts exist only on the embedded database (no DATABASE_URL).")
    found: dict[int, dict[str, User]] = {}
    for profile in Profile.objects.filter(organization=organization, division__isnull=False,
                                          user__groups__name__in=[DIVISION_STAFF, DIVISION_HEAD]).select_related("user"):
        for role in profile.user.groups.values_list("name", flat=True):
            found.setdefault(profile.division_id, {}).setdefault(role, profile.user)
    out = {}
    for division in Division.objects.filter(organization=organization).order_by("pk"):
        pair = found.get(division.pk, {})
        for role, title in ((DIVISION_STAFF, "เจ้าหน้าที่"), (DIVISION_HEAD, "หัวหน้า")):
            if role in pair:
                continue
            user, created = User.objects.get_or_create(username=f"{COLLEAGUE_PREFIX}{division.pk}-{role}")
            if created:
                user.set_unusable_password()
                user.first_name = f"{title}{division.name}"
                user.email = f"{user.username}@{EMAIL_DOMAIN}"
                user.save()
                user.groups.set([Group.objects.get(name=role)])
                Profile.objects.update_or_create(user=user, defaults={"organization": organization, "division": division})
            pair[role] = user
        out[division.pk] = (pair[DIVISION_STAFF], pair[DIVISION_HEAD])
    return out
