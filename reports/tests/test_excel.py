from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import Period
from progress.scorecard import build_scorecard
from reports.builders import quarterly_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter(real_plan):
    return Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)


def test_scorecard_workbook_carries_the_builders_numbers(client, cast, quarter):
    client.force_login(cast.planner)
    response = client.get(reverse("reports:scorecard-xlsx"), {"plan": cast.plan.pk, "period": quarter.pk})
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content))["ตาราง ค"]
    rows = list(ws.iter_rows(values_only=True))
    card = build_scorecard(cast.plan, quarter)
    assert [r[0] for r in rows[1:-1]] == [r.indicator.code for r in card.rows]
    assert rows[-1][1] == "รวม" and Decimal(str(rows[-1][5])) == card.total_weight == Decimal(70)


def test_quarterly_workbook_has_division_subtotals(client, cast, quarter):
    client.force_login(cast.executive)
    response = client.get(reverse("reports:quarterly-xlsx"), {"plan": cast.plan.pk, "period": quarter.pk})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content))["โครงการ"].iter_rows(values_only=True))
    subtotal = next(r for r in rows if r[1] == "รวมฝ่ายโยธา")
    report = quarterly_progress(cast.plan, 1)
    roads = next(s for s in report["sections"] if s.division == cast.division)
    assert Decimal(str(subtotal[2])) == roads.allocated == Decimal("33937500")


@pytest.mark.parametrize("who, expected", [("staff", 403), ("other_planner", 404)])
def test_workbook_access(client, cast, quarter, who, expected):
    client.force_login(getattr(cast, who))
    for name in ("reports:scorecard-xlsx", "reports:quarterly-xlsx"):
        assert client.get(reverse(name), {"plan": cast.plan.pk, "period": quarter.pk}).status_code == expected
