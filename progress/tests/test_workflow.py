"""The workflow service: every allowed and refused transition, per role."""

from decimal import Decimal

import pytest

from progress.models import PeriodLock, ProgressEntry, State
from progress.services import (
    ConcurrentEdit,
    PeriodLocked,
    PermissionRefused,
    WorkflowError,
    entry_endorse,
    entry_return,
    entry_save,
    entry_submit,
    entry_verify,
    period_lock,
    period_reopen,
)

pytestmark = pytest.mark.django_db

GOOD = {"value": Decimal("120"), "narrative": "ปรับปรุงถนนสวย ๑.๕ กม.", "obstacles": "", "suggestions": ""}


def draft(cast, period, item, user=None, **data):
    return entry_save(user=user or cast.staff, plan=cast.plan, period=period, item=item, data={**GOOD, **data}, version=0)


def test_staff_save_a_draft_of_their_division(cast, period, road_item):
    entry = draft(cast, period, road_item)
    assert entry.state == State.DRAFT and entry.version == 1 and entry.value == Decimal("120")
    assert entry.division == cast.division
    assert entry.history.first().history_user == cast.staff


@pytest.mark.parametrize("who", ["other_staff", "planner", "executive", "other_planner"])
def test_others_cannot_save_a_divisions_report(cast, period, road_item, who):
    with pytest.raises(PermissionRefused):
        draft(cast, period, road_item, user=getattr(cast, who))
    assert not ProgressEntry.objects.exists()


def test_the_whole_cycle(cast, period, road_item):
    entry = draft(cast, period, road_item)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    assert entry.state == State.SUBMITTED
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    assert entry.state == State.ENDORSED
    entry = entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("1200"), comment="ตรวจแล้ว", version=entry.version)
    assert entry.state == State.APPROVED and entry.verified_value == Decimal("1200")
    reasons = [h.history_change_reason for h in entry.history.order_by("history_date")]
    assert reasons == ["Saved as draft", "Submitted", "Approved by the division head", "Verified and approved"]
    users = [h.history_user for h in entry.history.order_by("history_date")]
    assert users == [cast.staff, cast.staff, cast.head, cast.planner]


def test_approved_reports_change_by_no_path(cast, period, road_item):
    entry = draft(cast, period, road_item)
    entry = entry_submit(user=cast.head, entry=entry, version=entry.version)  # a head's submission is endorsed
    assert entry.state == State.ENDORSED
    entry = entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("1"), comment="", version=entry.version)
    with pytest.raises(WorkflowError):
        entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data=GOOD, version=entry.version)
    with pytest.raises(WorkflowError):
        entry_return(user=cast.planner, entry=entry, comment="แก้", version=entry.version)
    with pytest.raises(WorkflowError):
        entry_submit(user=cast.staff, entry=entry, version=entry.version)
    with pytest.raises(WorkflowError):
        entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("2"), comment="", version=entry.version)
    entry.refresh_from_db()
    assert entry.verified_value == Decimal("1")


def test_submit_needs_a_result_and_a_narrative(cast, period, road_item):
    entry = draft(cast, period, road_item, value=None, narrative="")
    with pytest.raises(WorkflowError, match="Result") as exc:
        entry_submit(user=cast.staff, entry=entry, version=entry.version)
    assert "What was done" in exc.value.message
    entry.refresh_from_db()
    assert entry.state == State.DRAFT


def test_the_head_returns_with_a_comment_and_staff_resubmit(cast, period, road_item):
    entry = draft(cast, period, road_item)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    with pytest.raises(WorkflowError):
        entry_return(user=cast.head, entry=entry, comment="  ", version=entry.version)
    entry = entry_return(user=cast.head, entry=entry, comment="แนบภาพถ่าย", version=entry.version)
    assert entry.state == State.RETURNED and entry.return_comment == "แนบภาพถ่าย"
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data=GOOD, version=entry.version)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    assert entry.state == State.SUBMITTED and entry.return_comment == ""


def test_the_planner_returns_only_endorsed_reports(cast, period, road_item):
    entry = draft(cast, period, road_item)
    with pytest.raises(WorkflowError):
        entry_return(user=cast.planner, entry=entry, comment="x", version=entry.version)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    with pytest.raises(WorkflowError):
        entry_return(user=cast.planner, entry=entry, comment="x", version=entry.version)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    entry = entry_return(user=cast.planner, entry=entry, comment="ตัวเลขไม่ตรงหลักฐาน", version=entry.version)
    assert entry.state == State.RETURNED


@pytest.mark.parametrize("who", ["staff", "other_staff", "executive", "other_planner"])
def test_only_the_planner_verifies(cast, period, road_item, who):
    entry = draft(cast, period, road_item)
    entry = entry_submit(user=cast.head, entry=entry, version=entry.version)
    with pytest.raises(PermissionRefused):
        entry_verify(user=getattr(cast, who), entry=entry, verified_value=Decimal("1"), comment="", version=entry.version)


@pytest.mark.parametrize("who", ["staff", "other_staff", "planner", "executive"])
def test_only_the_divisions_head_endorses(cast, period, road_item, who):
    entry = draft(cast, period, road_item)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    with pytest.raises(PermissionRefused):
        entry_endorse(user=getattr(cast, who), entry=entry, version=entry.version)


def test_a_stale_version_is_refused(cast, period, road_item):
    entry = draft(cast, period, road_item)
    entry_save(user=cast.head, plan=cast.plan, period=period, item=road_item, data={**GOOD, "value": Decimal("7")},
               version=entry.version)
    with pytest.raises(ConcurrentEdit):
        entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data={**GOOD, "value": Decimal("9")},
                   version=entry.version)
    entry.refresh_from_db()
    assert entry.value == Decimal("7")
    with pytest.raises(ConcurrentEdit):
        draft(cast, period, road_item)  # "new" form (version 0) when a report already exists


def test_lock_freezes_the_period_and_reopen_needs_a_reason(cast, period, road_item, canal_project):
    entry = draft(cast, period, road_item)
    with pytest.raises(PermissionRefused):
        period_lock(user=cast.head, plan=cast.plan, period=period)
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    with pytest.raises(PeriodLocked):
        entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data=GOOD, version=entry.version)
    with pytest.raises(PeriodLocked):
        entry_submit(user=cast.staff, entry=entry, version=entry.version)
    with pytest.raises(PeriodLocked):
        entry_save(user=cast.staff, plan=cast.plan, period=period, item=canal_project,
                   data={"percent_complete": Decimal("10"), "narrative": "x"}, version=0)
    with pytest.raises(WorkflowError):
        period_reopen(user=cast.planner, plan=cast.plan, period=period, reason="")
    with pytest.raises(PermissionRefused):
        period_reopen(user=cast.other_planner, plan=cast.plan, period=period, reason="x")
    period_reopen(user=cast.planner, plan=cast.plan, period=period, reason="แก้ไขตามคำสั่งผู้อำนวยการเขต")
    lock = PeriodLock.objects.get(organization=cast.org, period=period)
    assert not lock.locked
    assert lock.history.first().history_change_reason == "แก้ไขตามคำสั่งผู้อำนวยการเขต"
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    assert entry.state == State.SUBMITTED


def test_project_progress_keeps_percent_disbursed_and_steps(cast, period, real_plan):
    from progress.services import Item
    from projects.models import Project

    traffy = Project.objects.get(plan=real_plan, key="p3:1.4")
    from plans.models import Division

    governance = Division.objects.get(organization=cast.org, name="ฝ่ายปกครอง")
    from accounts import roles
    from tests.factories import make_user

    clerk = make_user("clerk", roles.DIVISION_STAFF, cast.org, governance)
    steps = list(traffy.work_steps.order_by("number")[:2])
    entry = entry_save(user=clerk, plan=real_plan, period=period, item=Item("project", traffy),
                       data={"percent_complete": Decimal("29"), "disbursed": Decimal("0"), "narrative": "ดำเนินการตามแผน"},
                       steps_done=steps, version=0)
    assert entry.percent_complete == Decimal("29")
    assert set(entry.steps_done.all()) == set(steps)
    with pytest.raises(WorkflowError):
        entry_save(user=clerk, plan=real_plan, period=period, item=Item("project", traffy),
                   data={"percent_complete": Decimal("120")}, version=entry.version)
