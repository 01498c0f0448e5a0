from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts import policy
from accounts.policy import can_oversee, reads_all_organizations, scope_to_user
from kpiplan import lists
from kpiplan.lib.charts import s_curve_svg
from projects.models import Project

from .budget import budget_execution, s_curve
from .caching import cached_html
from .reading import project_reading
from .selectors import current_plan, pick_period, plan_and_period
from .versions import year_version


def _get_project_for_user(user, project_id: int) -> Project:
    projects = scope_to_user(
        Project.objects.select_related("plan__organization", "plan__fiscal_year", "division", "work_group")
        .prefetch_related("work_steps", "policies"),
        user,
    )
    return get_object_or_404(projects, pk=project_id)


def work_plan_chart(curve) -> str:
    """The project's S-curve as SVG (the project page and the entry page)."""
    # Without work steps there is no planned line, only the percent complete reported.
    return s_curve_svg([] if curve.reported else curve.planned, curve.actual, curve.labels, title=_("Work plan (S-curve)"),
                       planned_label=_("Planned cumulative %"), actual_label=_("Actual cumulative %"))


@login_required
def project_detail(request, project_id: int):
    project = _get_project_for_user(request.user, project_id)
    curve = s_curve(project, request.user)
    chart = work_plan_chart(curve)
    reading = project_reading(request.user, project, curve)
    money_chart = s_curve_svg(
        [] if curve.reported else [m.planned_pct for m in reading.money], [m.disbursed_pct for m in reading.money], curve.labels,
        title=_("Disbursement, as a share of the budget"), planned_label=_("Planned"),
        actual_label=_("Disbursed to date"),
    ) if project.budget else ""
    return render(request, "projects/detail.html", {
        "project": project, "curve": curve, "chart": mark_safe(chart),  # noqa: S308 - built from numbers and escaped labels
        "steps": list(project.work_steps.all()),
        "slipping_labels": [curve.labels[m - 1] for m in curve.slipping],
        "reading": reading, "money_chart": mark_safe(money_chart),  # noqa: S308 - built from numbers and escaped labels
    })


@login_required
def budget(request):
    if not can_oversee(request.user):
        raise PermissionDenied
    plan = current_plan(request.user, request.GET.get("plan"))
    if plan is None:
        raise Http404
    period, periods = pick_period(plan, request.GET.get("period"))
    return render(request, "projects/budget.html", {
        "plan": plan, "period": period, "periods": [p for p in periods if p.kind == "month"],
        "data": budget_execution(plan, period.last_month),
    })


@login_required
def city(request):
    """Table ง across districts for a fiscal year and period: each shared key result with
    every district's target and result, the sums against the city target, a league of
    districts per key result and by completeness. Administrators and the city executive
    see every district; a district's planner or executive only its own line."""
    from .cityrollup import city_completeness, city_rollup

    if not can_oversee(request.user):
        raise PermissionDenied
    plan, period, periods = plan_and_period(request)
    plans = None if reads_all_organizations(request.user) else [plan]

    def build() -> str:
        return render_to_string("projects/city.html", {
            "plan": plan, "period": period, "all_districts": plans is None,
            "rows": city_rollup(plan.fiscal_year_id, period, plans),
            "completeness": city_completeness(plan.fiscal_year_id, period, plans),
        })

    scope = "all" if plans is None else plan.pk
    return render(request, "projects/city_page.html", {
        "plan": plan, "period": period, "periods": periods, "hide_plan_choice": True,
        "body": cached_html("city", (period.pk, scope), year_version(plan.fiscal_year_id), build),
    })


@login_required
def project_list(request):
    """The plan's projects with their budget and whether they are behind schedule at the
    chosen month: the organization's for those who oversee it, the own division's for
    staff and heads (accounts.policy.visible_items)."""
    from .budget import disbursements, s_curves
    from .filters import ProjectFilter
    from .tables import ProjectRow, ProjectTable

    if not policy.allowed(request.user, "progress.list_items"):
        raise PermissionDenied
    plan = current_plan(request.user, request.GET.get("plan"))
    if plan is None:
        raise Http404
    period, periods = pick_period(plan, request.GET.get("period"))
    month = period.last_month
    projects = policy.visible_items(Project.objects.filter(plan=plan).budget_lines(), request.user)
    filterset = ProjectFilter(request.GET, plan=plan, queryset=projects, divisions=can_oversee(request.user))
    found = list(filterset.qs.select_related("plan", "division").order_by("section", "order"))
    curves = s_curves(plan, found)
    paid = disbursements(plan)
    rows = filterset.keep(ProjectRow(p, p.budget or Decimal(0), paid.at(p.pk, month), curves[p.pk].behind_at(month))
                          for p in found)
    table = ProjectTable(rows)
    fmt = lists.export_format(request)
    if fmt:
        return lists.export(request, table, fmt, f"projects-{plan.fiscal_year_id}-{period.kind}-{period.number:02d}")
    return render(request, "projects/list.html", {
        "plan": plan, "period": period, "periods": [p for p in periods if p.kind == "month"], "rows": rows,
        "behind": sum(1 for r in rows if r.behind), "table": lists.paginate(request, table), "filter": filterset,
        "keep": [("plan", plan.pk), ("period", period.pk)], "export_links": lists.export_links(request, plan=plan.pk, period=period.pk),
    })
