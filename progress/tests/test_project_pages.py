from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from plans.models import Division, Period
from progress.budget import budget_execution, s_curve
from progress.services import Item, entry_save, entry_submit
from projects.models import Project
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffy(real_plan):
    return Project.objects.get(plan=real_plan, key="p3:1.4")


@pytest.fixture
def clerk(cast):
    return make_user("clerk", roles.DIVISION_STAFF, cast.org, Division.objects.get(organization=cast.org, name="ฝ่ายปกครอง"))


def report_steps(plan, clerk, project, month, steps, disbursed=None):
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=month)
    entry = entry_save(user=clerk, plan=plan, period=period, item=Item("project", project),
                       data={"percent_complete": Decimal(50), "narrative": "ทำแล้ว", "disbursed": disbursed},
                       steps_done=steps, version=0)
    return entry_submit(user=clerk, entry=entry, version=entry.version)


def test_s_curve_of_the_real_traffy_project(real_plan, clerk, traffy):
    curve = s_curve(traffy)
    assert curve.weights_total == Decimal(49) and curve.planned[-1] == Decimal(49)
    steps = list(traffy.work_steps.order_by("number"))
    report_steps(real_plan, clerk, traffy, 3, [s for s in steps if s.number == 5])
    curve = s_curve(traffy)
    assert curve.actual[2] == Decimal(7) and curve.actual[0] is None
    assert curve.planned[2] == Decimal(7)  # step 5 (weight 7) is planned in December


def test_project_page_draws_the_curve_and_warns_about_incomplete_weights(client, cast, traffy):
    client.force_login(cast.executive)
    page = client.get(reverse("projects:detail", args=[traffy.pk])).content.decode()
    assert "<svg" in page and 'class="planned"' in page
    assert "๔๙" in page  # weights add up to 49, not 100


def test_project_page_access(client, cast, traffy):
    client.force_login(cast.other_planner)
    assert client.get(reverse("projects:detail", args=[traffy.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("projects:detail", args=[traffy.pk])).status_code == 302


def test_budget_execution_rolls_up(real_plan, clerk, cast):
    data = budget_execution(real_plan, 12)
    # The parts as the document prints them, with the dengue project (Part 1 175,800 and
    # Part 3 175,780) counted once in the plan's total, on its Part 1 row.
    assert [r.execution.allocated for r in data["sections"]] == [Decimal("2694800"), Decimal("35254295"), Decimal("59752455")]
    assert data["plan"].execution.allocated == Decimal("2694800") + Decimal("35254295") + Decimal("59752455") - Decimal("175780")
    assert [(r.line.section, r.line.budget, r.counted.section, r.counted.budget) for r in data["repeats"]] == [
        (3, Decimal("175780"), 1, Decimal("175800"))]
    seminar = Project.objects.get(plan=real_plan, key="p3:1.1")  # 638,050 baht
    report_steps(real_plan, clerk, seminar, 2, [], disbursed=Decimal("319025"))
    data = budget_execution(real_plan, 12)
    row = next(r for r in data["projects"] if r.project.pk == seminar.pk)
    assert row.execution.percent == Decimal("50.00")
    assert row.quarters[0] == Decimal("50.00")  # by the end of December
    governance = next(r for r in data["divisions"] if r.label == "ฝ่ายปกครอง")
    assert governance.execution.disbursed == Decimal("319025")


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("staff", 403), ("other_planner", 404)])
def test_budget_page_access(client, cast, who, expected):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("projects:budget"), {"plan": cast.plan.pk}).status_code == expected


def test_budget_page_query_count_does_not_grow(client, cast, clerk, real_plan):
    client.force_login(cast.planner)
    seminar = Project.objects.get(plan=real_plan, key="p3:1.1")
    report_steps(real_plan, clerk, seminar, 1, [], disbursed=Decimal("1"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("projects:budget"))
    for key in ["p3:1.2", "p3:1.3"]:
        report_steps(real_plan, clerk, Project.objects.get(plan=real_plan, key=key), 1, [], disbursed=Decimal("1"))
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("projects:budget"))
    assert len(after) == len(before)


def test_admin_refuses_step_weights_that_do_not_total_100(client, cast, traffy):
    from django.urls import reverse as r
    from django.utils import translation

    from tests.admin_forms import form_data

    client.force_login(cast.planner)
    url = r("admin:projects_project_change", args=[traffy.pk])

    def step_errors(response):
        formsets = [f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "work_steps"]
        return [str(e) for e in formsets[0].non_form_errors()]

    data = form_data(client.get(url), change_reason="ปรับน้ำหนักขั้นตอน")
    step4 = next(k[: -len("-number")] for k, v in data.items() if k.startswith("work_steps-") and k.endswith("-number") and v == "4")
    response = client.post(url, data)
    assert response.status_code == 200
    with translation.override("en"):
        assert "needs a weight" in " ".join(step_errors(response)) or step_errors(response)
    data[f"{step4}-weight"] = "2"  # the surviving steps now weigh 51
    response = client.post(url, data)
    assert response.status_code == 200 and step_errors(response)
    total = int(data["work_steps-TOTAL_FORMS"])
    data.update({
        f"work_steps-{total}-number": "12", f"work_steps-{total}-name": "ขั้นตอนที่เหลือ",
        f"work_steps-{total}-weight": "๔๙", f"work_steps-{total}-months": "[12]", "work_steps-TOTAL_FORMS": str(total + 1),
    })
    assert client.post(url, data).status_code == 302
    assert s_curve(Project.objects.get(pk=traffy.pk)).planned[-1] == Decimal(100)


def test_project_page_query_count_does_not_grow_with_reports(client, cast, clerk, traffy, real_plan):
    client.force_login(cast.planner)
    steps = list(traffy.work_steps.order_by("number"))
    report_steps(real_plan, clerk, traffy, 3, steps[:1])
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("projects:detail", args=[traffy.pk]))
    for month in (4, 5, 6):
        report_steps(real_plan, clerk, traffy, month, steps[: month - 2])
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("projects:detail", args=[traffy.pk]))
    assert len(after) == len(before)


# -- issue 13: disbursement by month, the divisions' words, links to the indicators ----

def test_disbursement_by_month_is_planned_from_the_work_plan_and_paid_from_reports(client, cast, real_plan, clerk, traffy):
    from progress.budget import planned_share
    from progress.reading import project_reading
    from projects.calculations import planned_disbursement

    traffy.budget = Decimal("250000")  # as printed it has none; a budget gives the plan something to pay
    traffy.save()
    report_steps(real_plan, clerk, traffy, 2, [], disbursed=Decimal("1000"))
    report_steps(real_plan, clerk, traffy, 4, [], disbursed=Decimal("2500.50"))
    curve = s_curve(traffy)
    reading = project_reading(cast.executive, traffy, curve)
    # the dashboard's planned share: the work plan's curve over its total weight (49 for Traffy)
    assert [m.planned for m in reading.money] == planned_disbursement(
        traffy.budget, [planned_share(curve, n) * 100 for n in range(1, 13)])
    assert curve.planned[2] == 7 and curve.weights_total == 49
    assert reading.money[2].planned == Decimal("35714.29")  # 7/49 of 250,000 planned by December
    assert reading.money[11].planned == traffy.budget  # all of it by September
    paid = budget_execution(real_plan, 4)
    row = next(r for r in paid["projects"] if r.project.pk == traffy.pk)
    assert [m.disbursed for m in reading.money][:5] == [None, Decimal("1000"), Decimal("1000"), Decimal("2500.50"), None]
    assert reading.money[3].disbursed == row.execution.disbursed
    assert reading.money[3].disbursed_pct == row.execution.percent == Decimal("1.00")
    client.force_login(cast.executive)
    html = client.get(reverse("projects:detail", args=[traffy.pk])).content.decode()
    assert 'id="disbursement"' in html and "๒,๕๐๐.๕" in html
    assert "ทำแล้ว" in html  # the narrative of the submitted reports


def test_the_project_page_hides_another_divisions_drafts(client, cast, real_plan, clerk, traffy):
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=5)
    entry_save(user=clerk, plan=real_plan, period=period, item=Item("project", traffy),
               data={"percent_complete": Decimal(10), "narrative": "ร่างของฝ่ายปกครอง", "disbursed": Decimal(7)}, version=0)
    client.force_login(cast.executive)
    html = client.get(reverse("projects:detail", args=[traffy.pk])).content.decode()
    assert "ร่างของฝ่ายปกครอง" not in html
    client.force_login(clerk)
    assert "ร่างของฝ่ายปกครอง" in client.get(reverse("projects:detail", args=[traffy.pk])).content.decode()


def test_the_executives_project_page_costs_the_same_with_six_months_reported(client, cast, real_plan, clerk, traffy):
    client.force_login(cast.executive)
    report_steps(real_plan, clerk, traffy, 1, [], disbursed=Decimal(1))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("projects:detail", args=[traffy.pk])).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for month in range(2, 7):
        report_steps(real_plan, clerk, traffy, month, [], disbursed=Decimal(month))
    assert count() == one
