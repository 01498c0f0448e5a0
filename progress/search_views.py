"""The search page: one box in every page's header sends its query here."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from . import selectors
from .search import GROUPS, PER_GROUP, search

PAGE_SIZE = 50


def _plan_for(request):
    """The user's current plan, or the chosen `?plan=` (404 when out of reach)."""
    chosen = request.GET.get("plan", "")
    if not chosen:
        return selectors.current_plan(request.user), False
    if not chosen.isdigit():
        raise Http404
    plan = selectors.current_plan(request.user, int(chosen))
    if plan is None:
        raise Http404
    return plan, True


@login_required
def search_page(request):
    plan, plan_chosen = _plan_for(request)
    results = search(request.user, plan, request.GET.get("q"), plan_chosen=plan_chosen)
    only = request.GET.get("group")
    if only not in GROUPS:
        only = None
    base = {"q": results.query.raw, **({"plan": plan.pk} if plan_chosen else {})}
    groups = []
    for group in results.groups:
        if only and group.key != only:
            continue
        if only:
            page = Paginator(group.hits, PAGE_SIZE).get_page(request.GET.get("page"))
            hits = list(page)
        else:
            page = None
            hits = group.hits[:PER_GROUP]
        groups.append({
            "key": group.key, "count": group.count, "hits": hits, "page": page,
            "more_url": "?" + urlencode({**base, "group": group.key}) if not only and group.count > PER_GROUP else "",
        })
    return render(request, "progress/search.html", {
        "results": results, "query": results.query, "plan": plan, "groups": groups, "only": only,
        "found": sum(group["count"] for group in groups),  # of the groups shown (one, with ?group=)
        "all_url": "?" + urlencode(base), "page_base": "?" + urlencode({**base, "group": only or ""}),
    })
