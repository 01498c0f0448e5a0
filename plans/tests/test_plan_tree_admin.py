"""The plan's admin page shows the strategy framework as a tree of links, not a form
per element: light (bytes, queries) and still the way to every element."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import PlanStatement, StrategyNode

pytestmark = pytest.mark.django_db


def _open(client, plan):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/plans/plan/{plan.pk}/change/")
    assert response.status_code == 200
    return response, len(queries)


def test_the_real_plans_page_is_light_and_its_queries_do_not_grow_with_the_framework(client, cast):
    client.force_login(cast.planner)
    _open(client, cast.plan)  # the first request of a session reads it once more
    response, queries = _open(client, cast.plan)
    assert len(response.content) < 100_000  # 480 KB with an inline form per element and statement
    assert queries <= 20  # 42 before
    top = StrategyNode.objects.filter(plan=cast.plan, parent=None).first()
    StrategyNode.objects.bulk_create([StrategyNode(plan=cast.plan, parent=top, level="strategy", title=f"ยุทธศาสตร์ทดสอบ {i}",
                                                   order=900 + i) for i in range(10)])
    PlanStatement.objects.bulk_create([PlanStatement(plan=cast.plan, kind="vision", text="วิสัยทัศน์", order=900 + i)
                                       for i in range(10)])
    assert _open(client, cast.plan)[1] == queries


def test_every_element_links_to_its_page_nested_under_its_parent(client, cast):
    client.force_login(cast.planner)
    page = _open(client, cast.plan)[0].content.decode()
    tree = page.split('id="strategy-framework"')[1].split("</fieldset>")[0]
    for node in StrategyNode.objects.filter(plan=cast.plan):
        assert f'href="/admin/plans/strategynode/{node.pk}/change/"' in tree
    objective = StrategyNode.objects.filter(plan=cast.plan, level="objective", children__isnull=False).first()
    tactic = objective.children.first()
    # the tactic's link sits inside the objective's list item
    item = tree.split(f'/admin/plans/strategynode/{objective.pk}/change/')[1].split("</li>\n</ul>")[0]
    assert f"/admin/plans/strategynode/{tactic.pk}/change/" in item
    assert "เพิ่มกลยุทธ์" in item
    assert "name=\"nodes-TOTAL_FORMS\"" not in page and "name=\"statements-TOTAL_FORMS\"" not in page


def test_add_child_opens_the_element_form_with_plan_parent_and_level_filled_in(client, cast):
    client.force_login(cast.planner)
    page = _open(client, cast.plan)[0].content.decode()
    area = StrategyNode.objects.filter(plan=cast.plan, level="development_area").first()
    link = re.search(rf'href="(/admin/plans/strategynode/add/\?[^"]*parent={area.pk}[^"]*)"', page).group(1)
    form = client.get(link.replace("&amp;", "&")).context["adminform"].form
    assert (form["plan"].value(), form["parent"].value(), form["level"].value()) == (
        str(cast.plan.pk), str(area.pk), "objective")


def test_the_executive_gets_no_admin_and_another_organizations_planner_no_tree(client, cast):
    client.force_login(cast.executive)
    assert client.get(f"/admin/plans/plan/{cast.plan.pk}/change/").status_code in (302, 403)
    client.force_login(cast.other_planner)
    response = client.get(f"/admin/plans/plan/{cast.plan.pk}/change/")
    assert response.status_code in (302, 403, 404)
    assert "strategy-framework" not in response.content.decode()
