"""Pages for readers: one indicator with its targets, results and the divisions' words."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.policy import scope_to_user
from indicators.models import Indicator
from kpiplan.lib.charts import pace_chart_svg
from kpiplan.lib.fiscal import fiscal_months

from .reading import indicator_page
from .services import Item, can_view_item


def _get_indicator_for_user(user, indicator_id: int) -> Indicator:
    """404 for an indicator the user may not read, so it does not reveal that it exists."""
    indicator = get_object_or_404(
        scope_to_user(Indicator.objects.select_related("plan__organization", "plan__fiscal_year", "division", "node"), user),
        pk=indicator_id,
    )
    if indicator.division_id is None or not can_view_item(user, indicator.plan, Item("indicator", indicator)):
        raise Http404
    return indicator


def _charts(page) -> list:
    """One chart of results against the planned pace, or one per measure."""
    months = fiscal_months(page.indicator.plan.fiscal_year_id)
    language = get_language()
    labels = [months[line.period.number - 1].abbr_in(language) if line.period.kind == "month" else line.period.short_name
              for line in page.lines]
    target_label = _("Target")
    expected_label, actual_label = _("Expected at the planned pace"), _("Result to date")
    if page.measures:
        charts = []
        for i, m in enumerate(page.measures):
            charts.append(pace_chart_svg(
                [line.measures[i][1] for line in page.lines], [line.measures[i][0].result for line in page.lines], labels,
                title=f"{m.label} ({m.unit})", expected_label=expected_label, actual_label=actual_label, target=m.target,
                target_label=target_label))
        return charts
    unit = page.indicator.unit
    return [pace_chart_svg([line.expected for line in page.lines], [line.status.result for line in page.lines], labels,
                           title=_("Result against the planned pace") + (f" ({unit})" if unit else ""),
                           expected_label=expected_label, actual_label=actual_label, target=page.target,
                           target_label=target_label)]


@login_required
def indicator_detail(request, indicator_id: int):
    indicator = _get_indicator_for_user(request.user, indicator_id)
    page = indicator_page(request.user, indicator)
    return render(request, "progress/indicator.html", {
        "indicator": indicator, "plan": indicator.plan, "page": page,
        "targets": list(indicator.targets.all()),
        "charts": [mark_safe(c) for c in _charts(page)],  # noqa: S308 - built from numbers and escaped labels
        "rubric_levels": list(page.rubric.levels.all()) if page.rubric else [],
    })
