"""Role × view access matrix for the progress pages."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from progress.models import PeriodLock, ProgressEntry, State
from progress.services import entry_save, entry_submit, evidence_add

pytestmark = pytest.mark.django_db

WHO = ["staff", "other_staff", "head", "planner", "executive", "other_planner", "anonymous"]


def login(client, cast, who):
    if who != "anonymous":
        client.force_login(getattr(cast, who))


def draft(cast, period, item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item,
                       data={"value": Decimal("5"), "narrative": "ความลับของฝ่ายโยธา"}, version=0)
    evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("photo.pdf", b"%PDF-1.4 test", "application/pdf"))
    return entry


def status(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


@pytest.mark.parametrize("who, expected", list(zip(WHO, [200, 404, 200, 200, 200, 404, "login"], strict=True)))
def test_entry_page(client, cast, period, road_item, who, expected):
    login(client, cast, who)
    assert status(client.get(reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk]))) == expected


@pytest.mark.parametrize("who, expected", list(zip(WHO, [302, 404, 302, 403, 403, 404, "login"], strict=True)))
def test_saving_a_report(client, cast, period, road_item, who, expected):
    login(client, cast, who)
    url = reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])
    response = client.post(url, {"action": "save", "version": "0", "value": "๑๒๐", "narrative": "ทดสอบ"})
    assert status(response) == expected
    assert ProgressEntry.objects.filter(indicator=road_item.obj).exists() == (expected == 302)


def test_drafts_are_invisible_outside_the_division(client, cast, period, road_item):
    entry = draft(cast, period, road_item)
    url = reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk])
    for who in ["staff", "head"]:
        client.force_login(getattr(cast, who))
        assert "ความลับของฝ่ายโยธา" in client.get(url).content.decode()
    for who in ["planner", "executive"]:
        client.force_login(getattr(cast, who))
        page = client.get(url).content.decode()
        assert "ความลับของฝ่ายโยธา" not in page, who
        review = client.get(reverse("progress:review"), {"period": period.pk})
        assert "ความลับของฝ่ายโยธา" not in review.content.decode()
    evidence = entry.evidence.get()
    for who, expected in [("staff", 200), ("head", 200), ("planner", 404), ("other_staff", 404), ("other_planner", 404)]:
        client.force_login(getattr(cast, who))
        assert client.get(reverse("progress:evidence", args=[evidence.pk])).status_code == expected, who
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    client.force_login(cast.planner)
    response = client.get(reverse("progress:evidence", args=[evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(cast.other_staff)
    assert client.get(reverse("progress:evidence", args=[evidence.pk])).status_code == 404


@pytest.mark.parametrize("who, expected", list(zip(WHO, [200, 200, 200, 302, 302, 302, "login"], strict=True)))
def test_my_work(client, cast, period, who, expected):
    login(client, cast, who)
    response = client.get(reverse("progress:my-work"), {"period": period.pk})
    assert status(response) == expected
    if who == "other_staff":
        assert "ล้างทำความสะอาดท่อ" not in response.content.decode()


@pytest.mark.parametrize("who, expected", list(zip(WHO, [403, 403, 403, 200, 403, 404, "login"], strict=True)))
def test_review_page(client, cast, period, who, expected):
    login(client, cast, who)
    response = client.get(reverse("progress:review"), {"period": period.pk, "plan": cast.plan.pk})
    assert status(response) == expected


@pytest.mark.parametrize("who, expected", list(zip(WHO, [403, 403, 403, 200, 200, 404, "login"], strict=True)))
def test_completeness_page(client, cast, period, who, expected):
    login(client, cast, who)
    response = client.get(reverse("progress:completeness"), {"period": period.pk, "plan": cast.plan.pk})
    assert status(response) == expected


@pytest.mark.parametrize("who, expected", list(zip(WHO, [403, 403, 403, 302, 302, 404, "login"], strict=True)))
def test_a_divisions_quarterly_report_from_the_completeness_page(client, cast, period, who, expected):
    """The completeness page's button per division: the organization report's access rules."""
    from reports.models import ReportFile

    login(client, cast, who)
    url = f"{reverse('reports:request', args=['quarterly'])}?plan={cast.plan.pk}&period={period.pk}"
    response = client.post(url, {"division": cast.division.pk})
    assert status(response) == expected
    requested = list(ReportFile.objects.values_list("kind", "params"))
    assert requested == ([("quarterly", {"period": period.pk, "division": cast.division.pk})] if expected == 302 else [])


@pytest.mark.parametrize("who, expected", list(zip(WHO, [403, 403, 403, 302, 403, 404, "login"], strict=True)))
def test_locking(client, cast, period, who, expected):
    from progress.selectors import open_items

    login(client, cast, who)
    expect = open_items(cast.plan, period).signature()
    response = client.post(reverse("progress:lock", args=[period.pk]) + f"?plan={cast.plan.pk}",
                           {"confirm": "yes", "expect": expect})
    assert status(response) == expected
    assert PeriodLock.objects.filter(period=period, locked=True).exists() == (expected == 302)


def test_the_heads_approve_all_never_forwards_a_draft(client, cast, period, road_item):
    draft(cast, period, road_item)
    client.force_login(cast.head)
    page = client.get(reverse("progress:approve-all", args=[period.pk])).content.decode()
    assert 'id="confirm"' not in page  # nothing submitted: nothing to approve
    response = client.post(reverse("progress:approve-all", args=[period.pk]), {"confirm": "yes", "versions": ""})
    assert response.status_code == 400
    assert ProgressEntry.objects.get(indicator=road_item.obj).state == State.DRAFT


def test_progress_admin_is_read_only_and_scoped(client, cast, period, road_item):
    entry = draft(cast, period, road_item)
    client.force_login(cast.planner)
    assert client.get(reverse("admin:progress_progressentry_changelist")).status_code == 200
    url = reverse("admin:progress_progressentry_change", args=[entry.pk])
    assert client.post(url, {"value": "999"}).status_code == 403
    client.force_login(cast.other_planner)
    assert "ล้างทำความสะอาดท่อ" not in client.get(reverse("admin:progress_progressentry_changelist")).content.decode()
