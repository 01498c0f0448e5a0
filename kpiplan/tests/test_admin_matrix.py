"""Every admin URL × role × organization × object: 0 unauthorized reads, 0 writes.

Generated from `admin.site._registry`: a newly registered model is covered without a
new test, and a new URL pattern on a model admin fails `test_every_admin_url_pattern_is_in_the_matrix`
until the matrix knows how to probe it. The expectations are written out here from
the roles (accounts.roles' model lists and the two organizations), not taken from
accounts.policy, so the policy is checked, not restated.

Roles: division staff, division head, executive, the city executive (who reads every
organization on the pages but has no admin at all), the planner of the
plan's organization, the planner of another organization (that organization's
administrator in the admin: is_staff, plan-data permissions), and the installation's
administrator (a superuser, who reads every organization's rows by design)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import roles
from plans.models import Organization, Period
from progress.models import PeriodLock, ProgressEntry, ReopenRequest
from progress.services import Item, entry_save, entry_submit, evidence_add, period_lock
from reports.models import ReportFile
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)
PROGRESS_STATES_PRIVATE = ("not_started", "draft", "returned")
# The URL names a model admin may have, by their suffix after "<app>_<model>_".
PROBED = {"changelist", "add", "change", "delete", "history", "simple_history", "export", "password_change",
          "new_organization"}
# A valid POST of the page that adds an organization with its people (accounts.people):
# only the administrator may send it.
NEW_ORGANIZATION = {
    "org-name": "สำนักงานเขตทดสอบเมทริกซ์", "org-short_name": "สนข.เมทริกซ์", "org-code": "59990000", "org-kind": "district",
    "divisions-TOTAL_FORMS": "1", "divisions-INITIAL_FORMS": "0", "divisions-0-name": "ฝ่ายทดสอบ",
    "people-TOTAL_FORMS": "1", "people-INITIAL_FORMS": "0", "people-0-username": "matrix_person",
    "people-0-email": "matrix@example.invalid", "people-0-role": "division_staff", "people-0-division": "ฝ่ายทดสอบ",
}
NO_ADMIN = ("staff", "head", "executive", "city")


def _models(spec):
    return {f"{app}.{name}" for app, names in spec.items() for name in names}


PLANNER_WRITES = _models(roles.PLAN_DATA_MODELS)
PLANNER_READS = PLANNER_WRITES | _models(roles.PROGRESS_MODELS) | _models(roles.REFERENCE_MODELS)


def _org_rows(model, organization):
    path = getattr(model, "ORG_PATH", None)
    rows = model._default_manager.all()
    if path is None:
        return rows
    return rows.filter(**({path: organization} if path else {"pk": organization.pk}))


def _private(model):
    """The filter of a progress model's private drafts, or None."""
    label = model._meta.label_lower
    if label == "progress.progressentry":
        return {"state__in": PROGRESS_STATES_PRIVATE}
    if label == "progress.evidence":
        return {"entry__state__in": PROGRESS_STATES_PRIVATE}
    return None


def readable_rows(who, model, cast):
    """What `who` may read of `model` in the admin: the expectation."""
    label = model._meta.label_lower
    if who == "administrator":
        return model._default_manager.all()
    if who in NO_ADMIN or label not in PLANNER_READS:
        return model._default_manager.none()
    if label in _models(roles.REFERENCE_MODELS):
        return model._default_manager.all()  # city-wide reference data, read by every planner
    organization = cast.org if who == "planner" else cast.other_org
    rows = _org_rows(model, organization)
    private = _private(model)
    return rows.exclude(**private) if private else rows


def may_write(who, model) -> bool:
    label = model._meta.label_lower
    if label == "reports.reportfile":
        return who == "administrator"  # made by the worker; the administrator may delete one
    if label.startswith("progress."):
        return False  # progress changes only through the pages (progress.services)
    if who == "administrator":
        return True
    return who == "planner" and label in PLANNER_WRITES


@pytest.fixture
def world(cast, real_plan):
    """Org A (the real plan) with one of everything the admin shows: a division's draft
    report with its evidence (private), another division's submitted report, a locked
    period, a reopen request and a report file; org B with its own empty plan."""
    from indicators.models import Indicator
    from projects.models import Project

    cast.other_admin_user = cast.other_planner  # the other organization's admin-site user
    # The city executive, made staff here to prove the admin's scope is not the pages'
    # (reading every organization never opens another's rows in the admin).
    cast.city = make_user("city_executive", roles.CITY_EXECUTIVE, None, staff=True)
    month = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    road = Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:1.4.06"))
    cast.draft = entry_save(user=cast.staff, plan=real_plan, period=month, item=road,
                            data={"value": 7, "narrative": "ร่างลับของฝ่ายโยธา"}, version=0)
    evidence_add(user=cast.staff, entry=cast.draft,
                 upload=SimpleUploadedFile("ร่างลับ.pdf", b"%PDF-1.4 draft", "application/pdf"))
    school = Item("project", Project.objects.get(plan=real_plan, key="p2:6.2.1"))
    submitted = entry_save(user=cast.other_staff, plan=real_plan, period=month, item=school,
                           data={"percent_complete": 50, "narrative": "ส่งแล้ว"}, version=0)
    entry_submit(user=cast.other_staff, entry=submitted, version=submitted.version)
    previous = Period.objects.get(fiscal_year_id=2567, kind="month", number=2)
    period_lock(user=cast.planner, plan=real_plan, period=previous)
    ReopenRequest.objects.create(organization=cast.org, period=previous, requested_by=cast.staff,
                                 division=cast.division, reason="ขอแก้ไข")
    now = timezone.now()
    from traffy.models import Batch as TraffyBatch
    from traffy.models import Ticket as TraffyTicket

    traffy_batch = TraffyBatch.objects.create(organization=cast.org, kind="csv", source="traffy.csv", by=cast.planner)
    TraffyTicket.objects.create(organization=cast.org, ticket_id="2024-MATRIX", state="รอรับเรื่อง", reported_at=now,
                                batch=traffy_batch).states.create(state="รอรับเรื่อง", at=now, batch=traffy_batch)
    ReportFile.objects.create(kind="book", plan=real_plan, organization=cast.org, requested_by=cast.planner,
                              created_at=now, expires_at=ReportFile.expiry_from(now))
    return cast


def target_object(model, cast):
    """The org A row each URL is probed with: the most private one there is."""
    private = _private(model)
    rows = _org_rows(model, cast.org) if getattr(model, "ORG_PATH", None) is not None else model._default_manager.all()
    if private:
        rows = rows.filter(**private)
    if model._meta.label_lower == "auth.user":
        rows = rows.filter(pk=cast.staff.pk)
    return rows.order_by("pk").first()


def _any_row(model):
    from django_tasks_db.models import DBTaskResult

    label = model._meta.label_lower
    if label.startswith("axes."):  # rows django-axes writes on failed and successful logins
        extra = {"get_data": "", "post_data": "password=***", "failures_since_start": 3} if label == "axes.accessattempt" else {}
        return model._default_manager.create(user_agent="matrix", ip_address="127.0.0.1", username="staff",
                                             http_accept="*/*", path_info="/accounts/login/", **extra)
    assert model is DBTaskResult, f"no {model._meta.label} row to probe with"
    from kpiplan.tests import matrix_task

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        matrix_task.noop.enqueue()
    return DBTaskResult.objects.get()


def _snapshot(model):
    """Every row of the model, and the progress tables the workflow guards."""
    tables = [model, ProgressEntry, PeriodLock]
    return [sorted(map(repr, m._default_manager.values_list())) for m in tables]


def _csv_rows(content: bytes) -> int:
    text = content.decode("utf-8-sig")
    return max(len(list(csv.reader(io.StringIO(text)))) - 1, 0)


def _export(client, url):
    page = client.get(url)
    if page.status_code != 200:
        return page, None
    form = page.context["form"]
    choices = dict(form.fields["format"].choices)
    csv_format = next(k for k, v in choices.items() if "csv" in str(v).lower())
    data = {"format": str(csv_format), **{name: "on" for name, f in form.fields.items() if f.widget.input_type == "checkbox"}}
    response = client.post(url, data)
    return response, (_csv_rows(response.content) if response.status_code == 200 else None)


def _autocomplete_fields(target_model):
    """(app, model, field) of every admin autocomplete that offers rows of target_model."""
    found = []
    for model, model_admin in REGISTRY:
        for name in getattr(model_admin, "autocomplete_fields", ()):
            field = model._meta.get_field(name)
            if field.related_model is target_model:
                found.append((model._meta.app_label, model._meta.model_name, name))
    return found


def _refused(response) -> bool:
    """Not shown: refused, not found, or sent to log in / back to the admin index."""
    return response.status_code in (302, 403, 404, 405)


def test_every_admin_url_pattern_is_in_the_matrix():
    unknown = []
    for model, model_admin in REGISTRY:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            if pattern.name and pattern.name.removeprefix(prefix) not in PROBED:
                unknown.append(pattern.name)
    assert unknown == []


@pytest.mark.parametrize("model", [m for m, _a in REGISTRY], ids=[m._meta.label for m, _a in REGISTRY])
def test_no_unauthorized_read_or_write(client, world, model):
    cast = world
    obj = target_object(model, cast)
    if obj is None:  # rows the app never makes (django-tasks' results): make one to probe with
        obj = _any_row(model)
    opts = model._meta
    info = f"admin:{opts.app_label}_{opts.model_name}"
    urls = {
        "changelist": reverse(f"{info}_changelist"),
        "add": reverse(f"{info}_add"),
        "change": reverse(f"{info}_change", args=[obj.pk]),
        "delete": reverse(f"{info}_delete", args=[obj.pk]),
        "history": reverse(f"{info}_history", args=[obj.pk]),
    }
    record = obj.history.order_by("history_id").first() if hasattr(obj, "history") else None
    if record is not None:
        urls["history_form"] = reverse(f"{info}_simple_history", args=[obj.pk, record.history_id])
    try:
        urls["export"] = reverse(f"{info}_export")
    except NoReverseMatch:
        pass
    try:
        urls["password_change"] = reverse(f"{info}_password_change", args=[obj.pk])
    except NoReverseMatch:
        pass
    try:
        urls["new_organization"] = reverse(f"{info}_new_organization")
    except NoReverseMatch:
        pass
    content_type = ContentType.objects.get_for_model(model)
    urls["view_on_site"] = reverse("admin:view_on_site", args=[content_type.pk, obj.pk])
    change_link = reverse(f"{info}_change", args=[obj.pk])

    users = {"staff": cast.staff, "head": cast.head, "executive": cast.executive, "city": cast.city,
             "planner": cast.planner, "other_org_admin": cast.other_admin_user, "administrator": cast.administrator}
    problems = []
    for who, user in users.items():
        expect = "other" if who == "other_org_admin" else who
        readable = readable_rows(expect, model, cast)
        may_read = readable.filter(pk=obj.pk).exists()
        client.force_login(user)

        # reads
        for name in ("change", "delete", "history", "history_form", "password_change"):
            if name in urls and not may_read and not _refused(client.get(urls[name])):
                problems.append((who, name, "read"))
        listing = client.get(urls["changelist"])
        if listing.status_code == 200 and not may_read and change_link in listing.content.decode():
            problems.append((who, "changelist", "read"))
        if "new_organization" in urls and who != "administrator":
            if not _refused(client.get(urls["new_organization"])):
                problems.append((who, "new_organization", "opened"))
        if who in NO_ADMIN:
            for name in ("changelist", "add"):
                if not _refused(client.get(urls[name])):
                    problems.append((who, name, "opened"))
        view_on_site = client.get(urls["view_on_site"])
        if view_on_site.status_code == 302 and "/admin/login/" not in view_on_site["Location"] and not may_read:
            problems.append((who, "view_on_site", "read"))
        if "export" in urls:
            response, rows = _export(client, urls["export"])
            if rows is not None and rows != readable.count():
                problems.append((who, "export", f"{rows} rows, may read {readable.count()}"))
            if rows is not None and who != "administrator" and "ร่างลับ".encode() in response.content:
                problems.append((who, "export", "draft"))
        for app_label, model_name, field_name in _autocomplete_fields(model):
            response = client.get(reverse("admin:autocomplete"), {
                "app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""})
            if response.status_code == 200:
                shown = {int(r["id"]) for r in response.json()["results"]}
                # lead and supporting agencies are other units of the city: every organization is offered
                if shown - set(readable.values_list("pk", flat=True)) and not (
                        model._meta.label_lower == "plans.organization"):
                    problems.append((who, f"autocomplete {model_name}.{field_name}", "read"))

        # writes: every POST a user without the right may send changes nothing
        before = _snapshot(model)
        if "history_form" in urls:
            response = client.post(urls["history_form"], {"change_reason": "ย้อนกลับ"})
            to_login = response.status_code == 302 and "/admin/login/" in response["Location"]
            if response.status_code != 405 and not (who in NO_ADMIN and to_login):
                problems.append((who, "history_form", f"POST {response.status_code}"))
        if not may_write(expect, model) or not may_read:
            client.post(urls["change"], {"change_reason": "แก้ไข", "_save": "1"})
            client.post(urls["delete"], {"post": "yes"})
            client.post(urls["changelist"], {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"})
            client.post(urls["add"], {"change_reason": "เพิ่ม", "_save": "1"})
            if "password_change" in urls:
                client.post(urls["password_change"], {"password1": "xX-9-secret-9", "password2": "xX-9-secret-9"})
        if "new_organization" in urls and who != "administrator":
            client.post(urls["new_organization"], NEW_ORGANIZATION)
            if Organization.objects.filter(short_name="สนข.เมทริกซ์").exists():
                problems.append((who, "new_organization", "write"))
        if _snapshot(model) != before:
            problems.append((who, "POST", "write"))
    assert problems == [], problems
