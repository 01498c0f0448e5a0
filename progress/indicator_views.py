"""Pages for readers: one indicator with its targets, results and the divisions' words."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from accounts.policy import scope_to_user
from indicators.models import Indicator

from .services import Item, can_view_item


def _get_indicator_for_user(user, indicator_id: int) -> Indicator:
    """404 for an indicator the user may not read, so it does not reveal that it exists."""
    indicator = get_object_or_404(
        scope_to_user(Indicator.objects.select_related("plan__organization", "division", "node"), user), pk=indicator_id
    )
    if indicator.division_id is None or not can_view_item(user, indicator.plan, Item("indicator", indicator)):
        raise Http404
    return indicator


@login_required
def indicator_detail(request, indicator_id: int):
    indicator = _get_indicator_for_user(request.user, indicator_id)
    return render(request, "progress/indicator.html", {
        "indicator": indicator, "plan": indicator.plan, "targets": list(indicator.targets.all()),
    })
