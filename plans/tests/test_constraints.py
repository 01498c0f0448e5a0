"""Rules the database itself enforces, so no code path can break them."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from indicators.models import Baseline, Indicator, RubricCondition, RubricLevel
from plans.models import FiscalYear, Organization, Period, Plan
from projects.models import Policy, Project, WorkStep
from tests.factories import IndicatorFactory, OrganizationFactory, PlanFactory, ProjectFactory, RubricFactory

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_refuses_a_department_code_that_is_not_8_digits():
    refused(lambda: Organization.objects.create(short_name="x", name="x", kind="district", code="5040"))


def test_it_refuses_two_organizations_with_one_code():
    OrganizationFactory(code="50990000")
    refused(lambda: OrganizationFactory(code="50990000"))


def test_it_keeps_one_plan_per_organization_and_year():
    plan = PlanFactory()
    refused(lambda: Plan.objects.create(organization=plan.organization, fiscal_year=plan.fiscal_year, title="again"))


def test_it_creates_the_periods_of_a_fiscal_year():
    fy = FiscalYear.ensure(2570)
    assert fy.periods.filter(kind="month").count() == 12
    assert fy.periods.filter(kind="quarter").count() == 4
    q1 = fy.periods.get(kind="quarter", number=1)
    assert (q1.start.month, q1.end.month) == (10, 12)
    refused(lambda: Period.objects.create(fiscal_year=fy, kind="month", number=13, start=fy.start, end=fy.end))


def test_it_refuses_a_fiscal_year_written_in_ce():
    refused(lambda: FiscalYear.objects.create(year=2024, start="2023-10-01", end="2024-09-30"))


def test_it_refuses_negative_budgets_and_bad_strategy_codes():
    plan = PlanFactory()
    refused(lambda: Project.objects.create(plan=plan, section=2, name="x", budget=Decimal("-1")))
    refused(lambda: Project.objects.create(plan=plan, section=2, name="x", strategy_code="12345"))
    refused(lambda: Project.objects.create(plan=plan, section=4, name="x"))


def test_it_refuses_a_policy_code_not_shaped_p_and_three_digits():
    refused(lambda: Policy.objects.create(code="P21"))
    Policy.objects.create(code="P999")


def test_it_keeps_rubric_levels_between_1_and_5_and_unique():
    rubric = RubricFactory()
    RubricLevel.objects.create(rubric=rubric, level=5, points=10)
    refused(lambda: RubricLevel.objects.create(rubric=rubric, level=5, points=10))
    refused(lambda: RubricLevel.objects.create(rubric=rubric, level=6, points=12))
    refused(lambda: RubricLevel.objects.create(rubric=rubric, level=0, points=0))


def test_it_refuses_a_threshold_condition_without_its_number():
    level = RubricLevel.objects.create(rubric=RubricFactory(), level=3, points=6)
    refused(lambda: RubricCondition.objects.create(level=level, kind="threshold", measure="ร้อยละ", operator=">="))
    RubricCondition.objects.create(level=level, kind="checklist", text="รายงานผู้บริหาร")


def test_it_keeps_one_baseline_per_year_and_measure():
    ind = IndicatorFactory()
    Baseline.objects.create(indicator=ind, year=2566, value=1)
    refused(lambda: Baseline.objects.create(indicator=ind, year=2566, value=2))
    Baseline.objects.create(indicator=ind, year=2566, label="ไม้ยืนต้น", value=2)
    refused(lambda: Baseline.objects.create(indicator=ind, year=1999, value=2))


def test_it_keeps_work_step_weights_within_0_to_100():
    project = ProjectFactory()
    refused(lambda: WorkStep.objects.create(project=project, number=1, name="x", weight=Decimal("120")))


def test_it_refuses_a_negative_weight():
    refused(lambda: Indicator.objects.create(plan=PlanFactory(), kind="agreement", name="x", weight=-10))
