import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_planner_sees_the_findings(client, cast):
    client.force_login(cast.planner)
    page = client.get(reverse("plan-check", args=[cast.plan.pk])).content.decode()
    assert "๓๕,๒๙๔,๒๙๕" in page and "๓๕,๒๕๔,๒๙๕" in page
    assert "ลำดับที่ ๑๒ พิมพ์ซ้ำใน ๒ แถวของตารางสรุป" in page
    # Each finding links to the record it is about, where the planner corrects it.
    assert 'href="/admin/projects/project/' in page


def test_the_planner_filters_by_category_and_severity(client, cast):
    client.force_login(cast.planner)
    url = reverse("plan-check", args=[cast.plan.pk])
    page = client.get(url, {"category": "amount"}).content.decode()
    assert 'id="category-amount"' in page and 'id="category-name"' not in page
    assert "๑๗๕,๗๘๐" in page
    # The chips keep every category's count while one is chosen.
    assert '?category=name' in page
    warnings = client.get(url, {"severity": "warning"}).content.decode()
    assert 'id="category-name"' in warnings and 'id="category-amount"' not in warnings
    unknown = client.get(url, {"category": "nonsense"}).content.decode()
    assert 'id="category-amount"' in unknown and 'id="category-name"' in unknown


@pytest.mark.parametrize("who, status", [("staff", 403), ("head", 403), ("executive", 403), ("administrator", 200)])
def test_other_roles(client, cast, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("plan-check", args=[cast.plan.pk])).status_code == status


def test_another_organizations_planner_gets_404(client, cast):
    client.force_login(cast.other_planner)
    assert client.get(reverse("plan-check", args=[cast.plan.pk])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, cast):
    response = client.get(reverse("plan-check", args=[cast.plan.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_home_lists_only_own_plans(client, cast):
    client.force_login(cast.other_planner)
    page = client.get(reverse("home")).content.decode()
    assert "เขตบางแค" in page and "ภาษีเจริญ" not in page


def test_login_page_is_served_in_thai(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "เข้าสู่ระบบ" in page


def test_check_page_query_count_is_bounded(client, cast, django_assert_max_num_queries):
    client.force_login(cast.planner)
    with django_assert_max_num_queries(40):
        client.get(reverse("plan-check", args=[cast.plan.pk]))


def test_the_page_lists_problems_of_reported_progress_with_a_link_to_the_report(client, cast):
    from decimal import Decimal

    from indicators.models import Indicator
    from plans.models import Period
    from progress.models import ProgressEntry, State

    lamps = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    december = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    ProgressEntry.objects.create(plan=cast.plan, period=december, division_id=lamps.division_id, indicator=lamps,
                                 state=State.DRAFT, narrative="x", value=Decimal(-5))
    client.force_login(cast.planner)
    page = client.get(reverse("plan-check", args=[cast.plan.pk]), {"category": "implausible"}).content.decode()
    assert 'id="category-implausible"' in page and 'id="category-amount"' not in page
    assert "-๕ ดวง" in page
    assert reverse("progress:entry", args=[december.pk, "indicator", lamps.pk]) in page


def test_the_planner_can_open_every_record_a_finding_links_to(client, cast):
    from plandoc.checks import check_plan

    client.force_login(cast.planner)
    urls = {link.url for f in check_plan(cast.plan) for link in f.links}
    assert len(urls) > 20
    assert {url: client.get(url).status_code for url in urls} == {url: 200 for url in urls}
