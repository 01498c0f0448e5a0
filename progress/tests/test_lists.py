"""The long lists (status, completeness items, review, projects) as tables: filters return
the rows the domain functions give, sorting, pages that keep the filters, exports of
exactly the filtered rows, access, and query counts that do not grow with the data."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from indicators.calculations import Status
from indicators.models import Indicator
from plans.models import Division, Period, StrategyNode
from progress.budget import s_curve
from progress.models import State
from progress.selectors import items_for, rows_for
from progress.services import entry_save, entry_submit
from progress.status import indicator_statuses
from projects.models import Project
from tests.factories import OrganizationFactory, PlanFactory, make_user

from .test_project_pages import report_steps
from .test_status import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def road_item(real_plan):
    """OKR 4.1.10 (ฝ่ายโยธา): 1.53 km; 0.765 km by December is on track (test_status)."""
    from progress.services import Item

    return Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:4.1.10"))

INDICATOR_LINK = re.compile(r'href="/indicators/(\d+)/"')
PROJECT_LINK = re.compile(r'href="/projects/(\d+)/"')


def listed(response, pattern=INDICATOR_LINK) -> list[int]:
    """The items the table links to, in the order shown (the page's other links are not
    item links)."""
    html = response.content.decode()
    table = html[html.index('class="table-scroll list-table"'):]
    return [int(pk) for pk in pattern.findall(table)]


def exported_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def exported_xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


# -- status ---------------------------------------------------------------------------------

def test_it_filters_the_status_list_by_area_with_everything_below_it(client, cast, period):
    client.force_login(cast.planner)
    nodes = list(StrategyNode.objects.filter(plan=cast.plan))
    # An element two levels above some indicators: its own and its descendants' count.
    parents = {n.pk: n.parent_id for n in nodes}

    def under(node_id, root):
        while node_id is not None:
            if node_id == root:
                return True
            node_id = parents.get(node_id)
        return False

    due = indicator_statuses(cast.plan, period)
    root = next(n for n in nodes if n.parent_id is None and any(
        s.indicator.node_id != n.pk and under(s.indicator.node_id, n.pk) for s in due))
    expected = {s.indicator.pk for s in due if under(s.indicator.node_id, root.pk)}
    response = client.get(reverse("progress:status"), {"plan": cast.plan.pk, "period": period.pk, "area": root.pk})
    assert set(listed(response)) == expected and len(listed(response)) == len(expected)
    assert any(Indicator.objects.get(pk=pk).node_id != root.pk for pk in expected)  # descendants, not only the node


def test_it_filters_the_status_list_by_status_as_progress_status_judges_it(client, cast, period, road_item):
    lamps = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    report(cast, period, road_item.obj, "0.765")  # on track
    report(cast, period, lamps, "10", verify="9")  # off track
    client.force_login(cast.executive)
    statuses = indicator_statuses(cast.plan, period)
    for wanted in (Status.ON_TRACK, Status.OFF_TRACK, Status.NOT_REPORTED):
        response = client.get(reverse("progress:status"), {"plan": cast.plan.pk, "period": period.pk, "status": wanted.value})
        assert sorted(listed(response)) == sorted(s.indicator.pk for s in statuses if s.status == wanted), wanted
    assert road_item.obj.pk in listed(client.get(reverse("progress:status"), {"plan": cast.plan.pk, "period": period.pk,
                                                                            "status": "on_track"}))


def test_it_filters_the_status_list_by_division_and_text(client, cast, period):
    client.force_login(cast.planner)
    statuses = indicator_statuses(cast.plan, period)
    response = client.get(reverse("progress:status"), {"period": period.pk, "division": cast.division.pk})
    assert sorted(listed(response)) == sorted(s.indicator.pk for s in statuses if s.indicator.division_id == cast.division.pk)
    response = client.get(reverse("progress:status"), {"period": period.pk, "q": "ไฟฟ้าแสงสว่าง"})
    assert listed(response) == [s.indicator.pk for s in statuses if "ไฟฟ้าแสงสว่าง" in s.indicator.name] != []
    # A code typed in Thai digits finds the code stored in Arabic ones.
    lamps = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    assert lamps.code == "1.1.03"
    assert listed(client.get(reverse("progress:status"), {"period": period.pk, "q": "๑.๑.๐๓"})) == [lamps.pk]


def test_a_division_of_another_organization_filters_nothing_and_says_so(client, cast, period):
    client.force_login(cast.planner)
    theirs = Division.objects.create(organization=cast.other_org, name="ฝ่ายของเขตอื่น")
    response = client.get(reverse("progress:status"), {"period": period.pk, "division": theirs.pk})
    assert len(listed(response)) == len(indicator_statuses(cast.plan, period))
    assert 'class="error small"' in response.content.decode()


def test_it_sorts_the_status_list_by_a_column_header(client, cast, period, road_item):
    lamps = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    report(cast, period, road_item.obj, "0.765")  # on track, 50 %
    report(cast, period, lamps, "10", verify="9")  # off track, 12.86 %
    client.force_login(cast.planner)
    html = client.get(reverse("progress:status"), {"period": period.pk}).content.decode()
    assert "?period=" in html and "sort=status" in html  # the header links sort
    worst_first = listed(client.get(reverse("progress:status"), {"period": period.pk, "sort": "status"}))
    assert worst_first[0] == lamps.pk
    by_achievement = listed(client.get(reverse("progress:status"), {"period": period.pk, "sort": "-achievement"}))
    assert by_achievement[:2] == [road_item.obj.pk, lamps.pk]


def test_the_status_export_has_exactly_the_filtered_rows_with_thai_headers(client, cast, period):
    client.force_login(cast.planner)
    params = {"plan": cast.plan.pk, "period": period.pk, "division": cast.division.pk}
    expected = [s for s in indicator_statuses(cast.plan, period) if s.indicator.division_id == cast.division.pk]
    rows = exported_csv(client.get(reverse("progress:status"), {**params, "_export": "csv"}))
    assert rows[0][:2] == ["ตัวชี้วัด", "ฝ่าย"]
    assert [r[0] for r in rows[1:]] == [f"{s.indicator.code} {s.indicator.name}".strip() for s in expected]
    response = client.get(reverse("progress:status"), {**params, "_export": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="status-2567-month-{period.number:02d}.xlsx"'
    sheet = exported_xlsx(response)
    assert sheet.max_row == len(expected) + 1


def test_an_export_writes_text_that_looks_like_a_formula_as_text(client, cast, period):
    road = Indicator.objects.filter(plan=cast.plan, division=cast.division, reporting_frequency="month").first()
    Indicator.objects.filter(pk=road.pk).update(code="", name='=HYPERLINK("http://evil.example","x")')
    client.force_login(cast.planner)
    params = {"period": period.pk, "q": "HYPERLINK"}
    rows = exported_csv(client.get(reverse("progress:status"), {**params, "_export": "csv"}))
    assert rows[1][0] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    cell = exported_xlsx(client.get(reverse("progress:status"), {**params, "_export": "xlsx"}))["A2"]
    assert cell.data_type == "s" and not str(cell.value).startswith("=")


@pytest.mark.parametrize("who, expected", [("staff", 403), ("head", 403), ("other_planner", 404), ("executive", 200)])
def test_the_status_export_is_refused_to_whoever_may_not_see_the_page(client, cast, period, who, expected):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("progress:status"), {"plan": cast.plan.pk, "period": period.pk, "_export": "xlsx"})
    assert response.status_code == expected


def _another_organization_with_a_plan():
    organization = OrganizationFactory(short_name="สนข.บางบอน", name="สำนักงานเขตบางบอน", code="50500000")
    Division.objects.create(organization=organization, name="ฝ่ายโยธา")
    return PlanFactory(organization=organization, title="แผนปฏิบัติราชการ เขตบางบอน")


def test_the_list_pages_query_counts_do_not_grow_with_rows_or_organizations(client, cast, period, road_item, clerk_of_roads,
                                                                            django_assert_num_queries):
    urls = [reverse("progress:status"), reverse("progress:completeness"), reverse("progress:review"), reverse("projects:list")]
    client.force_login(cast.planner)
    report(cast, period, road_item.obj, "1")
    projects = list(Project.objects.filter(plan=cast.plan, division=cast.division).budget_lines()[:4])
    report_steps(cast.plan, clerk_of_roads, projects[0], period.number, [], disbursed=Decimal("10"))
    before = {url: _count(client, url, {"period": period.pk}) for url in urls}
    filtered = {url: _count(client, url, {"period": period.pk, "division": cast.division.pk, "page": "2"}) for url in urls}
    for indicator in Indicator.objects.filter(plan=cast.plan, division=cast.division, reporting_frequency="month").exclude(
            pk=road_item.obj.pk)[:4]:
        report(cast, period, indicator, "2")
    for project in projects[1:]:
        report_steps(cast.plan, clerk_of_roads, project, period.number, [], disbursed=Decimal("10"))
    _another_organization_with_a_plan()
    for url in urls:
        # Each page: the session, the user and roles, the plan and periods, the lock, the
        # rows (a fixed number of queries however many), the filter form's choices.
        with django_assert_num_queries(before[url]):
            client.get(url, {"period": period.pk})
        assert _count(client, url, {"period": period.pk, "division": cast.division.pk, "page": "2"}) == filtered[url]


# -- completeness ---------------------------------------------------------------------------

def _item_links(response) -> list[tuple[str, int]]:
    html = response.content.decode()
    table = html[html.index('class="table-scroll list-table"'):]
    return [(kind, int(pk)) for kind, pk in re.findall(r'href="/(indicators|projects)/(\d+)/"', table)]


def test_the_heat_map_link_shows_exactly_that_divisions_items_of_that_month(client, cast, period, road_item):
    report(cast, period, road_item.obj, "1")
    client.force_login(cast.executive)
    response = client.get(f"/completeness/?plan={cast.plan.pk}&period={period.pk}&division={cast.other_division.pk}")
    expected = rows_for(cast.plan, period, items_for(cast.plan, period, cast.other_division))
    kinds = {"indicator": "indicators", "project": "projects"}
    assert sorted(_item_links(response)) == sorted((kinds[r.item.kind], r.item.obj.pk) for r in expected)
    assert expected and all(r.item.obj.division_id == cast.other_division.pk for r in expected)


def test_it_filters_the_completeness_items_by_state(client, cast, period, road_item):
    report(cast, period, road_item.obj, "1")  # submitted
    client.force_login(cast.planner)
    response = client.get(reverse("progress:completeness"), {"period": period.pk, "state": State.SUBMITTED})
    assert _item_links(response) == [("indicators", road_item.obj.pk)]
    rows = exported_csv(client.get(reverse("progress:completeness"), {"period": period.pk, "state": "submitted", "_export": "csv"}))
    assert len(rows) == 2 and rows[1][0] == str(road_item.obj)


def test_the_completeness_pages_keep_the_filters(client, cast):
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    client.force_login(cast.planner)
    params = {"plan": cast.plan.pk, "period": q1.pk, "state": State.NOT_STARTED}
    expected = [r for r in rows_for(cast.plan, q1, items_for(cast.plan, q1)) if r.state == State.NOT_STARTED]
    assert len(expected) > 50
    first = client.get(reverse("progress:completeness"), params)
    html = first.content.decode()
    assert len(_item_links(first)) == 50
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "state=not_started" in next_link and f"period={q1.pk}" in next_link
    second = client.get(reverse("progress:completeness") + next_link)
    assert len(_item_links(second)) == min(50, len(expected) - 50)
    assert "รายการที่ ๕๑–" in second.content.decode()


# -- review -----------------------------------------------------------------------------------

def test_it_filters_the_review_list_by_division_and_state(client, cast, period, road_item):
    report(cast, period, road_item.obj, "1")
    other = items_for(cast.plan, period, cast.other_division)[0]
    other_staff = cast.other_staff
    entry = entry_save(user=other_staff, plan=cast.plan, period=period, item=other,
                       data={"value": Decimal("1"), "narrative": "x"} if other.kind == "indicator"
                       else {"percent_complete": Decimal("10"), "narrative": "x"}, version=0)
    entry_submit(user=other_staff, entry=entry, version=entry.version)
    client.force_login(cast.planner)
    url = reverse("progress:review")
    assert len(client.get(url, {"period": period.pk}).context["rows"]) == 2
    mine = client.get(url, {"period": period.pk, "division": cast.division.pk}).context["rows"]
    assert [r.item.obj for r in mine] == [road_item.obj]
    assert client.get(url, {"period": period.pk, "state": State.APPROVED}).context["rows"] == []
    rows = exported_csv(client.get(url, {"period": period.pk, "division": cast.other_division.pk, "_export": "csv"}))
    assert [r[0] for r in rows[1:]] == [str(other.obj)]
    client.force_login(cast.executive)  # sees completeness, not the planner's review
    assert client.get(url, {"period": period.pk, "_export": "csv"}).status_code == 403


# -- projects ---------------------------------------------------------------------------------

@pytest.fixture
def clerk_of_roads(cast):
    return cast.staff


@pytest.fixture
def traffy(real_plan):
    return Project.objects.get(plan=real_plan, key="p3:1.4")


def test_the_projects_list_says_behind_schedule_as_the_s_curve_does(client, cast, traffy):
    clerk = _staff_of(cast, traffy.division)
    steps = list(traffy.work_steps.order_by("number"))
    february = Period.objects.get(fiscal_year_id=2567, kind="month", number=5)
    report_steps(cast.plan, clerk, traffy, 5, [])  # nothing done by February, 21 % planned
    curve = s_curve(traffy)
    assert steps and curve.behind_at(5) and 5 in curve.slipping
    assert not curve.behind_at(4)  # nothing reported by January: nothing to judge
    client.force_login(cast.executive)
    behind = listed(client.get(reverse("projects:list"), {"period": february.pk, "behind": "yes"}), PROJECT_LINK)
    on_time = listed(client.get(reverse("projects:list"), {"period": february.pk, "behind": "no"}), PROJECT_LINK)
    assert behind == [traffy.pk] and traffy.pk not in on_time
    january = Period.objects.get(fiscal_year_id=2567, kind="month", number=4)
    assert listed(client.get(reverse("projects:list"), {"period": january.pk, "behind": "yes"}), PROJECT_LINK) == []


def _staff_of(cast, division):
    return make_user("clerk", roles.DIVISION_STAFF, cast.org, division)


def test_staff_see_their_own_divisions_projects_only(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("projects:list"), {"_export": "csv"})
    own = Project.objects.filter(plan=cast.plan, division=cast.division).budget_lines()
    rows = exported_csv(response)
    assert len(rows) - 1 == own.count() > 0
    assert {r[1] for r in rows[1:]} == {cast.division.name}
    page = client.get(reverse("projects:list"))
    assert 'name="division"' not in page.content.decode()  # nothing to choose
    assert set(listed(page, PROJECT_LINK)) <= set(own.values_list("pk", flat=True))


def test_the_projects_list_filters_by_division_and_exports_the_budget(client, cast):
    client.force_login(cast.planner)
    response = client.get(reverse("projects:list"), {"division": cast.other_division.pk, "_export": "xlsx"})
    sheet = exported_xlsx(response)
    own = Project.objects.filter(plan=cast.plan, division=cast.other_division).budget_lines()
    assert sheet.max_row - 1 == own.count()
    assert [c.value for c in sheet[1]][:4] == ["โครงการ/กิจกรรม", "ฝ่าย", "งบประมาณจัดสรร (บาท)", "เบิกจ่าย (บาท)"]
    budgets = {str(p): p.budget or 0 for p in own}
    assert all(Decimal(str(row[2].value)) == budgets[row[0].value] for row in sheet.iter_rows(min_row=2))


@pytest.mark.parametrize("who, expected", [("staff", 200), ("head", 200), ("planner", 200), ("executive", 200),
                                           ("other_planner", 200)])
def test_projects_list_access(client, cast, who, expected):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("projects:list"))
    assert response.status_code == expected
    if who == "other_planner":  # their own organization's plan: none of ours
        ours = set(Project.objects.filter(plan=cast.plan).values_list("pk", flat=True))
        assert not set(PROJECT_LINK.findall(response.content.decode())) & {str(pk) for pk in ours}


def test_projects_list_refuses_a_user_without_a_role(client, cast):
    nobody = make_user("nobody", None, cast.org)
    client.force_login(nobody)
    assert client.get(reverse("projects:list")).status_code == 403
    client.logout()
    assert client.get(reverse("projects:list")).status_code == 302

