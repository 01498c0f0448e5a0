"""Which main pages the navigation offers the logged-in user."""

from accounts.roles import EXECUTIVE, PLANNER, has_role, sees_all_organizations, user_division


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    oversee = sees_all_organizations(user) or has_role(user, PLANNER) or has_role(user, EXECUTIVE)
    return {"nav": {
        "my_work": user_division(user) is not None,
        "review": sees_all_organizations(user) or has_role(user, PLANNER),
        "oversee": oversee,
    }}
