"""The API's numbers are the plan's numbers, and computed ones come from the domain functions."""

from decimal import Decimal

import pytest

from accounts import roles
from indicators import calculations as ic
from indicators.models import Indicator
from plans.models import Division, Period
from progress.services import Item, entry_endorse, entry_save, entry_submit, entry_verify
from projects import calculations as pc
from projects.models import Project
from tests.factories import make_user, one_pixel_png

pytestmark = pytest.mark.django_db


def month(n):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=n)


@pytest.fixture
def traffy(real_plan):
    return Project.objects.get(plan=real_plan, key="p3:1.4")


@pytest.fixture
def clerk(cast):
    """Staff of ฝ่ายปกครอง, which reports the Traffy Fondue project."""
    return make_user("clerk", roles.DIVISION_STAFF, cast.org, Division.objects.get(organization=cast.org, name="ฝ่ายปกครอง"))


@pytest.fixture
def road(real_plan):
    return Indicator.objects.get(plan=real_plan, key="okr:1.4.06")


def results(client, url, **params):
    response = client.get(url, {"limit": 1000, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


# -- plan data ------------------------------------------------------------------------------

def test_plans_list_the_organization_and_year(client, cast):
    client.force_login(cast.planner)
    [plan] = results(client, "/api/plans/")
    assert plan == {
        "id": cast.plan.pk,
        "organization": {"id": cast.org.pk, "short_name": "สนข.ภาษีเจริญ", "name": cast.org.name, "code": cast.org.code},
        "fiscal_year": 2567,
        "title": cast.plan.title,
    }


def test_part_1_budgets_add_up_to_the_printed_total(client, cast):
    client.force_login(cast.executive)
    rows = results(client, "/api/projects/", section=1, plan=cast.plan.pk)
    assert rows and all(r["section"] == 1 for r in rows)
    assert sum(Decimal(r["budget"]) for r in rows if r["budget"] is not None) == Decimal("2694800")
    assert all(isinstance(r["budget"], str) or r["budget"] is None for r in rows)


def test_projects_carry_policies_indicators_division_and_parent(client, cast, real_plan):
    client.force_login(cast.staff)
    trees = Project.objects.get(plan=real_plan, key="p2:4.1")
    row = client.get(f"/api/projects/{trees.pk}/").json()
    assert row["policies"] == ["P049"]
    assert Indicator.objects.get(plan=real_plan, key="okr:4.1.01").pk in row["indicators"]
    assert row["indicators"] == list(trees.indicator_links.order_by("id").values_list("indicator_id", flat=True))
    assert row["budget"] is None and row["budget_text"] == trees.budget_text
    assert row["division"] == ({"id": trees.division_id, "name": trees.division.name} if trees.division_id else None)
    child = Project.objects.filter(plan=real_plan, parent__isnull=False).first()
    if child is not None:
        assert client.get(f"/api/projects/{child.pk}/").json()["parent"] == child.parent_id


def test_projects_filter_by_section_and_division(client, cast, real_plan):
    client.force_login(cast.staff)
    rows = results(client, "/api/projects/", division=cast.division.pk)
    assert {r["id"] for r in rows} == set(Project.objects.filter(plan=real_plan, division=cast.division).values_list("pk", flat=True))
    assert client.get("/api/projects/", {"section": 7}).status_code == 400
    assert client.get("/api/projects/", {"plan": "x"}).status_code == 400


def test_indicator_targets_keep_each_agencys_share(client, cast, real_plan):
    client.force_login(cast.staff)
    trees = Indicator.objects.get(plan=real_plan, key="okr:4.1.01")
    rows = results(client, "/api/indicators/", plan=real_plan.pk, kind="okr")
    assert all(r["kind"] == "okr" for r in rows)
    [row] = [r for r in rows if r["id"] == trees.pk]
    assert row["code"] == "4.1.01" and row["unit"] == "ต้น" and row["cumulative"] is True
    shares = {(t["agency"], Decimal(t["value"])) for t in row["targets"]}
    assert ("สนข.", Decimal("150000")) in shares
    assert shares == {(None, Decimal("200000")), ("สสล.", Decimal("50000")), ("สนข.", Decimal("150000"))}
    assert row["targets"][0]["value"] == "200000.0000"


def test_indicator_rubrics_and_baselines(client, cast, real_plan):
    client.force_login(cast.planner)
    rows = results(client, "/api/indicators/", plan=real_plan.pk)
    with_rubric = [r for r in rows if r["rubric"] is not None]
    assert len(with_rubric) == Indicator.objects.filter(plan=real_plan, rubric__isnull=False).count() > 0
    for row in with_rubric:
        indicator = Indicator.objects.get(pk=row["id"])
        levels = list(indicator.rubric.levels.order_by("-level"))
        assert [lv["level"] for lv in row["rubric"]["levels"]] == [lv.level for lv in levels]
        for data, level in zip(row["rubric"]["levels"], levels, strict=True):
            assert data["threshold_text"] == level.threshold_text
            assert [c["text"] for c in data["conditions"]] == [c.text for c in level.conditions.order_by("order", "id")]
    assert all(r["rubric"] is None for r in rows if r not in with_rubric)
    with_baselines = [r for r in rows if r["baselines"]]
    for row in with_baselines:
        stored = list(Indicator.objects.get(pk=row["id"]).baselines.all())
        assert [(b["year"], b["text"]) for b in row["baselines"]] == [(b.year, b.text) for b in stored]


# -- S-curve --------------------------------------------------------------------------------

def test_the_traffy_fondue_s_curve_is_the_plan_of_its_surviving_steps(client, cast, traffy):
    client.force_login(cast.planner)
    data = client.get(f"/api/projects/{traffy.pk}/s-curve/").json()
    assert [m["month"] for m in data["months"]] == list(range(1, 13))
    assert data["months"][-1]["planned"] == "49.00"
    steps = [pc.Step(s.weight or Decimal(0), tuple(s.months)) for s in traffy.work_steps.all()]
    assert len(steps) == 8
    assert [m["planned"] for m in data["months"]] == [str(v) for v in pc.planned_cumulative(steps)]
    assert all(m["actual"] is None for m in data["months"])
    assert data["slippage_months"] == []


def test_the_s_curve_counts_the_steps_reported_done(client, cast, traffy, clerk):
    steps = {s.number: s for s in traffy.work_steps.all()}
    item = Item("project", traffy)

    def report(n, done):
        entry = entry_save(user=clerk, plan=cast.plan, period=month(n), item=item, steps_done=[steps[k] for k in done], version=0,
                           data={"percent_complete": Decimal("10"), "narrative": "ดำเนินการตามแผน"})
        return entry_submit(user=clerk, entry=entry, version=entry.version)

    report(3, [4, 5])  # 0 + 7
    report(6, [5, 6])  # 14: behind the plan of month 6 (35) by more than 10
    draft = entry_save(user=clerk, plan=cast.plan, period=month(7), item=item, steps_done=[steps[k] for k in (5, 6, 7, 8, 9, 10)],
                       data={"percent_complete": Decimal("60"), "narrative": "ร่าง"}, version=0)
    assert draft.state == "draft"

    planned = pc.planned_cumulative([pc.Step(s.weight or Decimal(0), tuple(s.months)) for s in steps.values()])
    by_month = [None] * 12
    by_month[2], by_month[5] = Decimal(7), Decimal(14)
    actual = pc.actual_cumulative(by_month)
    client.force_login(cast.planner)
    data = client.get(f"/api/projects/{traffy.pk}/s-curve/").json()
    assert [m["actual"] for m in data["months"]] == [None if a is None else str(a) for a in actual]
    assert data["months"][2]["actual"] == "7.00" and data["months"][5]["actual"] == "14.00"
    assert data["slippage_months"] == pc.slippage(planned, actual) == [6]

    client.force_login(clerk)  # a draft counts nowhere, not even for its own division
    data = client.get(f"/api/projects/{traffy.pk}/s-curve/").json()
    assert data["months"][6]["actual"] is None
    client.force_login(cast.staff)  # another division sees none of the project's reports
    assert all(m["actual"] is None for m in client.get(f"/api/projects/{traffy.pk}/s-curve/").json()["months"])


# -- indicator status -----------------------------------------------------------------------

def _approved(cast, item, n, value, verified=None):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=month(n), item=item,
                       data={"value": Decimal(value), "narrative": "ดำเนินการ"}, version=0)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    if verified is not None:
        entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
        entry = entry_verify(user=cast.planner, entry=entry, verified_value=Decimal(verified), comment="", version=entry.version)
    return entry


def expected_status(indicator, values, number, periods=12):
    result = ic.result_to_date(values, indicator.cumulative)
    from progress.status import main_target

    target = main_target(indicator)  # the district's own (table ง's 81.958 km of the city's 3,700)
    achievement = ic.achievement(result, target, lower_is_better=indicator.direction == "lower")
    pace = ic.planned_pace(number, periods)
    return {
        "result": None if result is None else str(result),
        "target": str(target),
        "achievement": None if achievement is None else str(achievement),
        "planned_pace": str(pace),
        "status": str(ic.status(achievement, pace)),
    }


@pytest.mark.parametrize("cumulative", [True, False])
def test_the_status_agrees_with_the_calculations(client, cast, road, cumulative):
    Indicator.objects.filter(pk=road.pk).update(cumulative=cumulative)
    road.refresh_from_db()
    item = Item("indicator", road)
    first = _approved(cast, item, 1, "5", verified="4")
    second = _approved(cast, item, 2, "9")
    _approved(cast, item, 4, "20")  # after the period asked for: not counted
    first.refresh_from_db()
    second.refresh_from_db()
    client.force_login(cast.planner)
    data = client.get(f"/api/indicators/{road.pk}/status/", {"period": month(3).pk}).json()
    assert data["indicator"] == road.pk
    assert data["period"] == {"id": month(3).pk, "kind": "month", "number": 3}
    expected = expected_status(road, [first.verified_value, second.value], 3)
    assert {k: data[k] for k in expected} == expected
    assert Decimal(data["result"]) == (Decimal("9") if cumulative else Decimal("13"))
    assert data["planned_pace"] == "25.00"


def test_the_status_of_a_lower_is_better_indicator(client, cast, real_plan):
    indicator = Indicator.objects.get(plan=real_plan, key="kpi:1.5.4.1")
    assert indicator.direction == "lower" and indicator.targets.exists()
    inspector = make_user("inspector", roles.DIVISION_STAFF, cast.org, indicator.division)
    value = indicator.targets.order_by("order", "id").first().value * 2
    assert value > 0
    entry = entry_save(user=inspector, plan=real_plan, period=month(6), item=Item("indicator", indicator),
                       data={"value": value, "narrative": "x"}, version=0)
    entry_submit(user=inspector, entry=entry, version=entry.version)
    entry.refresh_from_db()
    value = entry.value
    client.force_login(cast.executive)
    data = client.get(f"/api/indicators/{indicator.pk}/status/", {"period": month(6).pk}).json()
    # A ceiling has no pace: it must be kept at every period (planned 100 %).
    assert data["achievement"] == str(ic.achievement(value, indicator.targets.order_by("order", "id").first().value,
                                                     lower_is_better=True)) == "50.00"
    assert data["planned_pace"] == "100"
    assert data["status"] == str(ic.status(Decimal("50.00"), Decimal(100))) == "off_track"


def test_the_status_ignores_drafts(client, cast, road):
    """Official numbers only: the same status on every page and for every reader."""
    entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=Item("indicator", road),
               data={"value": Decimal("7"), "narrative": "ร่าง"}, version=0)
    client.force_login(cast.staff)
    assert client.get(f"/api/indicators/{road.pk}/status/", {"period": month(3).pk}).json()["result"] is None
    client.force_login(cast.planner)
    data = client.get(f"/api/indicators/{road.pk}/status/", {"period": month(3).pk}).json()
    assert data["result"] is None and data["achievement"] is None and data["status"] == "not_reported"


def test_the_status_of_a_quarter_is_the_status_at_its_last_month(client, cast, road):
    q2 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=2)
    _approved(cast, Item("indicator", road), 3, "5")  # December's total counts to the end of March
    client.force_login(cast.planner)
    quarter = client.get(f"/api/indicators/{road.pk}/status/", {"period": q2.pk}).json()
    march = client.get(f"/api/indicators/{road.pk}/status/", {"period": month(6).pk}).json()
    assert quarter["planned_pace"] == "50.00" and quarter["result"] == "5.0000" and quarter["status"] == "off_track"
    assert {k: v for k, v in quarter.items() if k != "period"} == {k: v for k, v in march.items() if k != "period"}


def test_the_status_needs_a_period_of_the_plans_year(client, cast, road):
    client.force_login(cast.planner)
    url = f"/api/indicators/{road.pk}/status/"
    assert client.get(url).status_code == 400
    assert client.get(url, {"period": "abc"}).status_code == 400
    other_year = Period.objects.exclude(fiscal_year_id=2567).first()
    if other_year is not None:
        assert client.get(url, {"period": other_year.pk}).status_code == 404
    assert client.get(url, {"period": 10**9}).status_code == 404


# -- progress entries -----------------------------------------------------------------------

def test_progress_entries_show_the_report(client, cast, road):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from progress.services import evidence_add

    item = Item("indicator", road)
    entry = entry_save(user=cast.staff, plan=cast.plan, period=month(3), item=item,
                       data={"value": Decimal("125"), "narrative": "ปรับปรุงถนน", "obstacles": "ฝนตก"}, version=0)
    evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", content_type="application/pdf"))
    evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("b.png", one_pixel_png(), content_type="image/png"))
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    entry = entry_verify(user=cast.planner, entry=entry, verified_value=Decimal("120"), comment="ตรวจแล้ว", version=entry.version)
    client.force_login(cast.executive)
    [row] = results(client, "/api/progress/", plan=cast.plan.pk, period=month(3).pk)
    assert results(client, "/api/progress/", period=month(4).pk) == []
    assert row["item_type"] == "indicator" and row["item_id"] == road.pk
    assert row["period"] == month(3).pk and row["division"] == {"id": cast.division.pk, "name": "ฝ่ายโยธา"}
    assert row["state"] == "approved"
    assert Decimal(row["value"]) == 125 and Decimal(row["verified_value"]) == 120
    assert row["narrative"] == "ปรับปรุงถนน" and row["obstacles"] == "ฝนตก" and row["evaluation_comment"] == "ตรวจแล้ว"
    assert row["evidence_count"] == 2
    assert row["percent_complete"] is None and row["disbursed"] is None and row["updated_at"]
    assert client.get(f"/api/progress/{entry.pk}/").json() == row


def test_progress_of_a_quarter_lists_its_months_reports(client, cast, road):
    for n in (1, 3, 4):
        _approved(cast, Item("indicator", road), n, str(n))
    client.force_login(cast.planner)
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)

    def listed(period):
        data = client.get("/api/progress/", {"plan": cast.plan.pk, "period": period.pk}).json()
        rows = data["results"] if isinstance(data, dict) else data
        return sorted(Decimal(r["value"]) for r in rows)

    assert listed(q1) == [Decimal(1), Decimal(3)]  # October and December, not January
    assert listed(month(3)) == [Decimal(3)]
    assert listed(Period.objects.get(fiscal_year_id=2567, kind="year")) == [Decimal(1), Decimal(3), Decimal(4)]
