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
from progress.services import Item, PermissionRefused, assessment_save, entry_save, entry_submit

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


# -- a quarter's and the year's result from the months reported in it ---------------------

def _period(kind, number):
    from plans.models import Period

    return Period.objects.get(fiscal_year_id=2567, kind=kind, number=number)


def _report(cast, indicator, month, value, *, cumulative=True, submit=True):
    """What ฝ่ายโยธา's staff types for one fiscal month, through the services."""
    entry = entry_save(user=cast.staff, plan=cast.plan, period=_period("month", month), item=Item("indicator", indicator),
                       data={"value": Decimal(value), "value_is_cumulative": cumulative, "narrative": "ดำเนินการตามแผน"},
                       version=0)
    if submit:
        entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    return entry


@pytest.fixture
def roads_agreement(cast):
    """Table ค indicators reported by ฝ่ายโยธา: 1.1.1 ถนนสวย, 1.1.3 ท่อระบายน้ำ, 1.3.1 ไฟฟ้าส่องสว่าง."""
    found = {i.code: i for i in Indicator.objects.filter(plan=cast.plan, kind="agreement", division=cast.division)}
    assert {"1.1.1", "1.1.3", "1.3.1"} <= set(found)
    assert all(i.reporting_frequency == "month" for i in found.values())
    return found


@pytest.fixture
def first_quarter_reports(cast, roads_agreement):
    # 1.1.1 reported as the total to date: the quarter's result is December's.
    for month, km in [(1, "0.5"), (2, "0.9"), (3, "1.2")]:
        _report(cast, roads_agreement["1.1.1"], month, km)
    # 1.1.3 reported month by month: the quarter's result is the three months' sum.
    for month, done in [(1, 10), (2, 15), (3, 20)]:
        _report(cast, roads_agreement["1.1.3"], month, done, cumulative=False)
    # 1.3.1: December is still a draft, so the quarter stops at November.
    _report(cast, roads_agreement["1.3.1"], 1, 10)
    _report(cast, roads_agreement["1.3.1"], 2, 20)
    _report(cast, roads_agreement["1.3.1"], 3, 30, submit=False)
    return roads_agreement


def _rows(card):
    return {r.indicator.code: r for r in card.rows}


def test_a_quarter_shows_each_indicators_result_of_its_months(cast, first_quarter_reports):
    rows = _rows(build_scorecard(cast.plan, _period("quarter", 1)))
    assert rows["1.1.1"].result == Decimal("1.2")  # December's total to date
    assert rows["1.1.3"].result == Decimal(45)  # 10 + 15 + 20
    assert rows["1.3.1"].result == Decimal(20)  # December's draft does not count
    assert rows["1.3.1"].result_until == _period("month", 2) and rows["1.1.1"].result_until is None
    assert rows["1.1.2"].result is None  # nobody reported the trees
    assert rows["1.1.1"].entry_state == "Submitted to the head"


def test_the_year_and_a_month_follow_the_same_rule(cast, first_quarter_reports):
    year = _rows(build_scorecard(cast.plan, _period("year", 1)))
    assert (year["1.1.1"].result, year["1.1.3"].result) == (Decimal("1.2"), Decimal(45))
    december = _rows(build_scorecard(cast.plan, _period("month", 3)))
    assert december["1.1.1"].result == Decimal("1.2") and december["1.1.3"].result == Decimal(20)
    assert december["1.3.1"].result is None  # only a draft in December
    assert all(r.result is None for r in build_scorecard(cast.plan, _period("quarter", 2)).rows)


def test_the_verified_result_counts(cast, first_quarter_reports):
    from progress.models import ProgressEntry
    from progress.services import entry_endorse, entry_verify

    december = ProgressEntry.objects.get(indicator=first_quarter_reports["1.1.1"], period=_period("month", 3))
    december = entry_endorse(user=cast.head, entry=december, version=december.version)
    entry_verify(user=cast.planner, entry=december, verified_value=Decimal("1.1"), comment="ตรวจสอบภาพถ่ายแล้ว",
                 version=december.version)
    row = _rows(build_scorecard(cast.plan, _period("quarter", 1)))["1.1.1"]
    assert row.result == Decimal("1.1") and row.entry_state == "Approved"


def test_totals_are_not_a_score_of_zero_until_something_is_assessed(cast, trees):
    quarter = _period("quarter", 1)
    card = build_scorecard(cast.plan, quarter)
    assert card.self_total is None and card.evaluator_total is None
    assessment_save(user=cast.planner, indicator=trees, period=quarter, kind="self", measures={}, confirmed=[],
                    comment="", version=0)
    card = build_scorecard(cast.plan, quarter)
    assert card.self_total == Decimal(0) and card.self_partial  # assessed at level 0: a real 0, one of six
    assert card.evaluator_total is None


def test_the_page_says_not_assessed_and_shows_the_quarters_results(client, cast, first_quarter_reports, trees):
    quarter = _period("quarter", 1)
    planted, perennial = names(trees)
    assessment_save(user=cast.planner, indicator=trees, period=quarter, kind="self",
                    measures={planted: Decimal(100), perennial: Decimal(60)}, confirmed=[], comment="", version=0)
    client.force_login(cast.planner)
    page = client.get(reverse("progress:scorecard"), {"period": quarter.pk}).content.decode()
    row = page.split(f'id="indicator-{first_quarter_reports["1.1.3"].pk}"')[1].split("</tr>")[0]
    assert "๔๕" in row and "ยังไม่ประเมิน" in row
    trees_row = page.split(f'id="indicator-{trees.pk}"')[1].split("</tr>")[0]
    assert "ระดับ ๓" in trees_row and "๖ คะแนน" in trees_row and "ยังไม่รายงาน" in trees_row
    november = page.split(f'id="indicator-{first_quarter_reports["1.3.1"].pk}"')[1].split("</tr>")[0]
    assert "ถึง พฤศจิกายน ๒๕๖๖" in november
    self_total = page.split('id="self-total">')[1].split("</th>")[0]
    evaluator_total = page.split('id="evaluator-total">')[1].split("</th>")[0]
    assert "๖ คะแนน" in self_total and "ประเมินแล้ว ๑ จาก ๖ ตัวชี้วัด" in self_total
    assert "ยังไม่ประเมิน" in evaluator_total
    assert "๐ / ๐" not in page and "0 / 0" not in page


def test_quarter_scorecard_query_count_does_not_grow(client, cast, roads_agreement):
    client.force_login(cast.planner)
    url, quarter = reverse("progress:scorecard"), _period("quarter", 1)
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"period": quarter.pk})
    for ind in roads_agreement.values():
        for month in (1, 2, 3):
            _report(cast, ind, month, month)
        assessment_save(user=cast.planner, indicator=ind, period=quarter, kind="self", measures={}, confirmed=[],
                        comment="", version=0)
    with CaptureQueriesContext(connection) as after:
        client.get(url, {"period": quarter.pk})
    assert len(after) == len(before)
