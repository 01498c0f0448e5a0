"""The city view (/city/): table ง across districts, the leagues, who sees which district."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from accounts import roles
from indicators.calculations import measures_total
from indicators.models import Indicator, IndicatorTarget
from kpiplan.lib.thai import first_number, format_number
from plans.models import Division, FiscalYear, Period, Plan
from progress import selectors
from progress.cityrollup import city_completeness, city_rollup, city_totals
from progress.models import ProgressEntry, State
from progress.status import indicator_status
from projects.models import KeyResultLink
from tests.factories import OrganizationFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db


def test_first_number_reads_thai_cells():
    assert first_number("๓,๐๐๐ ต้น") == Decimal(3000)
    assert first_number("๗๐ ดวง (ติดตั้ง ๒๐ ดวง ซ่อม ๕๐ ดวง)") == Decimal(70)
    assert first_number("ร้อยละ ๑๐๐") == Decimal(100)
    assert first_number("ระดับ ๕") == Decimal(5)
    assert first_number("-") is None


def add_district(name, code, trees_target, trees_result=None, period=None):
    """A small district: one key result of table ง (trees planted, city target 200,000),
    its own target, and (given a period) a submitted cumulative result."""
    organization = OrganizationFactory(name=name, short_name="สนข." + name[-6:], code=code)
    plan = PlanFactory(organization=organization, fiscal_year=FiscalYear.ensure(2567))
    division = Division.objects.create(organization=organization, name="ฝ่ายรักษาความสะอาดและสวนสาธารณะ")
    okr = Indicator.objects.create(plan=plan, kind="okr", code="4.1.01", name="จำนวนต้นไม้ที่ปลูก", unit="ต้น",
                                   division=division, reporting_frequency="month", lead_agency=organization)
    IndicatorTarget.objects.create(indicator=okr, value=Decimal(200000), unit="ต้น")
    KeyResultLink.objects.create(plan=plan, indicator=okr, kr_text="จำนวนต้นไม้ที่ปลูก", unit="ต้น",
                                 project_text="ปลูกต้นไม้", project_kpi_target=trees_target)
    if trees_result is not None:
        ProgressEntry.objects.create(plan=plan, period=period, indicator=okr, division=division, value=trees_result,
                                     value_is_cumulative=True, state=State.SUBMITTED)
    return plan


@pytest.fixture
def generated(real_plan, period):
    """Three synthetic districts made by generate_city (the real plan's structure, a year
    of reports in every state), besides the real one."""
    call_command("generate_city", organizations=3, years=1, seed=7, verbosity=0)
    return Plan.objects.filter(fiscal_year_id=2567).select_related("organization")


def test_districts_add_up_against_the_city_target(real_plan, period):
    add_district("สำนักงานเขตบางแค", "50990040", "๕,๐๐๐ ต้น", Decimal(1200), period)
    rows = {r.code: r for r in city_rollup(2567, period)}
    trees = rows["4.1.01"]
    assert trees.city_target == Decimal(200000)
    assert {d.organization: d.target for d in trees.districts} == {
        "สำนักงานเขตภาษีเจริญ": Decimal(3000), "สำนักงานเขตบางแค": Decimal(5000)}
    assert trees.target_sum == Decimal(8000)
    assert {d.organization: d.result for d in trees.districts}["สำนักงานเขตบางแค"] == Decimal(1200)
    schools = rows["6.1.31"]  # 13 school projects of Phasi Charoen, "๑ แห่ง" each
    assert schools.target_sum == Decimal(13)
    # reported by measure (dredging 150 km, clearing 1,500 km): the city's target is both
    assert rows["1.4.07"].city_target == Decimal(1650)


def test_each_district_line_is_its_status_pages_target_and_result(generated, period):
    """One figure per district and key result: the same as the indicator's own page
    (progress.status) says for that district."""
    checked = 0
    for row in city_rollup(2567, period):
        for line in row.districts:
            links = KeyResultLink.objects.filter(plan_id=line.plan_id, indicator__isnull=False).select_related("indicator")
            indicators = {link.indicator for link in links if (link.indicator.code or link.indicator.name) == row.key}
            statuses = [indicator_status(ind, period) for ind in indicators]
            # a key result reported by measure (OKR 1.4.07): the total of its measures' results
            results = [measures_total(m.result for m in s.measures) if s.measures else s.result for s in statuses]
            results = [r for r in results if r is not None]
            expected = sum(results, Decimal(0)) if results else None
            if any(s.measures for s in statuses) and expected is not None:
                # generate_city rounds a report's total to 0.01 and its measures to 0.001
                assert abs(line.result - expected) < Decimal("0.01"), (row.key, line.organization)
            else:
                assert line.result == expected, (row.key, line.organization)
            if not any(s.measures for s in statuses):
                targets = [s.target for s in statuses if s.target is not None]
                assert line.target == (sum(targets, Decimal(0)) if targets else None), (row.key, line.organization)
            checked += line.result is not None
    assert checked > 20  # the synthetic districts reported


def test_the_pages_sums_are_the_one_aggregate_querys(client, generated, period):
    """Sum of targets, sum of results, city target and number of districts of every key
    result: the page shows what city_totals (one SQL statement) answers."""
    client.force_login(make_user("city", roles.CITY_EXECUTIVE))
    response = client.get(reverse("projects:city"), {"plan": generated.first().pk, "period": period.pk})
    rows = response.context["rows"]
    totals = city_totals(2567, period)
    assert [t.key for t in totals] == [r.key for r in rows]
    for total, row in zip(totals, rows, strict=True):
        assert (total.city_target, total.districts) == (row.city_target, len(row.districts)), row.key
        for mine, sql in ((row.target_sum, total.target_sum), (row.result_sum, total.result_sum)):
            assert (mine is None and sql is None) or round(mine, 6) == round(sql, 6), row.key
    assert any(t.districts == 4 and t.result_sum for t in totals)
    html = response.content.decode()
    whole = next(r for r in rows if r.target_sum and r.target_sum == r.target_sum.to_integral_value() and r.target_sum > 999)
    assert f'<td class="num">{format_number(whole.target_sum, thai=True)}</td>' in html


def test_the_league_ranks_districts_by_result_against_own_target(real_plan, period):
    add_district("สำนักงานเขตบางแค", "50990040", "๕,๐๐๐ ต้น", Decimal(4000), period)  # 80 %
    add_district("สำนักงานเขตจอมทอง", "50990035", "๒,๐๐๐ ต้น", Decimal(3000), period)  # 150 %
    add_district("สำนักงานเขตบางบอน", "50990050", "๑,๐๐๐ ต้น", Decimal(800), period)  # 80 %
    trees = next(r for r in city_rollup(2567, period) if r.code == "4.1.01")
    league = [(d.rank, d.organization, d.reached) for d in trees.league]
    assert league[:3] == [(1, "สำนักงานเขตจอมทอง", Decimal(150)), (2, "สำนักงานเขตบางบอน", Decimal(80)),
                          (2, "สำนักงานเขตบางแค", Decimal(80))]
    assert league[3] == (None, "สำนักงานเขตภาษีเจริญ", None)  # nothing submitted: no rank
    assert trees.result_sum == Decimal(7800)
    assert trees.reached == Decimal(7800) * 100 / Decimal(200000)


def test_completeness_share_is_the_completeness_pages(generated, period):
    """Due and submitted per district: the totals of each district's completeness page."""
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    for chosen in (period, quarter):
        league = city_completeness(2567, chosen)
        assert len(league) == 4
        for row in league:
            plan = Plan.objects.get(pk=row.plan_id)
            summaries = selectors.completeness(plan, chosen)
            assert (row.due, row.submitted) == (sum(s.due for s in summaries), sum(s.submitted for s in summaries))
        shares = [r.share for r in league if r.share is not None]
        assert shares == sorted(shares, reverse=True) and league[0].rank == 1


def test_who_sees_which_district(client, cast, period):
    add_district("สำนักงานเขตบางบอน", "50990060", "๕,๐๐๐ ต้น", Decimal(4321), period)
    url = reverse("projects:city")
    for user in (cast.planner, cast.executive):  # a district's own line only
        client.force_login(user)
        page = client.get(url, {"period": period.pk}).content.decode()
        assert "สำนักงานเขตภาษีเจริญ" in page and "บางบอน" not in page and "๔,๓๒๑" not in page
        # ... even when asking for the other district's plan
        other = Plan.objects.get(organization__name="สำนักงานเขตบางบอน")
        assert client.get(url, {"plan": other.pk}).status_code == 404
    city = make_user("city", roles.CITY_EXECUTIVE)
    for user in (cast.administrator, city):
        client.force_login(user)
        page = client.get(url, {"plan": cast.plan.pk, "period": period.pk}).content.decode()
        assert "สำนักงานเขตบางบอน" in page and "๔,๓๒๑" in page
        other = Plan.objects.get(organization__name="สำนักงานเขตบางบอน")
        assert f"{reverse('reports:dashboard')}?plan={other.pk}&amp;period={period.pk}" in page  # drill down
    for user in (cast.staff, cast.head):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_query_count_is_the_same_at_1_and_at_12_organizations(client, real_plan, period, django_assert_num_queries):
    city = make_user("city", roles.CITY_EXECUTIVE)
    client.force_login(city)
    url = reverse("projects:city")
    params = {"plan": real_plan.pk, "period": period.pk}
    client.get(url, params)  # warm: sessions, content types
    cache.clear()  # the page is built, not served from the cache
    # session, user, groups (policy), profile; plan; periods (the chosen one among them); the
    # year's data version; links; district figures: reports, city targets, table ง rows,
    # measures; completeness: plans, due periods, indicator counts, budget-line counts,
    # submitted counts; the header's bell (unread notices)
    with django_assert_num_queries(18) as one:
        response = client.get(url, params)
    assert len(response.context["completeness"]) == 1
    for n in range(12):
        add_district(f"สำนักงานเขตทดสอบ{n:02d}", f"509900{n:02d}", f"{n + 1},๐๐๐ ต้น", Decimal(100 * n), period)
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url, params)
    assert len(response.context["completeness"]) == 13


def test_query_count_is_the_same_with_ten_full_synthetic_districts(client, real_plan, period):
    """The same with districts of the real plan's whole structure and a year of reports
    (generate_city), the shape of the city's 50 districts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("city", roles.CITY_EXECUTIVE))
    url = reverse("projects:city")
    params = {"plan": real_plan.pk, "period": period.pk}
    client.get(url, params)
    cache.clear()
    with CaptureQueriesContext(connection) as one:
        client.get(url, params)
    call_command("generate_city", organizations=10, years=1, seed=3, verbosity=0)
    cache.clear()
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(url, params)
    assert len(response.context["completeness"]) == 11
    assert len(eleven) == len(one) == 18


def test_a_second_look_is_served_from_the_cache_until_a_district_reports(client, real_plan, period):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("city", roles.CITY_EXECUTIVE))
    url = reverse("projects:city")
    params = {"plan": real_plan.pk, "period": period.pk}
    first = client.get(url, params)
    with CaptureQueriesContext(connection) as again:
        second = client.get(url, params)
    assert len(again) <= 8  # session, user, groups, profile, plan, periods, the year's version
    assert second.context["body"] == first.context["body"]
    add_district("สำนักงานเขตบางบอน", "50500000", "4,321 ต้น", Decimal(4321), period)  # a district reports
    third = client.get(url, params).content.decode()
    assert "สำนักงานเขตบางบอน" in third and "๔,๓๒๑" in third
