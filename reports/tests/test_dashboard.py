"""The executive dashboard (issue 13 item 2, first part): every figure is the domain
function's answer for the same data, every figure links down, and it costs the same
number of queries however many reports there are."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import roles
from kpiplan.lib.thai import format_number, to_thai_digits
from plans.models import Period, StrategyNode
from progress.budget import budget_totals, planned_share, s_curve, s_curves
from progress.demo import add_demo_quarter
from progress.models import ProgressEntry
from progress.selectors import completeness
from progress.services import Item, entry_save, entry_submit
from progress.status import indicator_statuses, rolled_up, status_counts
from projects.models import Project
from tests.factories import DivisionFactory, IndicatorFactory, ProjectFactory, make_user

pytestmark = pytest.mark.django_db


def quarter(number=1):
    return Period.objects.get(fiscal_year_id=2567, kind="quarter", number=number)


def month(number):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=number)


def get(client, cast, period, who="executive"):
    client.force_login(getattr(cast, who))
    return client.get(reverse("reports:dashboard"), {"plan": cast.plan.pk, "period": period.pk})


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_every_headline_figure_is_the_domain_functions_answer(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    assert response.status_code == 200
    context = response.context
    # Q1 is judged at its end: December's statuses.
    statuses = indicator_statuses(cast.plan, month(3))
    counts = status_counts(statuses)
    assert context["status_counts"] == counts
    assert context["indicator_count"] == len(statuses)
    assert context["reported_count"] == len(statuses) - counts["not_reported"]
    assert context["budget"].execution == budget_totals(cast.plan, 3).plan.execution
    expected = {s.indicator.pk for s in statuses if s.status.value in ("off_track", "not_reported")}
    assert {row.status.indicator.pk for row in context["attention_rows"]} == expected
    assert context["attention_count"] == len(expected)
    page = text(response)
    reported = f"{to_thai_digits(context['reported_count'])}/{to_thai_digits(len(statuses))}"
    assert reported in page
    assert f"({to_thai_digits(len(expected))} รายการ)" in page
    # Each development area adds up to the indicators placed in it.
    assert sum(area.total for area in context["areas"]) == len(statuses)


def test_the_off_track_list_carries_the_divisions_own_words_and_links_to_the_indicator(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    rows = [r for r in response.context["attention_rows"] if r.entry is not None]
    assert rows, "the demo quarter has off-track items with reports"
    row = rows[0]
    latest = (ProgressEntry.objects.filter(indicator=row.status.indicator, period__kind="month", period__number__lte=3)
              .official().order_by("-period__number").first())
    assert row.entry == latest
    html = response.content.decode()
    link = reverse("progress:indicator", args=[row.status.indicator.pk])
    assert f'href="{link}#period-{latest.period.pk}"' in html
    assert latest.narrative in html
    # ... and the executive may open the indicator's page and read the narrative there.
    page = client.get(link)
    assert page.status_code == 200 and latest.narrative in page.content.decode()


def test_figures_link_down_to_the_pages_that_explain_them(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    html = response.content.decode()
    q = f"?plan={cast.plan.pk}&period={quarter(1).pk}"
    assert f'href="{reverse("progress:status")}{q}"' in html
    assert f'href="{reverse("projects:budget")}{q}"' in html
    for area in response.context["areas"]:
        if area.node is not None:
            assert f'href="{reverse("progress:status")}{q}&area={area.node.pk}"' in html
    for line in response.context["curves"]:
        assert f'href="{reverse("projects:detail", args=[line.project.pk])}"' in html


def test_an_area_link_opens_the_status_page_of_the_area(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    area = next(a for a in response.context["areas"] if a.node is not None)
    page = client.get(reverse("progress:status"), {"plan": cast.plan.pk, "period": quarter(1).pk, "area": area.node.pk})
    assert page.status_code == 200


@pytest.mark.parametrize(("who", "expected"), [("executive", 200), ("planner", 200), ("staff", 403), ("head", 403),
                                               ("other_planner", 404)])
def test_who_may_open_it(client, cast, who, expected):
    assert get(client, cast, month(3), who).status_code == expected


def test_query_count_does_not_grow_with_reports_months_or_organizations(client, cast):
    # (The three largest projects' S-curves read their reports: a fixed few queries once
    # any report exists, so both counts are taken with reports in place.)
    add_demo_quarter(cast.plan, 1)
    get(client, cast, month(1))  # logged in; the user's roles cached
    url = reverse("reports:dashboard")
    cache.clear()  # each request below builds the dashboard (none is served from the cache)
    with CaptureQueriesContext(connection) as one_month:  # one month in the trend and the heat map
        assert client.get(url, {"plan": cast.plan.pk, "period": month(1).pk}).status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, {"plan": cast.plan.pk, "period": quarter(1).pk}).status_code == 200
    for n in range(3):  # more divisions, each with an indicator and a budget line of its own
        division = DivisionFactory(organization=cast.org, order=100 + n)
        IndicatorFactory(plan=cast.plan, division=division, order=1000 + n)
        ProjectFactory(plan=cast.plan, division=division, budget=Decimal(100_000), order=1000 + n)
    other = DivisionFactory(organization=cast.other_org)  # another organization, its plan and reports
    IndicatorFactory(plan=cast.other_plan, division=other)
    add_demo_quarter(cast.other_plan, 1)
    add_demo_quarter(cast.plan, 2)  # twice the reports, the new divisions' too
    cache.clear()
    with CaptureQueriesContext(connection) as after:  # six months
        assert client.get(url, {"plan": cast.plan.pk, "period": quarter(2).pk}).status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as year:  # twelve months
        assert client.get(url, {"plan": cast.plan.pk, "period": month(12).pk}).status_code == 200
    assert len(one_month) == len(before) == len(after) == len(year), [q["sql"][:120] for q in after.captured_queries]


def test_budget_figure_in_thai_digits(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    percent = response.context["budget"].execution.percent
    from kpiplan.lib.thai import format_number

    execution = response.context["budget"].execution
    page = text(response)
    assert f"{format_number(percent, thai=True)}%" in page
    assert format_number(execution.disbursed, thai=True) in page and format_number(execution.allocated, thai=True) in page


# -- the year to date: trend, budget by month, heat map, objectives ------------------------

def test_each_month_of_the_trend_is_the_status_pages_answer_for_that_month(client, cast):
    add_demo_quarter(cast.plan, 1)
    add_demo_quarter(cast.plan, 2)
    response = get(client, cast, quarter(2))
    trend = response.context["trend"]
    assert [t.month.number for t in trend] == [1, 2, 3, 4, 5, 6]  # October to the quarter's end
    for t in trend:
        assert t.counts == status_counts(indicator_statuses(cast.plan, month(t.month.number)))
    assert trend[-1].counts == response.context["status_counts"] | {"no_target": trend[-1].counts["no_target"]}
    html = response.content.decode()
    assert 'class="status-columns"' in html and "<title>" in html and 'role="img"' in html
    # The numbers are in the table under the chart, in Thai digits, each month linked to its status page.
    table = html[html.index('id="trend-table"'):]
    first = trend[0]
    row = re.sub(r"<[^>]+>", " ", table[:table.index("</tr>", table.index("<tbody>"))])
    assert " ".join(to_thai_digits(n) for n in first.values) in re.sub(r"\s+", " ", row)
    assert f'href="{reverse("progress:status")}?plan={cast.plan.pk}&period={first.month.pk}"' in html


def test_each_month_of_the_budget_is_the_budget_pages_answer_and_the_plan_ends_at_the_allocation(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, month(12))
    trend = response.context["trend"]
    for t in trend:
        assert t.budget.execution == budget_totals(cast.plan, t.month.number).plan.execution
    assert trend[-1].budget.planned == trend[-1].budget.execution.allocated  # the whole budget is planned by September
    assert trend[-1].budget.planned_percent == Decimal(100)
    # The planned figure of a month: each budget line's budget times its planned share.
    assert 0 < trend[2].budget.planned < trend[3].budget.planned
    traffy = Project.objects.get(plan=cast.plan, key="p3:1.4")
    curve = s_curve(traffy)
    assert planned_share(curve, 6) == curve.planned[5] / curve.weights_total  # along its work steps
    other = Project.objects.filter(plan=cast.plan, work_steps__isnull=True).budget_lines().first()
    assert planned_share(s_curve(other), 3) == Decimal("0.25")  # an even pace without steps
    page = text(response)
    now = response.context["budget_now"]
    assert now.execution == response.context["budget"].execution
    assert (f"เบิกจ่าย {format_number(now.execution.percent, thai=True)}% · "
            f"ตามแผน {format_number(now.planned_percent, thai=True)}%") in page
    assert format_number(trend[0].budget.execution.disbursed, thai=True) in page
    assert format_number(trend[0].budget.planned, thai=True) in page


def test_the_projects_behind_schedule_are_those_whose_s_curve_slips(client, cast):
    traffy = Project.objects.get(plan=cast.plan, key="p3:1.4")
    clerk = make_user("clerk", roles.DIVISION_STAFF, cast.org, traffy.division)
    steps = {s.number: s for s in traffy.work_steps.all()}
    entry = entry_save(user=clerk, plan=cast.plan, period=month(6), item=Item("project", traffy), steps_done=[steps[5], steps[6]],
                       data={"percent_complete": Decimal("10"), "narrative": "ล่าช้า"}, version=0)
    entry_submit(user=clerk, entry=entry, version=entry.version)  # 14 done against 35 planned in March
    response = get(client, cast, quarter(2))
    behind = response.context["behind"]
    expected = [p for p in Project.objects.filter(plan=cast.plan).budget_lines().order_by("section", "order")
                if s_curve(p).behind_at(6)]
    assert [b.project for b in behind] == expected and traffy in expected
    lines = list(Project.objects.filter(plan=cast.plan).budget_lines())
    curves = s_curves(cast.plan, lines)  # the dashboard's curves, read in bulk, are the project pages' own
    assert all(curves[p.pk] == s_curve(p) for p in lines)
    html = response.content.decode()
    assert 'href="#behind"' in html and 'id="behind"' in html
    assert f'href="{reverse("projects:detail", args=[traffy.pk])}"' in html
    assert re.search(r'id="card-behind">\s*<span class="dash-figure">' + to_thai_digits(len(expected)), html)
    # Judged at the period's end: in the quarter before the report it was not behind.
    assert traffy not in [b.project for b in get(client, cast, quarter(1)).context["behind"]]


def test_each_heat_map_cell_is_the_completeness_pages_answer_and_links_to_it(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(2))
    rows = response.context["heat_rows"]
    html = response.content.decode()
    url = reverse("progress:completeness")
    assert [c.month.number for c in rows[0].cells] == [1, 2, 3, 4, 5, 6]
    for n in (1, 3, 5):
        expected = {s.division.pk: s for s in completeness(cast.plan, month(n))}
        shown = {row.division.pk: row.cells[n - 1].summary for row in rows if row.cells[n - 1].summary}
        assert set(shown) == set(expected)
        for pk, s in expected.items():
            assert (shown[pk].submitted, shown[pk].due) == (s.submitted, s.due)
            assert f'href="{url}?plan={cast.plan.pk}&period={month(n).pk}&division={pk}"' in html
    cell = next(c for row in rows for c in row.cells if c.summary and 0 < c.summary.submitted < c.summary.due)
    assert cell.percent == round(cell.summary.submitted * 100 / cell.summary.due)
    assert f"{to_thai_digits(cell.summary.submitted)}/{to_thai_digits(cell.summary.due)}" in html  # text, not colour alone


def test_status_by_objective_is_the_status_pages_roll_up_and_links_to_it(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    statuses = indicator_statuses(cast.plan, month(3))
    nodes, _overall = rolled_up(cast.plan, statuses)
    by_node = {n.node.pk: n for n in nodes}
    lines = [line for line in response.context["objectives"] if line.node is not None]
    assert lines and all(line.node.level == StrategyNode.Level.OBJECTIVE for line in lines)
    for line in lines:
        assert line.counts == by_node[line.node.pk].counts
    assert sum(line.total for line in response.context["objectives"]) == len(statuses)
    html = response.content.decode()
    q = f"?plan={cast.plan.pk}&period={quarter(1).pk}"
    for line in lines:
        assert f'href="{reverse("progress:status")}{q}&area={line.node.pk}"' in html


def test_the_month_charts_write_their_numbers_in_thai_digits_and_are_named_for_screen_readers(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    trend = response.context["trend"]
    chart = str(response.context["trend_chart"])
    assert chart.startswith("<svg") and 'role="img"' in chart and "<title>" in chart and "viewBox" in chart
    drawn = re.findall(r">([๐-๙]+)</text>", chart)
    for t in trend:  # each column's total above it, and its month below
        assert to_thai_digits(sum(t.counts.values())) in drawn
        assert f">{t.label}</text>" in chart
    budget = str(response.context["budget_chart"])
    assert 'role="img"' in budget and "<title>" in budget
    for t in trend:
        assert f">{format_number(t.budget.execution.percent, places=0, thai=True)}%</text>" in budget


def test_a_second_look_is_served_from_the_cache_until_a_report_changes(client, cast, road_item):
    add_demo_quarter(cast.plan, 1)
    december = month(3)
    first = get(client, cast, december)
    with CaptureQueriesContext(connection) as again:
        second = client.get(reverse("reports:dashboard"), {"plan": cast.plan.pk, "period": december.pk})
    # session, user, roles, profile, organization, the plan, the period, its year's periods, the data version
    assert len(again) <= 9, "\n".join(q["sql"][:150] for q in again.captured_queries)
    assert second.context["body"] == first.context["body"]  # (the page around it carries a fresh CSRF token)
    reported = first.context["reported_count"]
    for entry in ProgressEntry.objects.filter(indicator=road_item.obj):
        entry.delete()  # reports withdrawn (by whatever path) show at once
    third = get(client, cast, december)
    assert third.context["reported_count"] == reported - 1


def test_the_attention_list_shows_the_ten_most_behind_and_links_to_all_of_them(client, cast):
    # September with only the first quarter reported: most indicators are behind or missing
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, month(12))
    context = response.context
    assert context["attention_count"] > 10
    section = response.content.decode().split('id="attention"')[1].split("</section>")[0]
    shown = re.findall(r'class="indicator-link" href="([^"#]+)', section)
    assert shown == [reverse("progress:indicator", args=[row.status.indicator.pk]) for row in context["attention_rows"][:10]]
    counts = context["status_counts"]
    for status in ("off_track", "not_reported"):
        link = re.search(rf'href="([^"]+status={status})"', section).group(1).replace("&amp;", "&")
        listed = client.get(link).context["table"]
        assert listed.paginator.count == counts[status], status
        assert {row.record.status.status.value for row in listed.paginated_rows} == {status}
