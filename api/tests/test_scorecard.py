from decimal import Decimal

import pytest

from indicators.models import Indicator
from indicators.scoring import rubric_measures
from progress.scorecard import build_scorecard
from progress.services import assessment_save

pytestmark = pytest.mark.django_db


def test_scorecard_api_agrees_with_the_page_assembly(client, cast, period):
    trees = Indicator.objects.select_related("rubric").prefetch_related("rubric__levels__conditions").get(
        plan=cast.plan, kind="agreement", code="1.1.2")
    names = rubric_measures(trees.rubric)
    assessment_save(user=cast.planner, indicator=trees, period=period, kind="self",
                    measures={n: Decimal(100) for n in names}, confirmed=[], comment="", version=0)
    client.force_login(cast.executive)
    data = client.get("/api/scorecard/", {"plan": cast.plan.pk, "period": period.pk}).json()
    card = build_scorecard(cast.plan, period)
    assert Decimal(data["total_weight"]) == card.total_weight == Decimal(70)
    assert Decimal(data["self_total"]) == card.self_total == Decimal(8)
    row = next(r for r in data["rows"] if r["code"] == "1.1.2")
    assert row["self_assessment"]["level"] == 4 and row["evaluator"] is None


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("staff", 403), ("head", 403),
                                           ("other_planner", 404)])
def test_scorecard_api_access(client, cast, period, who, expected):
    client.force_login(getattr(cast, who))
    assert client.get("/api/scorecard/", {"plan": cast.plan.pk, "period": period.pk}).status_code == expected


def test_scorecard_api_refuses_anonymous(client, cast, period):
    assert client.get("/api/scorecard/", {"plan": cast.plan.pk, "period": period.pk}).status_code in (401, 403)
