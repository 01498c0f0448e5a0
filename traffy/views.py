"""The Traffy page of an organization: the KPI of table ค indicator 1.2 by month and to
date, and the work lists its definition names (item 4.2)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.policy import allowed, reads_all_organizations
from accounts.roles import user_organization
from kpiplan.lib.fiscal import fiscal_months, fiscal_year_of
from kpiplan.lib.thai import BE_OFFSET, localize_digits, month_name_in
from plans.models import Organization, Plan

from . import kpi
from .charts import map_svg, monthly_svg

LIST_LIMIT = 50  # rows of a work list on the page; the count above it says how many there are
MAP_LIMIT = 3000  # dots on the map (the oldest open tickets first)


def _get_organization_for_user(user, organization_id: int) -> Organization:
    """404 for an organization whose tickets the user may not read (it does not say it exists)."""
    organization = get_object_or_404(Organization, pk=organization_id)
    if not allowed(user, "traffy.view", organization):
        raise Http404
    return organization


@login_required
@require_GET
def index(request):
    """One's own organization's page; the organizations to choose from for those who read all."""
    organization = user_organization(request.user)
    if organization is not None and allowed(request.user, "traffy.view", organization):
        return redirect("traffy:organization", organization.pk)
    if not reads_all_organizations(request.user):
        raise Http404
    organizations = list(Organization.objects.filter(kind=Organization.Kind.DISTRICT).order_by("name"))
    return render(request, "traffy/index.html", {"organizations": organizations})


def _fiscal_year(request, today: datetime.date, organization) -> int:
    """?year= (B.E.) within reason, else the year of the organization's latest plan (the
    year its people report on, as every other page shows it), else the current one."""
    current = fiscal_year_of(today)
    planned = (Plan.objects.filter(organization=organization, fiscal_year_id__lte=current)
               .order_by("-fiscal_year_id").values_list("fiscal_year_id", flat=True).first())
    default = planned or current
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if current - 10 <= year <= current else default


@dataclass
class WorkList:
    count: int
    tickets: list
    by_type: list
    by_subdistrict: list
    resolved: int | None = None  # of them finished by the month's end (a month's list)


def _work_list(tickets, order: tuple[str, ...], now, *, counts: bool = False) -> WorkList:
    rows = list(tickets.order_by(*order).only(
        "ticket_id", "problem_types", "description", "photo_url", "subdistrict", "state", "reported_at", "count_reopen",
        "finished_at")[:LIST_LIMIT])
    for t in rows:  # days open so far, or days it took for a finished (re-opened) one
        t.days_open = ((t.finished_at if t.is_finished and t.finished_at else now) - t.reported_at).days
    if not counts:
        return WorkList(tickets.count(), rows, [], [])
    return WorkList(tickets.count(), rows, kpi.counts_by_type(tickets), kpi.counts_by_subdistrict(tickets))


def _month_name(month, language) -> str:
    return f"{month_name_in(month.month, language)} {localize_digits(month.year + BE_OFFSET, language)}"


def _month_list(request, tickets, year: int, now):
    """?month=YYYY-MM (a month of the fiscal year shown): the tickets received in it, the
    list behind a month's figure (the entry page of indicator 1.2 links here)."""
    wanted = request.GET.get("month", "")
    month = next((m for m in fiscal_months(year) if f"{m.year:04d}-{m.month:02d}" == wanted), None)
    if month is None:
        return None, None
    start, end = kpi.month_bounds(month)
    received = tickets.filter(reported_at__gte=start, reported_at__lt=end)
    listed = _work_list(received, ("reported_at", "pk"), now)
    listed.resolved = received.filter(state=kpi.FINISHED, finished_at__lt=end).count()
    return month, listed


@login_required
@require_GET
def organization_page(request, organization_id: int):
    organization = _get_organization_for_user(request.user, organization_id)
    now = timezone.now()
    today = timezone.localdate(now)
    year = _fiscal_year(request, today, organization)
    tickets = kpi.tickets_of(organization)
    year_start, year_end = kpi.year_window(year)
    language = get_language()

    figures = [f for f in kpi.monthly_figures(tickets, year) if f.month.start <= today]
    chart = monthly_svg([(f.month.abbr_in(language), f.received, f.resolved_in_month, f.open_at_end) for f in figures],
                        label=_("Traffy tickets by month: received, resolved, open at the month's end"))

    open_tickets = tickets.exclude(state=kpi.FINISHED)
    overdue = _work_list(kpi.open_longer_than(tickets, now), ("reported_at", "pk"), now, counts=True)
    reopened = _work_list(kpi.reopened(tickets.filter(reported_at__gte=year_start, reported_at__lt=year_end)),
                          ("-count_reopen", "reported_at", "pk"), now)
    urgent = _work_list(kpi.of_types(open_tickets, kpi.urgent_types()), ("reported_at", "pk"), now)
    month, month_list = _month_list(request, tickets, year, now)
    times = kpi.resolution_times(tickets.filter(finished_at__gte=year_start, finished_at__lt=year_end))

    points = [(float(lon), float(lat), sub) for lon, lat, sub in open_tickets.filter(
        latitude__isnull=False, longitude__isnull=False).order_by("reported_at").values_list(
        "longitude", "latitude", "subdistrict")[:MAP_LIMIT]]
    outlines = {sub: kpi.convex_hull(pts) for sub, pts in kpi.outline_points(tickets).items()}
    the_map = map_svg(points, outlines, label=_("Map of open Traffy tickets"))

    return render(request, "traffy/organization.html", {
        "organization": organization, "year": year, "years": [year - 1, year + 1] if year < fiscal_year_of(today) else [year - 1],
        "figures": [(f.month.abbr_in(language), f) for f in figures], "to_date": figures[-1] if figures else None,
        "to_date_month": _month_name(figures[-1].month, language) if figures else "",
        "month_running": bool(figures) and figures[-1].month.end >= today, "today": today,
        "chart": mark_safe(chart),  # noqa: S308 - built from counts and escaped labels
        "the_map": mark_safe(the_map),  # noqa: S308 - built from coordinates and escaped names
        "mapped": len(points), "map_limit": MAP_LIMIT,
        "overdue": overdue, "reopened": reopened, "urgent": urgent, "urgent_types": kpi.urgent_types(),
        "times": times, "open_days": kpi.OPEN_DAYS, "list_limit": LIST_LIMIT,
        "month": month, "month_name": _month_name(month, language) if month else "", "month_list": month_list,
        "can_import": allowed(request.user, "traffy.import", organization),
    })
