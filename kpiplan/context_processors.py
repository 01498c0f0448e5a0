"""Which main pages the navigation offers the logged-in user."""

from accounts import policy
from accounts.roles import user_division


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"nav": {
        "my_work": user_division(user) is not None,
        "review": policy.allowed(user, "progress.review"),
        "oversee": policy.allowed(user, "progress.oversee"),
    }}
