from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator, IndicatorTarget
from kpiplan.lib.thai import first_number
from progress.cityrollup import city_rollup
from projects.models import KeyResultLink
from tests.factories import OrganizationFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_first_number_reads_thai_cells():
    assert first_number("๓,๐๐๐ ต้น") == Decimal(3000)
    assert first_number("๗๐ ดวง (ติดตั้ง ๒๐ ดวง ซ่อม ๕๐ ดวง)") == Decimal(70)
    assert first_number("ร้อยละ ๑๐๐") == Decimal(100)
    assert first_number("ระดับ ๕") == Decimal(5)
    assert first_number("-") is None


def add_district(name, code, trees_target):
    from plans.models import FiscalYear

    organization = OrganizationFactory(name=name, short_name="สนข." + name[-6:], code=code)
    plan = PlanFactory(organization=organization, fiscal_year=FiscalYear.ensure(2567))
    okr = Indicator.objects.create(plan=plan, kind="okr", code="4.1.01", name="จำนวนต้นไม้ที่ปลูก", unit="ต้น")
    IndicatorTarget.objects.create(indicator=okr, value=Decimal(200000), unit="ต้น")
    KeyResultLink.objects.create(plan=plan, indicator=okr, kr_text="จำนวนต้นไม้ที่ปลูก", unit="ต้น",
                                 project_text="ปลูกต้นไม้", project_kpi_target=trees_target)
    return plan


def test_districts_add_up_against_the_city_target(real_plan):
    add_district("สำนักงานเขตบางแค", "50990040", "๕,๐๐๐ ต้น")
    rows = {r.code: r for r in city_rollup(2567)}
    trees = rows["4.1.01"]
    assert trees.city_target == Decimal(200000)
    assert {d.organization: d.target for d in trees.districts} == {
        "สำนักงานเขตภาษีเจริญ": Decimal(3000), "สำนักงานเขตบางแค": Decimal(5000)}
    assert trees.target_sum == Decimal(8000)
    schools = rows["6.1.31"]  # 13 school projects of Phasi Charoen, "๑ แห่ง" each
    assert schools.target_sum == Decimal(13)


def test_a_district_sees_only_its_own_line(client, cast):
    add_district("สำนักงานเขตบางแค", "50990040", "๕,๐๐๐ ต้น")
    client.force_login(cast.planner)
    page = client.get(reverse("projects:city")).content.decode()
    assert "สำนักงานเขตภาษีเจริญ" in page and "สำนักงานเขตบางแค" not in page
    client.force_login(cast.administrator)
    page = client.get(reverse("projects:city"), {"plan": cast.plan.pk}).content.decode()
    assert "สำนักงานเขตบางแค" in page
    client.force_login(cast.staff)
    assert client.get(reverse("projects:city")).status_code == 403


def test_city_rollup_query_count_does_not_grow(real_plan):
    with CaptureQueriesContext(connection) as before:
        city_rollup(2567)
    add_district("สำนักงานเขตบางแค", "50990040", "๕,๐๐๐ ต้น")
    add_district("สำนักงานเขตจอมทอง", "50990035", "๓,๐๐๐ ต้น")
    with CaptureQueriesContext(connection) as after:
        city_rollup(2567)
    assert len(after) == len(before)
