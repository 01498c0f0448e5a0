"""The executive dashboard (issue 13 item 2, first part): every figure is the domain
function's answer for the same data, every figure links down, and it costs the same
number of queries however many reports there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpiplan.lib.thai import to_thai_digits
from plans.models import Period
from progress.budget import budget_totals
from progress.demo import add_demo_quarter
from progress.models import ProgressEntry
from progress.status import indicator_statuses, status_counts

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
            assert f'{reverse("progress:status")}{q}#node-{area.node.pk}"' in html
    for line in response.context["curves"]:
        assert f'href="{reverse("projects:detail", args=[line.project.pk])}"' in html


def test_an_area_link_lands_on_its_section_of_the_status_page(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    status_page = client.get(reverse("progress:status"), {"plan": cast.plan.pk, "period": quarter(1).pk}).content.decode()
    anchored = [a for a in response.context["areas"] if a.node is not None and f'id="node-{a.node.pk}"' in status_page]
    assert anchored  # the development areas are sections of the status page


@pytest.mark.parametrize(("who", "expected"), [("executive", 200), ("planner", 200), ("staff", 403), ("head", 403),
                                               ("other_planner", 404)])
def test_who_may_open_it(client, cast, who, expected):
    assert get(client, cast, month(3), who).status_code == expected


def test_query_count_does_not_grow_with_reports(client, cast):
    # (The three largest projects' S-curves read their reports: a fixed few queries once
    # any report exists, so both counts are taken with reports in place.)
    add_demo_quarter(cast.plan, 1)
    get(client, cast, quarter(1))  # logged in; the user's roles cached
    url = reverse("reports:dashboard")
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, {"plan": cast.plan.pk, "period": quarter(1).pk}).status_code == 200
    add_demo_quarter(cast.plan, 2)  # twice the reports
    with CaptureQueriesContext(connection) as after:
        assert client.get(url, {"plan": cast.plan.pk, "period": quarter(2).pk}).status_code == 200
    assert len(after) == len(before), [q["sql"][:120] for q in after.captured_queries]


def test_budget_figure_in_thai_digits(client, cast):
    add_demo_quarter(cast.plan, 1)
    response = get(client, cast, quarter(1))
    percent = response.context["budget"].execution.percent
    from kpiplan.lib.thai import format_number

    execution = response.context["budget"].execution
    page = text(response)
    assert f"{format_number(percent, thai=True)}%" in page
    assert format_number(execution.disbursed, thai=True) in page and format_number(execution.allocated, thai=True) in page
