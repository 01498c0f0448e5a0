"""Every page, download and API URL of the site (generated from the URL registry, so a new
view is covered without writing a test) × every role, against two organizations:

- nothing of another organization is readable: its plan's names, its reports (submitted
  or draft), its evidence file names, its report files;
- a division's draft stays the division's own: its narrative and evidence file name reach
  no one but the division's staff and head;
- no request of a role that may not change them changes another organization's data or
  the division's draft, whatever it posts (every workflow action is tried on every URL).

The Django admin has its own matrix, generated from the admin registry."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import roles
from indicators.models import Indicator
from notices.models import Kind, Notice
from notices.services import notify
from plans.models import Division, FiscalYear
from progress.models import Evidence, PeriodLock, ProgressEntry
from progress.services import Item, entry_save, entry_submit, evidence_add
from projects.models import Project
from reports.models import ReportFile
from tests.factories import OrganizationFactory, PlanFactory, make_user
from tests.url_registry import concrete_paths, site_urls
from traffy.models import Batch as TraffyBatch
from traffy.models import Ticket as TraffyTicket

pytestmark = pytest.mark.django_db

# Secrets: of another organization (B) and of one division's draft in the real plan (A).
B_NAME = "ลับเฉพาะบางขุนเทียน"
B_DRAFT = "ร่างลับของบางขุนเทียน"
B_SUBMITTED = "ผลที่ส่งแล้วของบางขุนเทียน"
B_EVIDENCE = "หลักฐานลับบางขุนเทียน.pdf"
B_REPORT = "รายงานลับบางขุนเทียน"
A_DRAFT = "ร่างของฝ่ายโยธายังไม่ส่ง"
A_EVIDENCE = "ภาพถ่ายร่างฝ่ายโยธา.pdf"

ROLES = ["anonymous", "staff", "head", "other_staff", "planner", "executive", "b_staff", "b_planner", "city"]
# Who may read and change what. The city executive reads every organization's submitted
# work (never a division's draft) and changes nothing.
SEES_B = {"b_staff", "b_planner", "city"}
SEES_A_DRAFT = {"staff", "head"}
CHANGES_B = {"b_staff", "b_planner"}
CHANGES_A_DRAFT = {"staff", "head"}  # the head may endorse a draft of the division


class World:
    pass


@pytest.fixture
def world(cast, road_item, period):
    w = World()
    w.cast, w.period = cast, period
    # Organization B: a district with its own plan for the same fiscal year.
    w.b_org = OrganizationFactory(short_name="สนข.บางขุนเทียน", name=f"สำนักงานเขต{B_NAME}")
    w.b_plan = PlanFactory(organization=w.b_org, fiscal_year=FiscalYear.ensure(2567), title=f"แผน{B_NAME}")
    w.b_division = Division.objects.create(organization=w.b_org, name=f"ฝ่าย{B_NAME}")
    w.b_indicator = Indicator.objects.create(plan=w.b_plan, kind=Indicator.Kind.OKR, code="1.1.01", name=f"ตัวชี้วัด{B_NAME}",
                                             division=w.b_division, unit="จุด")
    w.b_project = Project.objects.create(plan=w.b_plan, section=2, name=f"โครงการ{B_NAME}", division=w.b_division,
                                         budget=Decimal("100000"))
    w.b_staff = make_user("b_staff", roles.DIVISION_STAFF, w.b_org, w.b_division)
    w.b_planner = make_user("b_planner", roles.PLANNER, w.b_org)
    w.b_draft = entry_save(user=w.b_staff, plan=w.b_plan, period=period, item=Item("indicator", w.b_indicator),
                           data={"value": Decimal("3"), "narrative": B_DRAFT}, version=0)
    evidence_add(user=w.b_staff, entry=w.b_draft, upload=SimpleUploadedFile(B_EVIDENCE, b"%PDF-1.4 b", "application/pdf"))
    submitted = entry_save(user=w.b_staff, plan=w.b_plan, period=period, item=Item("project", w.b_project),
                           data={"percent_complete": Decimal("40"), "narrative": B_SUBMITTED}, version=0)
    w.b_submitted = entry_submit(user=w.b_staff, entry=submitted, version=submitted.version)
    w.b_file = ReportFile(kind="scorecard", plan=w.b_plan, organization=w.b_org, requested_by=w.b_planner,
                          status=ReportFile.Status.READY, filename=f"{B_REPORT}.pdf", content_type="application/pdf",
                          expires_at=timezone.now() + datetime.timedelta(days=7))
    w.b_file.file.save("b.pdf", ContentFile(f"%PDF-1.4 {B_REPORT}".encode()), save=True)
    # Organization A (the real plan): a division's draft with its evidence.
    w.a_draft = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
                           data={"value": Decimal("5"), "narrative": A_DRAFT}, version=0)
    w.a_evidence = evidence_add(user=cast.staff, entry=w.a_draft,
                                upload=SimpleUploadedFile(A_EVIDENCE, b"%PDF-1.4 a", "application/pdf"))
    w.b_evidence = Evidence.objects.get(entry=w.b_draft)
    # A notice is its recipient's alone: B's staff's, naming their division's draft.
    notify(recipients=[w.b_staff], kind=Kind.RETURNED, key="returned:matrix", link="/work/",
           params={"period": str(period), "item": f"ตัวชี้วัด{B_NAME}", "comment": B_DRAFT})
    w.b_notice = Notice.objects.get(recipient=w.b_staff, key="returned:matrix")
    # B's Traffy tickets and the import that brought them (issue 16): the import page lists imports.
    w.b_traffy_batch = TraffyBatch.objects.create(organization=w.b_org, kind=TraffyBatch.Kind.CSV, source=f"{B_NAME}.csv",
                                                  by=w.b_planner)
    TraffyTicket.objects.create(organization=w.b_org, ticket_id="2024-BBBBBB", description=f"ร้องเรียน{B_NAME}",
                                district="บางขุนเทียน", state="รอรับเรื่อง", reported_at=timezone.now(), batch=w.b_traffy_batch)
    w.city = make_user("city_executive", roles.CITY_EXECUTIVE)  # of no organization
    w.users = {"staff": cast.staff, "head": cast.head, "other_staff": cast.other_staff, "planner": cast.planner,
               "executive": cast.executive, "b_staff": w.b_staff, "b_planner": w.b_planner, "city": w.city}
    return w


# -- the URL registry's parameters ----------------------------------------------------------

def _values(w, route: str, name: str) -> list:
    """Values for one URL parameter that point at the secrets."""
    api = route.startswith("api/")
    if name == "pk" and api:
        if "plans" in route:
            return [w.b_plan.pk]
        if "indicators" in route:
            return [w.b_indicator.pk]
        if "projects" in route:
            return [w.b_project.pk]
        return [w.a_draft.pk, w.b_draft.pk, w.b_submitted.pk]
    return {
        "plan_id": [w.b_plan.pk],
        "period_id": [w.period.pk],
        "item_id": None,  # with kind, below
        "evidence_id": [w.a_evidence.pk, w.b_evidence.pk],
        "project_id": [w.b_project.pk],
        "indicator_id": [w.b_indicator.pk],
        "report_file_id": [w.b_file.pk],
        "notice_id": [w.b_notice.pk],
        "organization_id": [w.b_org.pk],  # the Traffy page of B
        "format": ["json"],
        "kind": ["scorecard", "quarterly", "book"],
        # A password-reset link for B's staff with a token that is not theirs.
        "uidb64": [urlsafe_base64_encode(force_bytes(w.b_staff.pk))],
        "token": ["set-password", "abc-123"],
    }[name]


def matrix_paths(w, route: str) -> list[str]:
    """The route with every combination of the secrets' values filled in."""
    items = [{"kind": "indicator", "item_id": w.cast_item.pk}, {"kind": "indicator", "item_id": w.b_indicator.pk},
             {"kind": "project", "item_id": w.b_project.pk}]
    return concrete_paths(route, lambda route, name: _values(w, route, name), items)


# -- reading what came back ----------------------------------------------------------------

def readable(response) -> str:
    """Everything a user could read in the response: text, the text of an .xlsx, a PDF's text."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    if body[:4] == b"%PDF":
        import pypdfium2

        try:
            pdf = pypdfium2.PdfDocument(body)
        except pypdfium2.PdfiumError:
            return body.decode("latin-1")  # not a real PDF (the test's report file): its bytes
        return " ".join(page.get_textpage().get_text_range() for page in pdf) + body.decode("latin-1")
    return body.decode("utf-8", "replace")


def forbidden_secrets(who: str) -> list[str]:
    secrets = []
    if who not in SEES_B:
        secrets += [B_NAME, B_DRAFT, B_SUBMITTED, B_EVIDENCE, B_REPORT]
    elif who != "b_staff":
        secrets += [B_DRAFT, B_EVIDENCE]  # B's planner (and the city) does not see B's division's draft either
    if who not in SEES_A_DRAFT:
        secrets += [A_DRAFT, A_EVIDENCE]
    return secrets


def login(client, w, who):
    client.logout()
    if who != "anonymous":
        client.force_login(w.users[who])


QUERIES = [{}, {"plan": "{b_plan}", "period": "{period}"}, {"plan": "{a_plan}", "period": "{period}"}]
# Report downloads are made from submitted results only (reports/tests); laying out the
# real plan's book for every role would take minutes, so they are asked for B's plan.
HEAVY = re.compile(r"^reports/\w+\.(pdf|xlsx)$")


def queries(w, route):
    for q in QUERIES:
        if HEAVY.match(route) and q.get("plan") != "{b_plan}":
            continue
        yield {k: v.format(b_plan=w.b_plan.pk, a_plan=w.cast.plan.pk, period=w.period.pk) for k, v in q.items()}
    if route == "search/":  # by a part of B's names (the page repeats what was typed) and by B's code
        part = B_NAME[:8]
        yield from ({"q": part}, {"q": "1.1.01"}, {"q": part, "plan": w.b_plan.pk})


@pytest.fixture
def prepared(world, road_item):
    world.cast_item = road_item.obj
    return world


def test_no_role_reads_another_organizations_data_or_a_divisions_draft(client, prepared):
    w = prepared
    client.raise_request_exception = False  # a server error is a finding, counted below
    leaks, errors, requests = [], [], 0
    for route in site_urls():
        for path in matrix_paths(w, route):
            for params in queries(w, route):
                for who in ROLES:
                    login(client, w, who)
                    response = client.get(path, params)
                    requests += 1
                    if response.status_code >= 500:
                        errors.append((who, path, params, response.status_code))
                        continue
                    text = readable(response)
                    for secret in forbidden_secrets(who):
                        if secret in text:
                            leaks.append((who, path, params, secret))
    assert requests > 500  # the registry was walked
    assert errors == []
    assert leaks == []


def _fingerprint(w) -> tuple[list, list]:
    """What no forbidden request may change: A's draft, and B's data."""
    def entries(pks):
        return list(ProgressEntry.objects.filter(pk__in=pks).order_by("pk").values_list(
            "pk", "state", "value", "narrative", "version", "verified_value"))

    a = [entries([w.a_draft.pk]), sorted(Evidence.objects.filter(entry=w.a_draft).values_list("pk", "original_name"))]
    b = [entries([w.b_draft.pk, w.b_submitted.pk]),
         sorted(Evidence.objects.filter(entry__plan=w.b_plan).values_list("pk", "original_name")),
         ProgressEntry.objects.filter(plan=w.b_plan).count(),
         list(PeriodLock.objects.filter(organization=w.b_org).values_list("period_id", "locked")),
         list(Indicator.objects.filter(plan=w.b_plan).values_list("pk", "name", "unit")),
         list(ReportFile.objects.filter(organization=w.b_org).order_by("pk").values_list("pk", "status")),
         list(Notice.objects.filter(recipient__profile__organization=w.b_org).order_by("pk").values_list("pk", "read_at")),
         list(TraffyTicket.objects.filter(organization=w.b_org).order_by("pk").values_list("pk", "state", "batch")),
         TraffyBatch.objects.filter(organization=w.b_org).count()]
    return a, b


ENTRY_ACTIONS = ["save", "submit", "endorse", "return", "verify"]


def test_no_role_changes_another_organizations_data_or_a_divisions_draft(client, prepared):
    from django.db import transaction

    w = prepared
    client.raise_request_exception = False
    changed, errors, requests = [], [], 0
    for route in site_urls():
        if route.startswith(("api/schema", "api/docs", "accounts/", "i18n/")):
            continue
        actions = ENTRY_ACTIONS if "<str:kind>/<int:item_id>" in route else ["confirm"]
        for path in matrix_paths(w, route):
            for who in ROLES:
                for action in actions:
                    # Each attempt starts from the same data: an allowed role's change is
                    # rolled back before the next role tries.
                    with transaction.atomic():
                        login(client, w, who)
                        versions = {e.pk: e.version for e in ProgressEntry.objects.filter(
                            pk__in=[w.b_draft.pk, w.b_submitted.pk, w.a_draft.pk])}
                        a_before, b_before = _fingerprint(w)
                        data = {"action": action, "version": str(versions[w.a_draft.pk] if "indicator/" + str(w.cast_item.pk)
                                                                 in path else versions[w.b_draft.pk]),
                                "value": "๙๙๙", "narrative": "แก้โดยผู้ไม่มีสิทธิ์", "percent_complete": "99",
                                "confirm": "yes", "versions": ",".join(f"{k}:{v}" for k, v in versions.items()),
                                "reason": "ทดสอบ", "comment": "ทดสอบ", "verified_value": "1",
                                "plan": str(w.b_plan.pk), "period": str(w.period.pk)}
                        response = client.post(f"{path}?plan={w.b_plan.pk}&period={w.period.pk}", data)
                        requests += 1
                        if response.status_code >= 500:
                            errors.append((who, path, action, response.status_code))
                        a_after, b_after = _fingerprint(w)
                        if a_before != a_after and who not in CHANGES_A_DRAFT:
                            changed.append((who, path, action, "the division's draft"))
                        if b_before != b_after and who not in CHANGES_B:
                            changed.append((who, path, action, "organization B"))
                        transaction.set_rollback(True)
    assert requests > 300
    assert errors == []
    assert changed == []


def test_the_city_executive_reads_every_organizations_submitted_work(client, prepared):
    """What the matrix allows the city executive is really there: B's submitted result
    on B's pages, B's report file; A's pages too."""
    w = prepared
    client.force_login(w.city)
    b = {"plan": w.b_plan.pk, "period": w.period.pk}
    for name in ("progress:completeness", "progress:status", "reports:dashboard", "progress:scorecard", "projects:budget"):
        assert client.get(reverse(name), b).status_code == 200, name
        assert client.get(reverse(name), {"plan": w.cast.plan.pk, "period": w.period.pk}).status_code == 200, name
    entry = client.get(reverse("progress:entry", args=[w.period.pk, "project", w.b_project.pk]), b)
    assert B_SUBMITTED in entry.content.decode()
    assert f'{reverse("progress:completeness")}?plan={w.b_plan.pk}' in entry.content.decode()  # back: not the review
    assert client.get(reverse("reports:file-download", args=[w.b_file.pk])).status_code == 200
    # ... and its plan choice offers every organization's plan of the year
    page = client.get(reverse("progress:completeness"), b).content.decode()
    assert f'value="{w.b_plan.pk}" selected' in page and f'value="{w.cast.plan.pk}"' in page
