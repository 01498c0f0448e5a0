"""Reports made in the background: request, production, download, access, expiry."""

import datetime
import signal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plans.models import Period
from reports import pdf, registry
from reports.models import ReportFile
from reports.tasks import produce_report
from reports.tests.test_quarterly_pdf import norm

pytestmark = pytest.mark.django_db


def quarter_one():
    return Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)


def request_url(kind, plan, period):
    return f"{reverse('reports:request', args=[kind])}?plan={plan.pk}&period={period.pk}"


def request_report(client, capture, user, plan, kind="quarterly", data=None):
    """POST the request as `user`; the tasks queued on commit run as the test's
    transaction never commits."""
    client.force_login(user)
    with capture(execute=True):
        return client.post(request_url(kind, plan, quarter_one()), data or {})


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def make_file(cast, user, **fields) -> ReportFile:
    """A request as the service records it, not queued to any worker."""
    now = timezone.now()
    fields = {"kind": "quarterly", "params": {"period": quarter_one().pk}, "created_at": now,
              "expires_at": ReportFile.expiry_from(now), **fields}
    return ReportFile.objects.create(plan=cast.plan, organization=cast.org, requested_by=user, **fields)


def ready_file(cast, user, content=b"%PDF-1.7 test") -> ReportFile:
    """A file as the worker leaves it, without rendering a PDF."""
    from django.core.files.base import ContentFile

    report_file = make_file(cast, user)
    report_file.file.save("q1.pdf", ContentFile(content), save=False)
    report_file.filename, report_file.content_type, report_file.status = "q1.pdf", "application/pdf", ReportFile.Status.READY
    report_file.save()
    return report_file


def test_it_makes_the_quarterly_pdf_in_the_background_and_serves_it(client, cast, django_capture_on_commit_callbacks,
                                                                    monkeypatch):
    laid_out = []  # the documents the background path lays out, to read their text
    real_layout = pdf.layout
    monkeypatch.setattr(pdf, "layout", lambda *args: laid_out.append(real_layout(*args)) or laid_out[-1])

    response = request_report(client, django_capture_on_commit_callbacks, cast.planner, cast.plan, data={"division": cast.division.pk})
    report_file = ReportFile.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:file", args=[report_file.pk])
    assert report_file.status == ReportFile.Status.READY, report_file.error
    assert report_file.params == {"period": quarter_one().pk, "division": cast.division.pk}
    assert (report_file.requested_by, report_file.organization, report_file.task_id != "") == (cast.planner, cast.org, True)
    stored = Path(report_file.file.path)
    assert stored.is_file() and stored.is_relative_to(Path(settings.MEDIA_ROOT) / "private" / "reports")
    assert report_file.expires_at - report_file.created_at == datetime.timedelta(days=settings.REPORT_FILE_DAYS)
    (document,) = laid_out
    text = norm(" ".join(pdf.page_texts(document)))
    assert norm("รายงานผลการดำเนินงานตามแผนปฏิบัติราชการ") in text and norm("ไตรมาสที่ ๑") in text and norm("รวมฝ่ายโยธา") in text
    assert norm("ฝ่ายการศึกษา") not in text  # the one division asked for

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'id="report-download"' in page.content and b'http-equiv="refresh"' not in page.content

    download = client.get(reverse("reports:file-download", args=[report_file.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert report_file.filename == "progress-2567-q1-ฝ่ายโยธา.pdf"  # the division by name (it has no short name)
    assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''progress-2567-q1-%E0%B8%9D")
    content = content_of(download)
    assert content.startswith(b"%PDF-") and content == stored.read_bytes()


def test_the_scorecard_is_made_the_same_way(client, cast, django_capture_on_commit_callbacks):
    request_report(client, django_capture_on_commit_callbacks, cast.executive, cast.plan, kind="scorecard")
    report_file = ReportFile.objects.get()
    assert (report_file.status, report_file.filename) == (ReportFile.Status.READY, f"scorecard-2567-{quarter_one().pk}.pdf")
    assert Path(report_file.file.path).read_bytes().startswith(b"%PDF-")


def test_a_queued_report_says_it_is_being_made_and_refreshes(client, cast):
    report_file = make_file(cast, cast.planner)
    client.force_login(cast.planner)
    page = client.get(reverse("reports:file", args=[report_file.pk]))
    assert b'id="report-pending"' in page.content and b'<meta http-equiv="refresh" content="3">' in page.content
    # Not ready yet: the download link leads back to the waiting page.
    download = client.get(reverse("reports:file-download", args=[report_file.pk]))
    assert download.status_code == 302 and download["Location"] == reverse("reports:file", args=[report_file.pk])


def test_a_failing_report_is_marked_failed_with_its_error(client, cast, django_capture_on_commit_callbacks, monkeypatch):
    def broken(plan, params):
        raise RuntimeError("the builder broke")

    monkeypatch.setitem(registry.KINDS, "quarterly", registry.ReportKind("Quarterly", broken))
    request_report(client, django_capture_on_commit_callbacks, cast.planner, cast.plan)
    report_file = ReportFile.objects.get()
    assert report_file.status == ReportFile.Status.FAILED and report_file.finished_at is not None
    assert report_file.error == "RuntimeError: the builder broke" and not report_file.file
    page = client.get(reverse("reports:file", args=[report_file.pk]))
    assert b'id="report-failed"' in page.content and b"the builder broke" in page.content
    assert b"http-equiv" not in page.content


def test_a_request_already_taken_is_not_made_twice(cast):
    report_file = make_file(cast, cast.planner, status=ReportFile.Status.RUNNING)
    assert produce_report.call(report_file.pk) == ReportFile.Status.RUNNING
    assert produce_report.call(report_file.pk + 1000) == "gone"


@pytest.mark.parametrize("who, expected", [("planner", 302), ("executive", 302), ("administrator", 302),
                                           ("staff", 403), ("head", 403), ("other_planner", 404)])
def test_who_may_request(client, cast, who, expected, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setitem(registry.KINDS, "quarterly", registry.ReportKind("Quarterly", lambda plan, params: registry.Produced(
        b"%PDF-1.7", "q.pdf", "application/pdf")))
    response = request_report(client, django_capture_on_commit_callbacks, getattr(cast, who), cast.plan)
    assert response.status_code == expected
    assert ReportFile.objects.count() == (1 if expected == 302 else 0)


def test_unknown_kinds_divisions_and_gets_are_refused(client, cast, real_plan):
    client.force_login(cast.planner)
    assert client.post(request_url("nonsense", cast.plan, quarter_one())).status_code == 404
    assert client.post(request_url("quarterly", cast.plan, quarter_one()), {"division": "999999"}).status_code == 404
    assert client.get(request_url("quarterly", cast.plan, quarter_one())).status_code == 405
    assert not ReportFile.objects.exists()


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("administrator", 200),
                                           ("staff", 404), ("head", 404), ("other_planner", 404)])
def test_who_may_see_and_download_a_planners_report(client, cast, who, expected):
    report_file = ready_file(cast, cast.planner)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("reports:file", args=[report_file.pk])).status_code == expected
    download = client.get(reverse("reports:file-download", args=[report_file.pk]))
    assert download.status_code == expected
    if expected == 200:
        assert content_of(download) == b"%PDF-1.7 test"


def test_the_requester_keeps_access_to_their_own_file(client, cast):
    report_file = ready_file(cast, cast.staff)  # e.g. asked for while they still had the planner's role
    client.force_login(cast.staff)
    assert client.get(reverse("reports:file-download", args=[report_file.pk])).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, cast):
    report_file = ready_file(cast, cast.planner)
    for url in (reverse("reports:file", args=[report_file.pk]), reverse("reports:file-download", args=[report_file.pk]),
                reverse("reports:files")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_expired_file_is_gone_and_purged(client, cast):
    expired = ready_file(cast, cast.planner)
    kept = ready_file(cast, cast.planner)
    past = timezone.now() - datetime.timedelta(days=settings.REPORT_FILE_DAYS + 1)
    ReportFile.objects.filter(pk=expired.pk).update(created_at=past, expires_at=ReportFile.expiry_from(past))
    client.force_login(cast.executive)
    download = client.get(reverse("reports:file-download", args=[expired.pk]))
    assert download.status_code == 410 and b'id="report-expired"' in download.content
    assert b'id="report-expired"' in client.get(reverse("reports:file", args=[expired.pk])).content

    expired_path, kept_path = Path(expired.file.path), Path(kept.file.path)
    call_command("purge_reports", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(ReportFile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not expired_path.exists() and kept_path.exists()
    assert client.get(reverse("reports:file-download", args=[expired.pk])).status_code == 404


def test_a_file_removed_from_disk_is_gone_not_an_error(client, cast):
    report_file = ready_file(cast, cast.planner)
    Path(report_file.file.path).unlink()
    client.force_login(cast.planner)
    assert client.get(reverse("reports:file-download", args=[report_file.pk])).status_code == 410


def test_my_reports_lists_only_mine_in_a_fixed_number_of_queries(client, cast, django_assert_num_queries):
    def add(n):
        for i in range(n):
            ready_file(cast, cast.planner) if i % 2 else make_file(cast, cast.planner, params={
                "period": quarter_one().pk, "division": cast.division.pk})

    add(2)
    theirs = ready_file(cast, cast.executive)
    client.force_login(cast.planner)
    client.get(reverse("reports:files"))  # the session and roles, once
    # session, user, the files with their plans and organizations, the periods they name,
    # the divisions they name, and for the navigation the user's groups and profile, the bell
    with django_assert_num_queries(8):
        first = client.get(reverse("reports:files"))
    add(6)
    with django_assert_num_queries(8):
        response = client.get(reverse("reports:files"))
    assert response.status_code == 200 and first.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 8 and theirs.pk not in {row["report_file"].pk for row in rows}
    assert response.content.count(b'href="/reports/files/') >= 8


def test_with_the_database_backend_a_worker_makes_the_file(client, cast, settings, django_capture_on_commit_callbacks,
                                                          monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = request_report(client, django_capture_on_commit_callbacks, cast.planner, cast.plan, kind="scorecard")
    report_file = ReportFile.objects.get()
    assert report_file.status == ReportFile.Status.QUEUED
    queued = DBTaskResult.objects.get()
    assert (queued.status, queued.task_path, str(queued.id)) == ("READY", "reports.tasks.produce_report", report_file.task_id)
    page = client.get(response["Location"])
    assert b'id="report-pending"' in page.content and b'http-equiv="refresh"' in page.content

    # The worker runs inside this test's transaction: it must not drop the connection,
    # nor keep its signal handlers after it has gone.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    report_file.refresh_from_db()
    queued.refresh_from_db()
    assert (report_file.status, queued.status) == (ReportFile.Status.READY, "SUCCESSFUL"), report_file.error
    download = client.get(reverse("reports:file-download", args=[report_file.pk]))
    assert download.status_code == 200 and content_of(download).startswith(b"%PDF-")


def test_the_plan_book_is_made_for_anyone_of_the_organization(client, cast, django_capture_on_commit_callbacks):
    """The book holds only the plan, so division staff may have it too (unlike progress reports)."""
    response = request_report(client, django_capture_on_commit_callbacks, cast.staff, cast.plan, kind="book")
    report_file = ReportFile.objects.get()
    assert response.status_code == 302 and report_file.status == ReportFile.Status.READY, report_file.error
    assert report_file.filename == "plan-2567.pdf" and report_file.params == {}  # the book has no period
    download = client.get(reverse("reports:file-download", args=[report_file.pk]))
    assert download.status_code == 200 and content_of(download).startswith(b"%PDF-")
    # Another division's staff of the same office may read it; the other office may not.
    client.force_login(cast.other_staff)
    assert client.get(reverse("reports:file-download", args=[report_file.pk])).status_code == 200
    client.force_login(cast.other_planner)
    assert client.get(reverse("reports:file-download", args=[report_file.pk])).status_code == 404


def test_staff_may_not_request_progress_reports_or_the_summary(client, cast):
    client.force_login(cast.staff)
    for kind in ("quarterly", "summary", "scorecard"):
        assert client.post(request_url(kind, cast.plan, quarter_one())).status_code == 403, kind
    assert not ReportFile.objects.exists()


def test_the_executive_summary_is_made_in_the_background_too(client, cast, django_capture_on_commit_callbacks):
    request_report(client, django_capture_on_commit_callbacks, cast.executive, cast.plan, kind="summary")
    report_file = ReportFile.objects.get()
    assert (report_file.status, report_file.filename) == (ReportFile.Status.READY, "summary-2567-m3.pdf")


def test_the_other_organization_cannot_request_our_book(client, cast):
    client.force_login(cast.other_planner)
    response = client.post(f"{reverse('reports:request', args=['book'])}?plan={cast.plan.pk}")
    assert response.status_code == 404 and not ReportFile.objects.exists()
