"""checkplan on a small hand-made plan with planted inconsistencies."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from plandoc.checks import check_plan
from plans.models import Variant
from projects.models import KeyResultLink, ProjectIndicator
from tests.factories import (
    DivisionFactory,
    IndicatorFactory,
    PlanFactory,
    PrintedTotalFactory,
    ProjectFactory,
    RubricFactory,
    RubricLevelFactory,
    WorkStepFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    plan = PlanFactory()
    roads = DivisionFactory(organization=plan.organization, name="ฝ่ายโยธา", short_name="โยธา")
    a = ProjectFactory(plan=plan, section=2, sequence="1", budget=Decimal("1000"), division=roads, division_text="ฝ่ายโยธา")
    ProjectFactory(plan=plan, section=2, sequence="2", budget=Decimal("2500"), division=roads, division_text="ฝ่ายเทคนิค")
    ProjectFactory(plan=plan, section=2, sequence="2", budget=None, budget_text="-")
    PrintedTotalFactory(plan=plan, section=2, amount=Decimal("4000"), count=2)
    routine = ProjectFactory(plan=plan, section=3, budget=Decimal("999"))
    ProjectFactory(plan=plan, section=1, budget=Decimal("1000"), same_as=routine)
    okr = IndicatorFactory(plan=plan, code="1.1.01")
    ProjectIndicator.objects.create(project=a, indicator=okr, printed="OKR ๑.๑.๐๙")
    Variant.objects.create(
        plan=plan, content_type=ContentType.objects.get_for_model(okr), object_id=okr.pk,
        field="code", value="1.1.10", source="ตาราง ข",
    )
    IndicatorFactory(plan=plan, code="1.1.01", name="อีกตัวหนึ่ง")
    KeyResultLink.objects.create(plan=plan, project=a, budget=Decimal("1200"), kr_text="x", project_text="y")
    KeyResultLink.objects.create(plan=plan, project=None, project_text="โครงการที่ไม่มี")
    rubric = RubricFactory(indicator__plan=plan, indicator__weight=10)
    for level, points in [(5, 10), (4, 8), (3, 5), (2, 4)]:
        RubricLevelFactory(rubric=rubric, level=level, points=points)
    WorkStepFactory(project=a, weight=30)
    WorkStepFactory(project=a, weight=60)
    return plan


def categories(findings, category):
    return [f.message for f in findings if f.category == category]


def test_it_compares_printed_totals_and_counts(plan):
    totals = categories(check_plan(plan), "total")
    assert any("4,000" in m and "3,500" in m for m in totals)
    assert any("printed count 2" in m and "3 rows" in m for m in totals)


def test_it_reports_a_sequence_number_printed_twice(plan):
    assert len(categories(check_plan(plan), "sequence")) == 1


def test_it_reports_amounts_that_differ_between_sections(plan):
    amounts = categories(check_plan(plan), "amount")
    assert any("999" in m and "1,000" in m for m in amounts)
    assert any("1,200" in m for m in amounts)


def test_it_reports_codes_written_two_ways_and_shared_codes(plan):
    findings = check_plan(plan)
    assert any("1.1.10" in m for m in categories(findings, "code"))
    assert any("one code for 2 different indicators" in m for m in categories(findings, "duplicate-code"))


def test_it_reports_links_to_codes_that_do_not_exist(plan):
    refs = categories(check_plan(plan), "reference")
    assert any("1.1.09" in m for m in refs)
    assert any("โครงการที่ไม่มี" in m for m in refs)


def test_it_reports_a_division_the_organization_does_not_have(plan):
    assert any("ฝ่ายเทคนิค" in m for m in categories(check_plan(plan), "division"))


def test_it_reports_incomplete_or_wrong_rubrics(plan):
    rubric = categories(check_plan(plan), "rubric")
    assert any("4 levels" in m for m in rubric)
    assert any("level 3 gives 5 points" in m for m in rubric)


def test_it_reports_work_steps_not_adding_up_to_100(plan):
    assert any("90%" in m for m in categories(check_plan(plan), "work-steps"))


def test_a_consistent_plan_has_no_findings():
    plan = PlanFactory()
    ProjectFactory(plan=plan, section=2, sequence="1", budget=Decimal("1000"))
    PrintedTotalFactory(plan=plan, section=2, amount=Decimal("1000"), count=1)
    assert check_plan(plan) == []


def test_it_changes_nothing(plan):
    before = [(p.pk, p.budget, p.sequence) for p in plan.projects.order_by("pk")]
    check_plan(plan)
    assert [(p.pk, p.budget, p.sequence) for p in plan.projects.order_by("pk")] == before


def test_its_query_count_does_not_grow_with_the_plan(plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(n):
        for i in range(n):
            ProjectFactory(plan=plan, section=2, sequence=f"{n}-{i}", budget=Decimal("1"), division_text="ฝ่ายอื่น",
                           division=plan.organization.divisions.first())
            ind = IndicatorFactory(plan=plan)
            Variant.objects.create(plan=plan, content_type=ContentType.objects.get_for_model(ind), object_id=ind.pk,
                                   field="name", value="สะกดอีกแบบ", source="ตาราง ข")

    grow(1)
    with CaptureQueriesContext(connection) as small:
        check_plan(plan)
    grow(20)
    with CaptureQueriesContext(connection) as large:
        check_plan(plan)
    assert len(large) == len(small)
