"""Issue 12 item 2, the side doors besides the history form: the admin's reason for a
change is required; two planners saving one record do not overwrite each other (admin
edit token) and a report page POST says its version; targets, baselines and rubrics a
locked period was judged against change by no admin path until the period is reopened."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator, IndicatorTarget, Rubric
from plandoc.tests.test_workbook import edit, set_cell
from plans.models import Period
from progress.models import ProgressEntry
from progress.services import Item, entry_save, period_lock, period_reopen
from projects.models import Project
from tests.admin_forms import form_data
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GOOD = {"value": Decimal("120"), "narrative": "ปรับปรุงถนนสวย ๑.๕ กม.", "obstacles": "", "suggestions": ""}
STALE = "มีผู้อื่นบันทึกรายการนี้หลังจากที่คุณเปิดหน้า"
FROZEN = "ปิดงวดแล้ว"


@pytest.fixture
def period(real_plan):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=3)


def _change(model_name, obj):
    return reverse(f"admin:{obj._meta.app_label}_{model_name}_change", args=[obj.pk])


def test_the_reason_for_a_change_is_required_in_thai(client, cast):
    client.force_login(cast.planner)
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.2")
    url = _change("project", project)
    response = client.post(url, form_data(client.get(url), budget="1", change_reason=None))
    assert response.status_code == 200
    assert "เหตุผลการแก้ไข: กรุณาระบุว่าแก้ไขข้อมูลเพราะอะไร" in response.content.decode()
    project.refresh_from_db()
    assert project.budget == Decimal("208400")


def test_the_second_of_two_planners_saving_one_project_is_refused(client, cast):
    second = make_user("planner2", "planner", cast.org)
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.2")
    url = _change("project", project)
    client.force_login(cast.planner)
    first_page = client.get(url)
    client.force_login(second)
    second_page = client.get(url)
    client.force_login(cast.planner)
    assert client.post(url, form_data(first_page, budget="300000", change_reason="ตามหนังสือ")).status_code == 302
    client.force_login(second)
    response = client.post(url, form_data(second_page, name="ชื่อใหม่", change_reason="แก้ชื่อ"))
    assert response.status_code == 200 and STALE in response.content.decode()
    project.refresh_from_db()
    assert project.budget == Decimal("300000") and project.name != "ชื่อใหม่"
    # without the token at all: refused too
    response = client.post(url, form_data(client.get(url), name="ชื่อใหม่", change_reason="แก้ชื่อ", edit_token=None))
    assert STALE in response.content.decode()
    project.refresh_from_db()
    assert project.name != "ชื่อใหม่"
    # reloaded, the save goes through
    response = client.post(url, form_data(client.get(url), name="ชื่อใหม่", change_reason="แก้ชื่อ"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "ชื่อใหม่" and project.budget == Decimal("300000")


def test_a_change_to_a_target_seen_inline_makes_the_indicator_page_stale(client, cast):
    indicator = Indicator.objects.get(plan=cast.plan, key="okr:1.4.06")
    url = _change("indicator", indicator)
    client.force_login(cast.planner)
    page = client.get(url)
    target = indicator.targets.first()
    target.value = Decimal("99")
    target.save()  # someone else, meanwhile
    response = client.post(url, form_data(page, change_reason="แก้ไข"))
    assert STALE in response.content.decode()
    target.refresh_from_db()
    assert target.value == Decimal("99")


def test_a_report_page_post_without_its_version_is_refused(client, cast, period, real_plan):
    item = Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:1.4.06"))
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item, data=GOOD, version=0)
    client.force_login(cast.staff)
    url = reverse("progress:entry", args=[period.pk, "indicator", item.obj.pk])
    response = client.post(url, {"action": "save", "value": "5", "narrative": "ทับ"})
    assert response.status_code == 409
    assert "ไม่ได้ระบุฉบับของรายงาน" in response.content.decode()
    entry.refresh_from_db()
    assert entry.value == Decimal("120") and entry.version == 1
    response = client.post(url, {"action": "submit", "version": "", "value": "5", "narrative": "ทับ"})
    assert response.status_code == 409
    assert ProgressEntry.objects.get(pk=entry.pk).state == "draft"


def test_targets_and_rubrics_a_locked_period_was_judged_against_do_not_change(client, cast, period):
    indicator = Indicator.objects.get(plan=cast.plan, key="okr:1.4.06")
    target = indicator.targets.first()
    value = target.value
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    client.force_login(cast.planner)
    # the target's own page
    url = _change("indicatortarget", target)
    response = client.post(url, form_data(client.get(url), value="1", change_reason="แก้เป้าหมาย"))
    assert response.status_code == 200 and FROZEN in response.content.decode()
    # the indicator page's inline
    url = _change("indicator", indicator)
    page = client.get(url)
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    response = client.post(url, form_data(page, **{f"{prefix}-0-value": "2", "change_reason": "แก้เป้าหมาย"}))
    assert response.status_code == 200 and FROZEN in response.content.decode()
    # deleting it, or adding a new target
    delete = reverse("admin:indicators_indicatortarget_delete", args=[target.pk])
    client.post(delete, {"post": "yes"})
    add = reverse("admin:indicators_indicatortarget_add")
    client.post(add, form_data(client.get(add), indicator=str(indicator.pk), value="3", change_reason="เพิ่ม"))
    assert list(indicator.targets.values_list("pk", "value")) == [(target.pk, value)]
    # deleting the indicator would delete its targets with it, one by one or as a list action
    client.post(reverse("admin:indicators_indicator_delete", args=[indicator.pk]), {"post": "yes"})
    client.post(reverse("admin:indicators_indicatortarget_changelist"),
                {"action": "delete_selected", "_selected_action": [str(target.pk)], "post": "yes"})
    assert Indicator.objects.filter(pk=indicator.pk).exists() and IndicatorTarget.objects.filter(pk=target.pk).exists()
    # a rubric of an agreement indicator of the plan
    rubric = Rubric.objects.filter(indicator__plan=cast.plan).first()
    url = _change("rubric", rubric)
    response = client.post(url, form_data(client.get(url), title="เกณฑ์ใหม่", change_reason="แก้เกณฑ์"))
    assert FROZEN in response.content.decode()
    assert Rubric.objects.get(pk=rubric.pk).title == rubric.title
    # reopened: the planner may change it again
    period_reopen(user=cast.planner, plan=cast.plan, period=period, reason="แก้ไขเป้าหมายตามหนังสือ")
    url = _change("indicatortarget", target)
    response = client.post(url, form_data(client.get(url), value="1", change_reason="แก้เป้าหมาย"))
    assert response.status_code == 302
    assert IndicatorTarget.objects.get(pk=target.pk).value == Decimal("1")


def test_the_plan_workbook_does_not_change_targets_of_a_locked_period_either(cast, period):
    from plandoc.workbook import export_workbook, import_workbook

    real_workbook = export_workbook(cast.plan)

    indicator = Indicator.objects.get(plan=cast.plan, key="okr:1.4.06")
    target = indicator.targets.order_by("order").first()
    data = edit(real_workbook, lambda b: set_cell(b, "ค่าเป้าหมาย", "ตัวชี้วัด (รหัสอ้างอิง)", "okr:1.4.06",
                                                  "ค่าเป้าหมาย", "๙๙๙"))
    period_lock(user=cast.planner, plan=cast.plan, period=period)
    preview = import_workbook(data, "แก้เป้า.xlsx", user=cast.planner, dry_run=False)
    assert preview.has_errors
    sheet = next(s for s in preview.sheets if s.name == "ค่าเป้าหมาย")
    assert any("locked period" in e for e in sheet.errors)
    assert IndicatorTarget.objects.get(pk=target.pk).value == target.value
    # the same file unchanged is no change: it imports
    assert not import_workbook(real_workbook, "เดิม.xlsx", user=cast.planner, dry_run=True).has_errors
