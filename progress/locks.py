"""Plan data a locked period was judged against: the targets, baselines and rubrics of a
plan whose organization has locked a period of the plan's fiscal year. They change by
no path until the planner reopens the period (progress.services.period_reopen)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plans.models import Period

from .models import PeriodLock

# What a period's status and score are computed from (progress.status, indicators.scoring).
JUDGED_AGAINST = {
    "indicators.indicatortarget", "indicators.baseline", "indicators.rubric", "indicators.rubriclevel",
    "indicators.rubriccondition",
}


def plan_of(obj):
    """The plan a row belongs to, following its ORG_PATH up to the plan."""
    path = getattr(type(obj), "ORG_PATH", "") or ""
    if not path.endswith("plan__organization"):
        return None
    target = obj
    for step in path.split("__")[:-1]:
        target = getattr(target, step, None)
        if target is None:
            return None
    return target


def locked_periods(plan) -> list[Period]:
    return [lock.period for lock in PeriodLock.objects.filter(
        organization_id=plan.organization_id, period__fiscal_year_id=plan.fiscal_year_id, locked=True,
    ).select_related("period").order_by("period__kind", "period__number")]


def frozen_reason(obj) -> str | None:
    """Why `obj` cannot change now (a Thai-first message naming it and the locked
    periods), or None when it can."""
    if obj is None or type(obj)._meta.label_lower not in JUDGED_AGAINST:
        return None
    plan = plan_of(obj)
    if plan is None:
        return None
    periods = locked_periods(plan)
    if not periods:
        return None
    return _("%(what)s: the results of %(periods)s (a locked period) were judged against it, so it cannot change; "
             "the planner must reopen the period first.") % {
        "what": type(obj)._meta.verbose_name, "periods": ", ".join(str(p) for p in periods)}
