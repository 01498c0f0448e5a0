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
