"""Background production of reports (django-tasks; run by `manage.py db_worker`)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from notices.models import Kind
from notices.services import notify

from . import registry
from .models import ReportFile


@task()
def produce_report(report_file_id: int) -> str:
    """Make the file of one request. Whatever happens the row ends ready or failed,
    never running; a request that is gone or already taken is left alone."""
    with transaction.atomic():
        report_file = ReportFile.objects.select_for_update().filter(pk=report_file_id).first()
        if report_file is None or report_file.status != ReportFile.Status.QUEUED:
            return report_file.status if report_file else "gone"
        report_file.status = ReportFile.Status.RUNNING
        report_file.started_at = timezone.now()
        report_file.save(update_fields=["status", "started_at"])
    try:
        # Thai whatever language the worker runs in: registry.produce sees to it.
        produced = registry.produce(report_file.kind, report_file.plan, report_file.params)
        report_file.file.save(produced.filename, ContentFile(produced.content), save=False)
    except BaseException as exc:
        # BaseException too: a worker stopped mid-report must not leave the row running.
        report_file.status = ReportFile.Status.FAILED
        report_file.error = f"{type(exc).__name__}: {exc}"[:2000]
        report_file.finished_at = timezone.now()
        report_file.save(update_fields=["status", "error", "finished_at"])
        raise
    report_file.filename = produced.filename
    report_file.content_type = produced.content_type
    report_file.status = ReportFile.Status.READY
    report_file.finished_at = timezone.now()
    report_file.save(update_fields=["file", "filename", "content_type", "status", "finished_at"])
    _tell_requester(report_file)
    return report_file.status


def _tell_requester(report_file: ReportFile) -> None:
    """The person who asked for the report finds it under the bell (and in the daily mail)."""
    if report_file.requested_by is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        words = {"report": f"{registry.kind_label(report_file.kind)} ({report_file.filename})"}
    notify(recipients=[report_file.requested_by], kind=Kind.REPORT_READY, key=f"report_ready:{report_file.pk}",
           params=words, link=reverse("reports:file", args=[report_file.pk]))
