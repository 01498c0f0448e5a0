"""List endpoints run a fixed number of queries, however many rows a page holds."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator, Rubric, RubricCondition
from plans.models import Period
from progress import selectors
from progress.services import entry_save, entry_submit, evidence_add
from tests.factories import PlanFactory, RubricFactory, RubricLevelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_reports(cast):
    """Every item ฝ่ายโยธา reports for December, submitted, each with evidence and
    (for projects) work steps done: more rows than the small page holds."""
    period = Period.objects.get(fiscal_year_id=2567, kind="month", number=3)
    items = selectors.items_for(cast.plan, period, cast.division)
    for item in items:
        data = {"narrative": "ดำเนินการ"}
        data.update({"value": Decimal("1")} if item.kind == "indicator" else {"percent_complete": Decimal("50")})
        steps = list(item.obj.work_steps.all()) if item.kind == "project" else None
        entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item, data=data, steps_done=steps, version=0)
        evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"))
        evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4", content_type="application/pdf"))
        entry_submit(user=cast.staff, entry=entry, version=entry.version)
    assert len(items) > 5
    return items


@pytest.fixture
def rubric_on_the_first_page(cast):
    """Django runs no query for a nested prefetch when a page has no rubric at all; the
    real plan's first indicators have none, so give the first one a rubric with a level
    and a condition: both pages then exercise every prefetch."""
    first = Indicator.objects.filter(plan=cast.plan).order_by("order", "id").first()
    if not Rubric.objects.filter(indicator=first).exists():
        level = RubricLevelFactory(rubric=RubricFactory(indicator=first), level=5, threshold_text="100%", points=10)
        RubricCondition.objects.create(level=level, kind="checklist", text="ทำครบ")
    return first


@pytest.fixture
def many_plans(cast):
    return [PlanFactory(title=f"แผน {n}") for n in range(6)]


def count_queries(client, url, limit):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"limit": limit})
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize(
    "url, who",
    [
        ("/api/plans/", "administrator"),
        ("/api/indicators/", "planner"),
        ("/api/projects/", "planner"),
        ("/api/progress/", "planner"),
        ("/api/progress/", "staff"),
        ("/api/progress/", "administrator"),
    ],
)
def test_list_queries_do_not_grow_with_rows(client, cast, many_reports, many_plans, rubric_on_the_first_page, url, who):
    client.force_login(getattr(cast, who))
    small, small_rows = count_queries(client, url, 5)
    large, large_rows = count_queries(client, url, 100)
    assert small_rows == 5 and large_rows > 5
    assert small == large, f"{url}: {small} queries for 5 rows, {large} for {large_rows}"


def test_a_page_without_rubrics_needs_no_more_queries(client, cast):
    client.force_login(cast.planner)
    small, _rows = count_queries(client, "/api/indicators/", 5)
    large, _rows = count_queries(client, "/api/indicators/", 100)
    assert small <= large <= small + 2  # only the rubric levels' and conditions' prefetches are skipped
