"""The plan's data version (progress.versions): what cached pages are keyed on. It must
change with every change a page could show, and not with another plan's changes."""

from decimal import Decimal

from indicators.models import Indicator, IndicatorTarget
from plans.models import Division, FiscalYear, Plan
from progress.models import ProgressEntry
from progress.services import entry_save
from progress.versions import plan_version
from tests.factories import OrganizationFactory, PlanFactory


def test_it_changes_when_an_indicator_target_changes(real_plan):
    before = plan_version(Plan.objects.get(pk=real_plan.pk))
    target = IndicatorTarget.objects.filter(indicator__plan=real_plan).first()
    target.value += 1
    target.save()
    assert plan_version(Plan.objects.get(pk=real_plan.pk)) != before


def test_it_changes_when_a_division_is_renamed(real_plan):
    before = plan_version(Plan.objects.get(pk=real_plan.pk))
    division = Division.objects.filter(organization=real_plan.organization).first()
    division.name += " (ใหม่)"
    division.save()
    assert plan_version(Plan.objects.get(pk=real_plan.pk)) != before


def test_it_changes_when_an_indicator_is_deleted(real_plan):
    before = plan_version(Plan.objects.get(pk=real_plan.pk))
    Indicator.objects.filter(plan=real_plan, division__isnull=True).last().delete()
    assert plan_version(Plan.objects.get(pk=real_plan.pk)) != before


def test_it_changes_when_a_report_is_saved(cast, road_item, period):
    before = plan_version(Plan.objects.get(pk=cast.plan.pk))
    data = {"value": Decimal(3), "narrative": "ล้างท่อ"}
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data=data, version=None)
    after = plan_version(Plan.objects.get(pk=cast.plan.pk))
    assert after != before
    entry = ProgressEntry.objects.get(plan=cast.plan, period=period, indicator=road_item.obj)
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data={"value": Decimal(4), "narrative": "ล้างท่อ"},
               version=entry.version)
    assert plan_version(Plan.objects.get(pk=cast.plan.pk)) != after


def test_another_plans_change_leaves_it_alone(cast):
    before = plan_version(Plan.objects.get(pk=cast.plan.pk))
    other = Plan.objects.get(pk=cast.other_plan.pk)
    other.title += " (แก้ไข)"
    other.save()
    assert plan_version(Plan.objects.get(pk=cast.plan.pk)) == before


def test_it_is_one_query(real_plan, django_assert_num_queries):
    plan = Plan.objects.get(pk=real_plan.pk)
    with django_assert_num_queries(1):  # the reports' aggregate; the stamp came with the plan
        plan_version(plan)


def test_the_years_version_changes_with_any_districts_report_or_plan_data(cast, road_item, period, django_assert_num_queries):
    from progress.versions import year_version

    with django_assert_num_queries(1):
        before = year_version(2567)
    data = {"value": Decimal(3), "narrative": "ล้างท่อ"}
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item, data=data, version=None)
    after_report = year_version(2567)
    assert after_report != before
    other = PlanFactory(organization=OrganizationFactory(short_name="สนข.บางบอน"), fiscal_year=FiscalYear.ensure(2567))
    with_other = year_version(2567)
    assert with_other != after_report  # a district's plan added
    Division.objects.create(organization=other.organization, name="ฝ่ายใหม่")  # its plan data changed
    assert year_version(2567) != with_other
