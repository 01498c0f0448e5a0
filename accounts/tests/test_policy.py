"""accounts.policy, the one place access is decided: its named permissions answer the
same as the pages for the fixed cast (the matrix and the page tests check the rest)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import policy

pytestmark = pytest.mark.django_db


def test_an_unknown_permission_is_refused_to_everyone(cast):
    for user in (cast.staff, cast.planner, cast.administrator):
        assert not policy.allowed(user, "progress.edit_evrything", cast.plan)


def test_anonymous_may_do_nothing(cast):
    anonymous = AnonymousUser()
    assert [name for name in policy.PERMISSIONS if policy.allowed(anonymous, name, cast.plan)] == []
    assert not policy.scope_to_user(type(cast.plan).objects.all(), anonymous).exists()


@pytest.mark.parametrize("who, oversee, review, import_plan, author", [
    ("staff", False, False, False, True),
    ("head", False, False, False, False),
    ("planner", True, True, True, False),
    ("executive", True, False, False, False),
    ("other_planner", True, True, True, False),
    ("administrator", True, True, False, False),
])
def test_each_role_gets_its_named_permissions(cast, who, oversee, review, import_plan, author):
    user = getattr(cast, who)
    assert policy.allowed(user, "progress.oversee") is oversee
    assert policy.allowed(user, "progress.review") is review
    assert policy.allowed(user, "plans.import") is import_plan
    assert policy.allowed(user, "progress.author") is author
    assert policy.allowed(user, "organization.same", cast.plan) is (who != "other_planner")


def test_the_city_executive_reads_every_organization_and_changes_nothing(cast, road_item, period):
    """A city-wide reader: every organization's plans and items to read, its submitted
    reports but no division's draft; no write path opens (entry, head, planner, verify,
    assessment, reopen, imports, report requests, the admin's scope)."""
    from accounts import roles
    from progress.models import ProgressEntry, State
    from tests.factories import make_user

    city = make_user("city_executive", roles.CITY_EXECUTIVE)
    plans = type(cast.plan).objects.all()
    assert set(policy.scope_to_user(plans, city)) == {cast.plan, cast.other_plan}
    assert not policy.scope_to_own_organization(plans, city).exists()
    assert policy.allowed(city, "progress.oversee") and policy.allowed(city, "organization.read_all")
    assert policy.allowed(city, "organization.read", cast.other_plan)
    assert policy.allowed(city, "progress.view_item", road_item, cast.plan)
    draft = ProgressEntry(plan=cast.plan, period=period, indicator=road_item.obj, division=road_item.obj.division,
                          state=State.DRAFT)
    submitted = ProgressEntry(plan=cast.plan, period=period, indicator=road_item.obj, division=road_item.obj.division,
                              state=State.SUBMITTED)
    assert not policy.allowed(city, "progress.view_content", draft)
    assert policy.allowed(city, "progress.view_content", submitted)
    for name, args in [
        ("organization.all", ()), ("organization.same", (cast.plan,)), ("progress.review", ()),
        ("progress.edit_item", (road_item, cast.plan)), ("progress.head_of", (road_item.obj.division_id,)),
        ("progress.planner_of", (cast.plan,)), ("progress.request_reopen", (cast.plan,)), ("progress.author", ()),
        ("progress.own_work", ()), ("progress.assess", (road_item.obj,)), ("plans.check", ()), ("plans.import", ()),
        ("admin.change_reference", ()),
    ]:
        assert not policy.allowed(city, name, *args), name
    assert not policy.can_assess(city, road_item.obj, self_assessment=False)
    assert policy.import_progress_scope(city, cast.plan) is None
    entries = ProgressEntry.objects.filter(plan=cast.plan)
    assert not policy.visible_rows(entries, city).exists()  # the admin's scope: own organization only
    assert not policy.may_read_row(city, submitted)
