"""The version of a plan's data: what pages built from it (the dashboard, the city view)
are cached under, so that a cached page is never older than the data it shows.

Two parts, read in one query:
- `Plan.data_changed_at`, stamped here on every save or delete of a row of the plan's
  data (indicators, targets, projects, steps, divisions …) — rare writes, so stamping
  the plan row costs nothing that matters;
- the plan's progress reports, as count, newest `updated_at` and sum of `version`: every
  path that changes a report (a page, a bulk action, an import) raises its version and
  sets `updated_at`, and a report written by 200 staff at quarter-end must not queue
  behind one plan row, so reports are read rather than stamped.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Count, Max, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from plans.models import Plan

from .models import ProgressEntry

# Rows of these apps with a path to their organization (ORG_PATH) are plan data.
PLAN_DATA_APPS = ("plans", "indicators", "projects", "progress")
# Read, not stamped (see above); history rows follow their tracked rows.
NOT_STAMPED = {"progress.progressentry", "progress.evidence"}


def _plans_of(instance) -> dict:
    """The filter of the plans a row belongs to: its plan, or its organization's plans."""
    path = getattr(type(instance), "ORG_PATH", None)
    if path is None:
        return {}
    if isinstance(instance, Plan):
        return {"pk": instance.pk}
    steps = path.split("__") if path else []
    if not steps:  # an organization
        return {"organization_id": instance.pk}
    target = instance
    try:
        for step in steps[:-1]:
            if step == "plan":
                return {"pk": target.plan_id}
            target = getattr(target, step)
            if target is None:
                return {}
    except ObjectDoesNotExist:  # a row deleted with its parent
        return {}
    return {"organization_id": getattr(target, f"{steps[-1]}_id")}


def stamp(instance) -> None:
    wanted = _plans_of(instance)
    if wanted and None not in wanted.values():
        Plan.objects.filter(**wanted).update(data_changed_at=timezone.now())


def _on_change(sender, instance, raw=False, **kwargs):
    if not raw:
        stamp(instance)


def connect() -> None:
    for app in PLAN_DATA_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label_lower in NOT_STAMPED or getattr(model, "ORG_PATH", None) is None:
                continue
            uid = f"progress.versions:{model._meta.label_lower}"
            post_save.connect(_on_change, sender=model, dispatch_uid=uid)
            post_delete.connect(_on_change, sender=model, dispatch_uid=uid)


def plan_version(plan: Plan) -> str:
    """One query: the plan's stamp (read with the plan) and its reports' count, newest
    change and versions."""
    reports = ProgressEntry.objects.filter(plan_id=plan.pk).aggregate(n=Count("pk"), newest=Max("updated_at"),
                                                                       versions=Sum("version"))
    newest = reports["newest"]
    return "-".join(str(part) for part in (
        plan.pk, plan.data_changed_at.timestamp(), reports["n"], newest.timestamp() if newest else 0, reports["versions"] or 0,
    ))


def year_version(fiscal_year: int) -> str:
    """One query, for pages across organizations (the city view): the year's plans'
    count and newest stamp (a plan added, deleted or its data changed) and the newest
    change of any report (an index on `updated_at` makes it a lookup; no path deletes a
    report but with its plan's data, which stamps the plan)."""
    plans, reports = Plan._meta.db_table, ProgressEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(data_changed_at), (SELECT MAX(updated_at) FROM {reports}) "  # noqa: S608 - table names
                       f"FROM {plans} WHERE fiscal_year_id = %s", [fiscal_year])
        count, changed, newest = cursor.fetchone()
    return "-".join(str(part) for part in (fiscal_year, count, changed, newest))
