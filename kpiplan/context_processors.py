"""Which main pages the navigation offers the logged-in user."""

from accounts import policy


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"nav": {
        "my_work": policy.allowed(user, "progress.own_work"),
        "review": policy.allowed(user, "progress.review"),
        "oversee": policy.allowed(user, "progress.oversee"),
        "projects": policy.allowed(user, "progress.list_items"),
        # Its own organization's Traffy page; the list of districts for those who read them all.
        "traffy": policy.allowed(user, "traffy.view"),
    }}
