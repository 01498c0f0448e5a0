"""Planner admin: open to planners for their own organization only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from plans.models import Organization, Plan
from projects.models import Project
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


ADMIN_LISTS = [
    "plans_plan", "plans_division", "plans_workgroup", "plans_planstatement", "plans_strategynode",
    "plans_variant", "plans_printedtotal", "plans_organization", "plans_fiscalyear", "plans_period",
    "indicators_indicator", "indicators_indicatortarget", "indicators_baseline", "indicators_rubric",
    "indicators_rubriclevel", "indicators_rubriccondition",
    "projects_project", "projects_keyresultlink", "projects_workstep", "projects_projectindicator", "projects_policy",
]


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_every_list_opens_for_a_planner(client, cast, model):
    client.force_login(cast.planner)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_the_planner_sees_the_whole_plan(client, cast):
    client.force_login(cast.planner)
    page = client.get(reverse("admin:projects_project_changelist"), {"section__exact": 1}).content.decode()
    assert "ค่าใช้จ่ายในการจ้างงานคนพิการเพื่อปฏิบัติงาน" in page
    assert "1,134,000" in page  # thousands separators
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.1")
    page = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert "ขุดลอกลำกระโดงสรรพากร" in page


@pytest.mark.parametrize("who", ["staff", "head", "executive"])
def test_the_admin_is_refused_to_other_roles(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("admin:projects_project_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_anonymous_is_sent_to_log_in(client, cast):
    response = client.get(reverse("admin:plans_plan_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_planner_of_another_organization_sees_none_of_this_plan(client, cast):
    client.force_login(cast.other_planner)
    for model in ["projects_project", "indicators_indicator", "plans_strategynode", "plans_planstatement", "projects_keyresultlink"]:
        page = client.get(reverse(f"admin:{model}_changelist")).content.decode()
        assert "ภาษีเจริญ" not in page, model
        assert "ขุดลอก" not in page, model
    plans = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert "แผนปฏิบัติราชการ เขตบางแค" in plans and "สำนักงานเขตภาษีเจริญ" not in plans
    project = Project.objects.get(plan=cast.plan, key="p1:1")
    response = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert response.status_code == 302  # "doesn't exist", back to the admin index
    response = client.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})
    assert Project.objects.filter(pk=project.pk).exists()
    history = client.get(reverse("admin:projects_project_history", args=[project.pk]))
    assert history.status_code in (302, 404)


def test_a_planner_cannot_put_data_into_another_organizations_plan(client, cast):
    client.force_login(cast.other_planner)
    response = client.get(reverse("admin:projects_project_add"))
    data = form_data(response, plan=str(cast.plan.pk), section="2", name="แทรกโครงการ", budget="1")
    response = client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200  # form redisplayed with an error
    assert not Project.objects.filter(name="แทรกโครงการ").exists()


def test_autocomplete_offers_only_own_organizations_rows(client, cast):
    client.force_login(cast.other_planner)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "projects", "model_name": "project", "field_name": "same_as", "term": "ขุดลอก"},
    )
    assert response.json()["results"] == []


def test_reference_data_is_read_only_for_planners(client, cast):
    client.force_login(cast.planner)
    org = Organization.objects.get(short_name="สนท.")
    url = reverse("admin:plans_organization_change", args=[org.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"short_name": "x", "name": "x", "kind": "department"}).status_code == 403


def test_thai_digits_and_separators_are_accepted_and_history_keeps_who_and_why(client, cast):
    client.force_login(cast.planner)
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.2")
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = form_data(client.get(url), budget="๒๑๐,๔๐๐", change_reason="แก้ไขตามหนังสือสำนักงบประมาณ")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    project.refresh_from_db()
    assert project.budget == Decimal("210400")
    record = project.history.first()
    assert record.history_user == cast.planner
    assert record.history_change_reason == "แก้ไขตามหนังสือสำนักงบประมาณ"
    diff = record.diff_against(record.prev_record)
    assert [c.field for c in diff.changes] == ["budget"]
    history_page = client.get(reverse("admin:projects_project_history", args=[project.pk])).content.decode()
    assert "แก้ไขตามหนังสือสำนักงบประมาณ" in history_page


def test_a_bad_number_gets_a_thai_message_and_keeps_what_was_typed(client, cast):
    client.force_login(cast.planner)
    project = Project.objects.get(plan=cast.plan, key="p2:1.7.2")
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = form_data(client.get(url), budget="สองแสน", name="ชื่อที่พิมพ์ไว้")
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "กรอกตัวเลข" in page
    assert "สองแสน" in page and "ชื่อที่พิมพ์ไว้" in page
    project.refresh_from_db()
    assert project.budget == Decimal("208400")


def test_a_planner_edits_the_plan_through_inlines(client, cast):
    client.force_login(cast.planner)
    url = reverse("admin:plans_plan_change", args=[cast.plan.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "เป็นเลิศด้านบริการ" in page.content.decode()  # a vision line, in the statements' list of links
    assert Plan.objects.filter(pk=cast.plan.pk).exists()


def test_export_contains_only_own_organizations_rows(client, cast):
    client.force_login(cast.other_planner)
    url = reverse("admin:projects_project_export")
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {"format": "0", **{name: "on" for name in form.fields if name.startswith("projectresource_")}}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "ขุดลอก".encode() not in response.content
    client.force_login(cast.planner)
    response = client.post(url, data)
    assert "ขุดลอก".encode() in response.content
