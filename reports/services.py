"""Requests for reports made in the background, and who may read them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.policy import scope_to_own_organization
from plans.models import Plan
from progress.services import PermissionRefused

from . import registry
from .models import ReportFile
from .tasks import produce_report


class UnknownReport(Exception):
    pass


def can_read_report_file(user, report_file: ReportFile) -> bool:
    """The requester, and whoever of the report's organization may request that kind
    (planners and executives; everyone for the plan book)."""
    return policy.can_read_report_file(user, report_file, kind_allowed=registry.may_request(user, report_file.kind))


def report_request(*, user, plan: Plan, kind: str, params: dict) -> ReportFile:
    """Record the request and queue its production once the row is committed (so a
    worker never looks for a row it cannot see yet)."""
    if kind not in registry.KINDS:
        raise UnknownReport(kind)
    if not registry.may_request(user, kind) or not scope_to_own_organization(Plan.objects.filter(pk=plan.pk), user).exists():
        raise PermissionRefused(_("You may not request reports of this plan."))
    now = timezone.now()
    with transaction.atomic():
        report_file = ReportFile.objects.create(
            kind=kind, params=params, plan=plan, organization_id=plan.organization_id, requested_by=user,
            created_at=now, expires_at=ReportFile.expiry_from(now),
        )

        def enqueue():
            result = produce_report.enqueue(report_file.pk)
            # Only this column: the immediate backend has already saved the outcome.
            report_file.task_id = str(result.id)
            report_file.save(update_fields=["task_id"])

        transaction.on_commit(enqueue)
    return report_file
