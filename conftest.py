import pytest
from django.core.management import call_command
from django.utils import translation

from accounts import roles
from plans.models import Division, Organization, Plan
from tests.factories import OrganizationFactory, PlanFactory, make_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real FY 2567 plan of Phasi Charoen."""
    with django_db_blocker.unblock():
        call_command("loadplan", verbosity=0)
        # Transactional tests (the browser tests, run last by pytest-django) flush the
        # database; with serialized_rollback they start again from this snapshot.
        from django.db import connection

        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The fixed cast creates several users per test; production's PBKDF2 would make
    the suite several times slower without testing anything of ours."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded evidence goes to a throw-away folder, never the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def tasks_run_immediately(settings):
    """Background tasks run inside the request, so a test sees their outcome at once;
    django-tasks drops its cached backends when TASKS changes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached pages are keyed on the data's version; a test's rolled-back data (under a
    frozen clock, the same timestamps) must not meet the page cached by the test before."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english_for_direct_calls():
    """Domain functions called directly speak English in assertions; pages are
    served in Thai by LocaleMiddleware regardless."""
    with translation.override("en"):
        yield


@pytest.fixture
def real_plan(db):
    return Plan.objects.select_related("organization").get(organization__short_name="สนข.ภาษีเจริญ", fiscal_year=2567)


@pytest.fixture
def cast(real_plan):
    """A fixed cast of users for permission tests (healthchecks style)."""

    class Cast:
        pass

    c = Cast()
    org = real_plan.organization
    c.org = org
    c.plan = real_plan
    c.division = Division.objects.get(organization=org, name="ฝ่ายโยธา")
    c.other_division = Division.objects.get(organization=org, name="ฝ่ายการศึกษา")
    c.staff = make_user("staff", roles.DIVISION_STAFF, org, c.division)
    c.other_staff = make_user("staff_other_division", roles.DIVISION_STAFF, org, c.other_division)
    c.head = make_user("head", roles.DIVISION_HEAD, org, c.division)
    c.planner = make_user("planner", roles.PLANNER, org)
    c.executive = make_user("executive", roles.EXECUTIVE, org)
    c.administrator = make_user("administrator", roles.ADMINISTRATOR, None, superuser=True)
    c.other_org = OrganizationFactory(short_name="สนข.บางแค", name="สำนักงานเขตบางแค", code="50400000")
    c.other_plan = PlanFactory(organization=c.other_org, title="แผนปฏิบัติราชการ เขตบางแค")
    c.other_planner = make_user("planner_bangkhae", roles.PLANNER, c.other_org)
    return c


@pytest.fixture
def organization(db):
    return Organization.objects.get(short_name="สนข.ภาษีเจริญ")


@pytest.fixture
def period(real_plan):
    """December 2566 (fiscal month 3) of the real plan."""
    from plans.models import Period

    return Period.objects.get(fiscal_year_id=2567, kind="month", number=3)


@pytest.fixture
def road_item(real_plan):
    """OKR 1.4.06 'ล้างทำความสะอาดท่อ': ฝ่ายโยธา (cast.staff and cast.head) reports it."""
    from indicators.models import Indicator
    from progress.services import Item

    return Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:1.4.06"))
