"""Who reads what: the API keeps the pages' rules (organization scope, and other
divisions' drafts and returned reports stay private)."""

from decimal import Decimal

import pytest

from indicators.models import Indicator
from plans.models import Period, Plan
from progress.models import ProgressEntry, State
from progress.services import Item, can_view_content, can_view_item, entry_endorse, entry_return, entry_save, entry_submit, entry_verify
from projects.models import Project

pytestmark = pytest.mark.django_db

LISTS = ["/api/plans/", "/api/indicators/", "/api/projects/", "/api/progress/"]
ROLES = ["staff", "other_staff", "head", "planner", "executive", "administrator", "other_planner"]


@pytest.fixture
def school_item(real_plan):
    """A project of ฝ่ายการศึกษา (cast.other_staff's division)."""
    return Item("project", Project.objects.get(plan=real_plan, key="p2:6.2.1"))


def report(user, plan, period, item, **data):
    fields = {"narrative": "ดำเนินการแล้ว"}
    fields.update({"value": Decimal("10")} if item.kind == "indicator" else {"percent_complete": Decimal("10")})
    fields.update(data)
    return entry_save(user=user, plan=plan, period=period, item=item, data=fields, version=0)


def submitted(cast, period, item, user):
    entry = report(user, cast.plan, period, item)
    return entry_submit(user=user, entry=entry, version=entry.version)


def ids(client, url, **params):
    response = client.get(url, {"limit": 1000, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# -- anonymous ------------------------------------------------------------------------------

def test_anonymous_users_are_refused_everywhere(client, cast, period, road_item):
    entry = report(cast.staff, cast.plan, period, road_item)
    urls = LISTS + [
        f"/api/plans/{cast.plan.pk}/",
        f"/api/indicators/{road_item.obj.pk}/",
        f"/api/indicators/{road_item.obj.pk}/status/?period={period.pk}",
        f"/api/projects/{Project.objects.filter(plan=cast.plan).first().pk}/",
        f"/api/projects/{Project.objects.get(plan=cast.plan, key='p3:1.4').pk}/s-curve/",
        f"/api/progress/{entry.pk}/",
        "/api/",
    ]
    for url in urls:
        assert client.get(url).status_code in (401, 403), url


def test_the_api_is_read_only(client, cast):
    client.force_login(cast.administrator)
    for url in LISTS:
        assert client.post(url, {}, content_type="application/json").status_code == 405
    assert client.delete(f"/api/plans/{cast.plan.pk}/").status_code == 405


# -- another organization -------------------------------------------------------------------

@pytest.mark.parametrize("url", LISTS)
def test_another_organization_sees_none_of_the_real_plans_rows(client, cast, period, road_item, url):
    approved = submitted(cast, period, road_item, cast.head)  # endorsed: visible to the real planner
    real = {
        "/api/plans/": {cast.plan.pk},
        "/api/indicators/": set(Indicator.objects.filter(plan=cast.plan).values_list("pk", flat=True)),
        "/api/projects/": set(Project.objects.filter(plan=cast.plan).values_list("pk", flat=True)),
        "/api/progress/": {approved.pk},
    }[url]
    client.force_login(cast.planner)
    assert ids(client, url) == real  # the real planner sees them all, so the next check means something
    client.force_login(cast.other_planner)
    assert not ids(client, url) & real
    if url != "/api/plans/":
        assert not ids(client, url, plan=cast.plan.pk)


def test_another_organization_gets_404_on_the_real_plans_detail_urls(client, cast, period, road_item):
    entry = submitted(cast, period, road_item, cast.head)
    traffy = Project.objects.get(plan=cast.plan, key="p3:1.4")
    urls = [
        f"/api/plans/{cast.plan.pk}/",
        f"/api/indicators/{road_item.obj.pk}/",
        f"/api/indicators/{road_item.obj.pk}/status/?period={period.pk}",
        f"/api/projects/{traffy.pk}/",
        f"/api/projects/{traffy.pk}/s-curve/",
        f"/api/progress/{entry.pk}/",
    ]
    client.force_login(cast.planner)
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(cast.other_planner)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_the_other_organization_reads_its_own_plan(client, cast):
    client.force_login(cast.other_planner)
    assert ids(client, "/api/plans/") == {cast.other_plan.pk}
    client.force_login(cast.administrator)
    assert ids(client, "/api/plans/") == set(Plan.objects.values_list("pk", flat=True))


def test_a_user_without_an_organization_sees_nothing(client, cast):
    from tests.factories import make_user

    lost = make_user("nobody")
    client.force_login(lost)
    for url in LISTS:
        assert ids(client, url) == set(), url


# -- inside the organization -----------------------------------------------------------------

@pytest.mark.parametrize("who", ["staff", "other_staff", "head", "planner", "executive"])
def test_plan_data_is_readable_by_everyone_in_the_organization(client, cast, who):
    client.force_login(getattr(cast, who))
    assert ids(client, "/api/indicators/") == set(Indicator.objects.filter(plan=cast.plan).values_list("pk", flat=True))
    assert ids(client, "/api/projects/") == set(Project.objects.filter(plan=cast.plan).values_list("pk", flat=True))


def test_a_draft_stays_in_its_division_until_submitted(client, cast, period, road_item):
    entry = report(cast.staff, cast.plan, period, road_item)
    detail = f"/api/progress/{entry.pk}/"

    def sees(who):
        client.force_login(getattr(cast, who))
        listed = entry.pk in ids(client, "/api/progress/", period=period.pk)
        assert listed == (client.get(detail).status_code == 200)
        return listed

    assert sees("staff") and sees("head") and sees("administrator")
    assert not sees("other_staff")
    assert not sees("planner")
    assert not sees("executive")
    assert not sees("other_planner")

    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    assert sees("planner") and sees("executive") and sees("staff") and sees("head")
    assert not sees("other_staff")  # another division's item, whatever its state
    assert not sees("other_planner")


def test_a_returned_report_is_hidden_again_from_the_planner(client, cast, period, road_item):
    entry = submitted(cast, period, road_item, cast.staff)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    client.force_login(cast.planner)
    assert entry.pk in ids(client, "/api/progress/")
    entry_return(user=cast.planner, entry=entry, comment="แนบหลักฐาน", version=entry.version)
    assert entry.pk not in ids(client, "/api/progress/")
    client.force_login(cast.staff)
    assert entry.pk in ids(client, "/api/progress/")


def test_staff_see_their_own_divisions_reports_only(client, cast, period, road_item, school_item):
    from accounts import roles
    from tests.factories import make_user

    teacher = make_user("teacher", roles.DIVISION_STAFF, cast.org, cast.other_division)
    ours = submitted(cast, period, road_item, cast.staff)
    theirs = submitted(cast, period, school_item, teacher)
    client.force_login(cast.staff)
    assert ids(client, "/api/progress/") == {ours.pk}
    client.force_login(cast.other_staff)
    assert ids(client, "/api/progress/") == {theirs.pk}
    client.force_login(cast.planner)
    assert ids(client, "/api/progress/") == {ours.pk, theirs.pk}


def test_the_progress_list_agrees_with_the_services_for_every_role(client, cast, period, road_item, school_item):
    """The queryset filter is the pages' can_view_item + can_view_content, row by row."""
    from accounts import roles
    from tests.factories import make_user

    teacher = make_user("teacher", roles.DIVISION_STAFF, cast.org, cast.other_division)
    canal = Item("project", Project.objects.get(plan=cast.plan, key="p2:1.7.1"))
    months = {n: Period.objects.get(fiscal_year_id=2567, kind="month", number=n) for n in (1, 2, 3, 4)}
    report(cast.staff, cast.plan, months[1], road_item)  # draft
    submitted(cast, months[2], road_item, cast.staff)  # submitted
    endorsed = submitted(cast, months[3], road_item, cast.head)
    entry_verify(user=cast.planner, entry=endorsed, verified_value=Decimal("9"), comment="", version=endorsed.version)
    returned = submitted(cast, months[4], road_item, cast.head)
    entry_return(user=cast.planner, entry=returned, comment="แก้", version=returned.version)
    report(teacher, cast.plan, months[1], school_item)  # another division's draft
    submitted(cast, months[2], school_item, teacher)
    report(cast.head, cast.plan, months[3], canal)
    entries = list(ProgressEntry.objects.select_related("plan", "indicator", "project"))
    assert {e.state for e in entries} >= {State.DRAFT, State.SUBMITTED, State.APPROVED, State.RETURNED}

    for who in ROLES:
        user = getattr(cast, who)
        user.refresh_from_db()
        expected = set()
        for e in entries:
            item = Item("indicator" if e.indicator_id else "project", e.item)
            if can_view_item(user, e.plan, item) and can_view_content(user, e):
                expected.add(e.pk)
        client.force_login(user)
        assert ids(client, "/api/progress/") == expected, who
