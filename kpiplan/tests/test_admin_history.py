"""Issue 12 holes 1 and 2: django-simple-history's admin history form is a write path
past the workflow (a POST saved the past version back) and was not scoped to the
user's organization. Each test reproduces one probe of the issue."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpiplan.lib.thai import format_number
from plans.models import Period
from progress.models import ProgressEntry, State
from progress.services import (
    Item,
    entry_endorse,
    entry_return,
    entry_save,
    entry_submit,
    entry_verify,
    period_lock,
    period_reopen,
)
from projects.models import Project
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

GOOD = {"value": Decimal("120"), "narrative": "ปรับปรุงถนนสวย ๑.๕ กม.", "obstacles": "", "suggestions": ""}


@pytest.fixture
def period(real_plan):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=3)


@pytest.fixture
def road_item(real_plan):
    from indicators.models import Indicator

    return Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:1.4.06"))


def _history_form(obj, record):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.history_id])


def _submitted(cast, period, item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item, data=GOOD, version=0)
    return entry_submit(user=cast.staff, entry=entry, version=entry.version)


def _approved(cast, period, item):
    entry = _submitted(cast, period, item)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    return entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("1200"), comment="ตรวจแล้ว",
                        version=entry.version)


def _post_version(client, obj, record, **changes):
    """What the attacker sent: the history form as shown, with changes."""
    url = _history_form(obj, record)
    page = client.get(url)
    data = form_data(page, **changes) if page.status_code == 200 and page.context else changes
    return client.post(url, data)


def _snapshot(entry):
    entry.refresh_from_db()
    return (entry.state, entry.version, entry.value, entry.verified_value, entry.narrative)


def test_a_planner_cannot_post_back_an_old_version_of_a_submitted_report(client, cast, period, road_item):
    entry = _submitted(cast, period, road_item)
    first = entry.history.earliest("history_date")  # the draft
    before = _snapshot(entry)
    client.force_login(cast.planner)
    response = _post_version(client, entry, first, value="424242", state=State.APPROVED)
    assert _snapshot(entry) == before
    assert response.status_code in (403, 405)
    assert entry.history.count() == 2


def test_an_approved_report_in_a_locked_period_keeps_its_value(client, cast, period, road_item):
    entry = _approved(cast, period, road_item)
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    draft = entry.history.earliest("history_date")
    before = _snapshot(entry)
    for who in (cast.planner, cast.administrator):
        client.force_login(who)
        response = _post_version(client, entry, draft, narrative="แก้ไขย้อนหลัง", value="1")
        assert _snapshot(entry) == before == (State.APPROVED, 4, Decimal("120"), Decimal("1200"), GOOD["narrative"])
        assert response.status_code in (403, 405)


def test_a_period_lock_cannot_be_removed_through_its_history(client, cast, period, road_item):
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    period_reopen(user=cast.planner, plan=cast.plan, period=period, reason="แก้ไขผลของฝ่ายโยธา")
    lock = period_lock(user=cast.planner, plan=cast.plan, period=period)
    unlocked = lock.history.get(locked=False)
    client.force_login(cast.planner)
    response = _post_version(client, lock, unlocked)
    lock.refresh_from_db()
    assert lock.locked
    assert response.status_code in (403, 405)


def test_an_administrator_re_saving_a_version_unchanged_reverts_nothing(client, cast, period, road_item):
    entry = _approved(cast, period, road_item)
    draft = entry.history.earliest("history_date")
    client.force_login(cast.administrator)
    page = client.get(_history_form(entry, draft))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no revert button
    assert "_change_history" not in page.content.decode()
    response = _post_version(client, entry, draft, _change_history="1")
    entry.refresh_from_db()
    assert entry.state == State.APPROVED and entry.version == 4
    assert response.status_code in (403, 405)


def test_a_project_cannot_be_reverted_by_its_planner(client, cast):
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.2")
    original = project.history.earliest("history_date")
    project.budget = Decimal("1")
    project.save()
    client.force_login(cast.planner)
    page = client.get(_history_form(project, original))
    assert page.status_code == 200
    response = _post_version(client, project, original, change_reason="ย้อนกลับ")
    project.refresh_from_db()
    assert project.budget == Decimal("1")
    assert response.status_code in (403, 405)


def test_a_planner_of_another_organization_reads_no_history_form(client, cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data=GOOD, version=0)
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.2")
    client.force_login(cast.other_planner)
    for obj in (entry, project, cast.plan):
        record = obj.history.earliest("history_date")
        response = client.get(_history_form(obj, record))
        assert response.status_code in (302, 403, 404), obj
        assert "ปรับปรุงถนนสวย".encode() not in response.content
        assert "ภาษีเจริญ".encode() not in response.content


def test_another_divisions_draft_is_not_shown_in_the_history_of_a_planner(client, cast, period, road_item):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data=GOOD, version=0)
    draft = entry.history.earliest("history_date")
    client.force_login(cast.planner)
    response = client.get(_history_form(entry, draft))
    assert response.status_code in (302, 403, 404)
    assert "ปรับปรุงถนนสวย".encode() not in response.content
    listing = client.get(reverse("admin:progress_progressentry_history", args=[entry.pk]))
    assert "ปรับปรุงถนนสวย".encode() not in listing.content
    # once submitted the planner reads it, history included
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    submitted = entry.history.latest("history_date")
    response = client.get(_history_form(entry, submitted))
    assert response.status_code == 200 and "ปรับปรุงถนนสวย".encode() in response.content
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.SUBMITTED


def _text(response):
    import re

    html = response.content.decode().replace("&nbsp;", " ").replace("&rarr;", "→")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_history_list_says_what_changed_in_words(client, cast, period, road_item):
    entry = _approved(cast, period, road_item)
    client.force_login(cast.planner)
    text = _text(client.get(reverse("admin:progress_progressentry_history", args=[entry.pk])))
    assert "สถานะ: หัวหน้าฝ่ายรับรองแล้ว → อนุมัติแล้ว" in text
    assert "ผลที่ตรวจสอบแล้ว: - → ๑,๒๐๐" in text
    # the draft is the division's own: the planner's list starts at the submission
    assert "ผลการดำเนินงาน: - → ๑๒๐" not in text and "Saved as draft" not in text
    assert "verified_value" not in text and "approved_at" not in text
    client.cookies["django_language"] = "en"
    text = _text(client.get(reverse("admin:progress_progressentry_history", args=[entry.pk])))
    assert "Verified result: - → 1,200" in text and "State: Endorsed by the head → Approved" in text


def test_a_projects_history_list_says_what_changed_in_words(client, cast):
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.2")
    before = project.budget
    project.budget = Decimal("1250000")
    project._change_reason = "แก้ตามเอกสารแก้ไข"
    project.save()
    client.force_login(cast.planner)
    text = _text(client.get(reverse("admin:projects_project_history", args=[project.pk])))
    assert f"งบประมาณ (บาท): {format_number(before, thai=True)} → ๑,๒๕๐,๐๐๐" in text
    assert "แก้ตามเอกสารแก้ไข" in text


def test_the_history_lists_changes_take_the_same_queries_for_few_or_many_versions(client, cast, period, road_item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    many = _submitted(cast, Period.objects.get(fiscal_year_id=2567, kind="month", number=4), road_item)
    for n in range(4):
        many = entry_return(user=cast.head, entry=many, comment=f"แก้ครั้งที่ {n}", version=many.version)
        many = entry_save(user=cast.staff, plan=cast.plan, period=many.period, item=road_item,
                          data={**GOOD, "value": Decimal(121 + n)}, version=many.version)
        many = entry_submit(user=cast.staff, entry=many, version=many.version)
    few = _approved(cast, period, road_item)  # three versions the planner reads
    client.force_login(cast.planner)
    counts = []
    for entry in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("admin:progress_progressentry_history", args=[entry.pk]))
        assert response.status_code == 200
        counts.append(len(queries))
    assert "Result: 123 → 124" in _text(response) or "ผลการดำเนินงาน: ๑๒๓ → ๑๒๔" in _text(response)
    # session, user, groups, profile, the report (twice, scoped), content types, plan
    # checks, the count and the page of versions, their items and periods
    assert counts[0] == counts[1]
