"""Table ค scorecard: self-assessment beside the evaluator, what-if without saving."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from indicators.scoring import rubric_levels, rubric_measures
from progress.models import Assessment
from progress.scorecard import build_scorecard
from progress.services import PermissionRefused, assessment_save, entry_save, entry_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def trees(real_plan):
    return Indicator.objects.select_related("rubric").prefetch_related("rubric__levels__conditions").get(
        plan=real_plan, kind="agreement", code="1.1.2")


def names(trees):
    found = rubric_measures(trees.rubric)
    perennial = next(n for n in found if "ไม้ยืนต้น" in n)
    planted = next(n for n in found if n != perennial)
    return planted, perennial


def test_self_and_evaluator_side_by_side_with_totals(cast, period, trees):
    planted, perennial = names(trees)
    assessment_save(user=cast.planner, indicator=trees, period=period, kind="self",
                    measures={planted: Decimal(100), perennial: Decimal(60)}, confirmed=[], comment="ประเมินตนเอง", version=0)
    assessment_save(user=cast.administrator, indicator=trees, period=period, kind="evaluator",
                    measures={planted: Decimal(100), perennial: Decimal(55)}, confirmed=[], comment="", version=0)
    card = build_scorecard(cast.plan, period)
    row = next(r for r in card.rows if r.indicator.pk == trees.pk)
    assert (row.self_assessment.level, row.self_assessment.points) == (3, Decimal(6))
    assert (row.evaluator.level, row.evaluator.points) == (2, Decimal(4))
    assert card.total_weight == Decimal(70)  # table ค weights 10+10+10+20+10+10
    assert card.self_total == Decimal(6) and card.evaluator_total == Decimal(4)


@pytest.mark.parametrize("who, kind", [("staff", "self"), ("executive", "self"), ("planner", "evaluator"), ("other_planner", "self")])
def test_who_may_assess(cast, period, trees, who, kind):
    with pytest.raises(PermissionRefused):
        assessment_save(user=getattr(cast, who), indicator=trees, period=period, kind=kind, measures={}, confirmed=[],
                        comment="", version=0)


def test_the_page_explains_the_score_and_what_if_saves_nothing(client, cast, period, trees):
    planted, perennial = names(trees)
    measure_names = rubric_measures(trees.rubric)
    client.force_login(cast.planner)
    url = reverse("progress:assessment", args=[period.pk, trees.pk])
    data = {"action": "preview", "kind": "self", "version": "0",
            f"m{measure_names.index(planted)}": "๑๐๐", f"m{measure_names.index(perennial)}": "59.99"}
    page = client.post(url, data).content.decode()
    assert "๔" in page.split('id="points"')[1][:40]  # 4 points: level 2
    assert "✗" in page and "✓" in page
    assert not Assessment.objects.exists()
    data["action"] = "save"
    data[f"m{measure_names.index(perennial)}"] = "๖๐"
    assert client.post(url, data).status_code == 302
    saved = Assessment.objects.get()
    assert (saved.level, saved.points, saved.updated_by) == (3, Decimal(6), cast.planner)


def test_bad_number_names_the_measure_and_keeps_input(client, cast, period, trees):
    client.force_login(cast.planner)
    url = reverse("progress:assessment", args=[period.pk, trees.pk])
    response = client.post(url, {"action": "save", "kind": "self", "version": "0", "m0": "เยอะมาก"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "เยอะมาก" in page and rubric_measures(trees.rubric)[0] in page
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("administrator", 200),
                                           ("staff", 403), ("head", 403), ("other_planner", 404)])
def test_scorecard_access(client, cast, period, trees, who, expected):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("progress:scorecard"), {"period": period.pk, "plan": cast.plan.pk})
    assert response.status_code == expected
    response = client.get(reverse("progress:assessment", args=[period.pk, trees.pk]))
    assert response.status_code == (404 if who == "other_planner" else expected)


def test_scorecard_query_count_does_not_grow(client, cast, period, trees, real_plan):
    client.force_login(cast.planner)
    url = reverse("progress:scorecard")
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"period": period.pk})
    agreement = Indicator.objects.filter(plan=real_plan, kind="agreement")
    for ind in agreement.select_related("rubric").prefetch_related("rubric__levels__conditions"):
        assessment_save(user=cast.planner, indicator=ind, period=period, kind="self", measures={}, confirmed=[], comment="", version=0)
    traffy_like = Indicator.objects.filter(plan=real_plan, kind="agreement", division__isnull=False).first()
    from progress.services import Item

    if traffy_like and traffy_like.division_id == cast.division.pk:
        entry = entry_save(user=cast.staff, plan=real_plan, period=period, item=Item("indicator", traffy_like),
                           data={"value": Decimal(1), "narrative": "x"}, version=0)
        entry_submit(user=cast.staff, entry=entry, version=entry.version)
    with CaptureQueriesContext(connection) as after:
        client.get(url, {"period": period.pk})
    assert len(after) == len(before)


def test_rubric_levels_adapter_matches_the_document(trees):
    levels = {lv.level: lv for lv in rubric_levels(trees.rubric)}
    assert levels[3].points == Decimal(6) and len(levels[3].conditions) == 2


def test_a_checklist_condition_needs_evidence(cast, period, trees):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from plans.models import Division
    from progress.services import Item, WorkflowError, evidence_add
    from tests.factories import make_user

    keys = [c.key for lv in rubric_levels(trees.rubric) for c in lv.conditions if c.kind == "checklist"]
    assert keys
    with pytest.raises(WorkflowError, match="evidence"):
        assessment_save(user=cast.planner, indicator=trees, period=period, kind="self", measures={}, confirmed=keys,
                        comment="", version=0)
    division = trees.division or Division.objects.get(organization=cast.org, name="ฝ่ายรักษาความสะอาดและสวนสาธารณะ")
    if trees.division is None:
        trees.division = division
        trees.save()
    gardener = make_user("gardener", "division_staff", cast.org, division)
    entry = entry_save(user=gardener, plan=cast.plan, period=period, item=Item("indicator", trees),
                       data={"value": Decimal(50), "narrative": "ปลูกแล้ว"}, version=0)
    evidence_add(user=gardener, entry=entry, upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 report"))
    saved = assessment_save(user=cast.planner, indicator=trees, period=period, kind="self", measures={}, confirmed=keys,
                            comment="", version=0)
    assert saved.confirmed == sorted(keys)
