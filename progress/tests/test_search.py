"""The search page (progress:search) and the box in every page's header."""

import re

import pytest
from django.urls import reverse

from indicators.models import Indicator
from plans.models import Division, StrategyNode
from projects.models import Project
from tests.factories import DivisionFactory, IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = reverse("progress:search")


def hrefs(response) -> list[str]:
    """The result links in the order the page lists them."""
    page = response.content.decode()
    lists = re.findall(r'<ol class="search-results">(.*?)</ol>', page, re.S)
    return [href for part in lists for href in re.findall(r'<a href="([^"]+)"', part)]


def indicator_url(indicator) -> str:
    return reverse("progress:indicator", args=[indicator.pk])


def test_it_finds_an_indicator_first_by_its_code_in_thai_or_arabic_digits(client, cast):
    canal = Indicator.objects.get(plan=cast.plan, kind="okr", code="1.4.07")
    client.force_login(cast.planner)
    for typed in ("๑.๔.๐๗", "1.4.07", "1.4.7", "OKR ๑.๔.๐๗"):
        response = client.get(URL, {"q": typed})
        assert response.status_code == 200
        assert hrefs(response)[0] == indicator_url(canal), typed
    page = client.get(URL, {"q": "๑.๔"}).content.decode()
    assert "ขุดลอกคลอง เปิดทางน้ำไหล" in page and "OKR ๑.๔.๐๗" in page  # the code as printed, in Thai digits


def test_it_finds_a_project_by_a_thai_fragment_of_its_name(client, cast):
    project = Project.objects.filter(plan=cast.plan, name__contains="ขุดลอกลำกระโดง").first()
    client.force_login(cast.planner)
    response = client.get(URL, {"q": "ลำกระโดง"})
    assert reverse("projects:detail", args=[project.pk]) in hrefs(response)
    assert "โครงการ" in response.content.decode()


def test_a_strategy_element_opens_the_status_page_of_its_area(client, cast):
    node = StrategyNode.objects.get(plan=cast.plan, level="development_area", code="1")
    client.force_login(cast.planner)
    response = client.get(URL, {"q": node.title[:12]})
    assert f"{reverse('progress:status')}?area={node.pk}" in hrefs(response)


def test_another_organizations_same_named_items_never_appear(client, cast):
    canal = Indicator.objects.get(plan=cast.plan, kind="okr", code="1.4.07")
    other_division = DivisionFactory(organization=cast.other_org, name="ฝ่ายโยธา")
    theirs = IndicatorFactory(plan=cast.other_plan, code="1.4.07", name=canal.name, division=other_division)
    their_project = ProjectFactory(plan=cast.other_plan, name="ขุดลอกลำกระโดงของบางแค", division=other_division)
    for user, mine, not_mine in [(cast.planner, canal, theirs), (cast.other_planner, theirs, canal)]:
        client.force_login(user)
        found = hrefs(client.get(URL, {"q": "1.4.07"})) + hrefs(client.get(URL, {"q": canal.name}))
        assert indicator_url(mine) in found and indicator_url(not_mine) not in found
    client.force_login(cast.planner)
    assert "บางแค" not in client.get(URL, {"q": "ลำกระโดง"}).content.decode()
    assert reverse("projects:detail", args=[their_project.pk]) not in hrefs(client.get(URL, {"q": "ลำกระโดง"}))
    assert client.get(URL, {"q": "1.4.07", "plan": cast.other_plan.pk}).status_code == 404


def test_staff_see_only_their_own_divisions_items(client, cast):
    roads = Indicator.objects.filter(plan=cast.plan, division=cast.division).exclude(code="").first()
    schools = Indicator.objects.filter(plan=cast.plan, division=cast.other_division).exclude(code="").first()
    school_project = Project.objects.filter(plan=cast.plan, division=cast.other_division).first()
    client.force_login(cast.staff)
    found = hrefs(client.get(URL, {"q": roads.code})) + hrefs(client.get(URL, {"q": schools.code}))
    found += hrefs(client.get(URL, {"q": school_project.name}))
    assert indicator_url(roads) in found
    assert indicator_url(schools) not in found
    assert reverse("projects:detail", args=[school_project.pk]) not in found
    assert not any(href.startswith(reverse("progress:status")) for href in found)  # the status page is for readers
    client.force_login(cast.other_staff)
    assert indicator_url(schools) in hrefs(client.get(URL, {"q": schools.code}))


def test_it_hints_on_an_empty_query_and_says_when_nothing_matches(client, cast):
    client.force_login(cast.staff)
    assert "พิมพ์รหัสตัวชี้วัด" in client.get(URL).content.decode()
    page = client.get(URL, {"q": "ไม่มีคำนี้ในแผนแน่นอน"}).content.decode()
    assert "ไม่พบรายการในแผนที่ตรงกับ" in page and "ไม่มีคำนี้ในแผนแน่นอน" in page


def test_a_long_group_shows_ten_and_a_link_to_all(client, cast):
    client.force_login(cast.planner)
    response = client.get(URL, {"q": "ฝ่าย"})
    page = response.content.decode()
    everything = client.get(URL, {"q": "ฝ่าย", "group": "indicators"})
    all_indicators = [h for h in hrefs(everything) if h.startswith("/indicators/")]
    assert len([h for h in hrefs(response) if h.startswith("/indicators/")]) == 10
    assert len(all_indicators) > 10
    assert "group=indicators" in page and f"แสดงทั้งหมด {len(all_indicators)}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")) in page
    # the group alone says how many it holds, not how many all groups hold
    assert everything.context["found"] == everything.context["groups"][0]["count"] < response.context["found"]


def test_the_header_has_a_search_box_on_every_page(client, cast, period, road_item):
    client.force_login(cast.staff)
    for url in [reverse("home"), reverse("progress:my-work"), reverse("progress:indicator", args=[road_item.obj.pk]),
                reverse("progress:entry", args=[period.pk, "indicator", road_item.obj.pk]), URL]:
        page = client.get(url, follow=True).content.decode()
        assert f'<form class="top-search" role="search" method="get" action="{URL}">' in page, url
        assert '<label for="top-search-q"' in page and 'name="q"' in page
    client.logout()
    assert "top-search" not in client.get(reverse("login")).content.decode()


def test_the_query_count_does_not_grow_with_the_plan(client, cast, django_assert_num_queries):
    def ask(user, extra_rows: int, queries: int):
        division = Division.objects.get(pk=cast.division.pk)
        IndicatorFactory.create_batch(extra_rows, plan=cast.plan, name="ทดสอบนับคำถาม", division=division)
        ProjectFactory.create_batch(extra_rows, plan=cast.plan, name="ทดสอบนับคำถาม", division=division)
        client.force_login(user)
        # session, user, the user's groups, profile (with organization and division), the
        # current plan, indicators, projects, the header's bell; and the planner's strategy elements
        with django_assert_num_queries(queries):
            response = client.get(URL, {"q": "ทดสอบนับคำถาม"})
        return response

    for user, queries in ((cast.planner, 9), (cast.staff, 8)):
        assert len(hrefs(ask(user, 1, queries))) >= 2
        assert len(hrefs(ask(user, 25, queries))) == 20  # ten per group


def test_an_indicator_no_division_reports_is_listed_to_readers_without_a_link(client, cast):
    city_kr = Indicator.objects.filter(plan=cast.plan, division__isnull=True).exclude(code="").first()
    client.force_login(cast.planner)
    page = client.get(URL, {"q": city_kr.name}).content.decode()
    assert city_kr.name in page and "ไม่มีฝ่ายใดของสำนักงานรายงานผล" in page
    assert indicator_url(city_kr) not in page
    client.force_login(cast.staff)
    assert "ไม่พบรายการในแผนที่ตรงกับ" in client.get(URL, {"q": city_kr.name}).content.decode()  # not the staff's
