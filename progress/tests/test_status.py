from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.calculations import Status, achievement, planned_pace, status
from indicators.models import Indicator
from plans.models import Period
from progress.services import Item, entry_endorse, entry_save, entry_submit, entry_verify
from progress.status import indicator_statuses, rolled_up


@pytest.fixture
def road_item(real_plan):
    """OKR 4.1.10 'พัฒนาถนนสวย ๕๐ เขต' (ฝ่ายโยธา): 1.53 km of the city's 123.598 km."""
    return Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:4.1.10"))


pytestmark = pytest.mark.django_db


def report(cast, period, indicator, value, *, verify=None):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=Item("indicator", indicator),
                       data={"value": Decimal(value), "narrative": "ผล"}, version=0)
    entry = entry_submit(user=cast.staff, entry=entry, version=entry.version)
    if verify is not None:
        entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
        entry = entry_verify(user=cast.planner, entry=entry, verified_value=Decimal(verify), comment="", version=entry.version)
    return entry


def test_status_uses_the_domain_functions_and_rolls_up(cast, period, road_item):
    lights = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")  # 10,500 lamps, also ฝ่ายโยธา
    report(cast, period, road_item.obj, "0.765")  # half of the district's 1.53 km by December: ahead of the 25 % pace
    report(cast, period, lights, "10", verify="9")  # verified 9 of the district's 70 lamps: 12.86 %, off track
    statuses = {s.indicator.key: s for s in indicator_statuses(cast.plan, period)}
    road = statuses["okr:4.1.10"]
    assert road.achievement == achievement(Decimal("0.765"), Decimal("1.53")) == Decimal("50.00")
    assert road.planned == planned_pace(3) == Decimal("25.00")
    assert road.status == Status.ON_TRACK
    lamps = statuses["okr:1.1.03"]
    assert lamps.result == Decimal(9)  # the verified value counts
    assert lamps.status == status(Decimal("12.86"), Decimal(25)) == Status.OFF_TRACK
    nodes, overall = rolled_up(cast.plan, list(statuses.values()))
    by_key = {n.node.key: n for n in nodes}
    # Objective 4.1 has the road ahead of pace and other indicators not reported: it is
    # incomplete, not on track; after the deadline the missing reports count against it.
    roads = by_key["obj:4.1"]
    assert roads.counts["on_track"] == 1 and roads.counts["not_reported"] >= 1
    assert roads.status == Status.NOT_REPORTED
    assert {n.node.key: n for n in rolled_up(cast.plan, list(statuses.values()), overdue=True)[0]}["obj:4.1"].status \
        == Status.OFF_TRACK
    assert by_key["area:1"].status == Status.OFF_TRACK
    assert overall == Status.OFF_TRACK


def test_a_quarter_and_the_year_agree_with_their_last_month(cast, road_item):
    lights = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    months = {n: Period.objects.get(fiscal_year_id=2567, kind="month", number=n) for n in (1, 2, 3, 12)}
    report(cast, months[1], road_item.obj, "0.1")
    report(cast, months[3], road_item.obj, "0.3825")
    report(cast, months[2], lights, "40", verify="38")
    q1 = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    year = Period.objects.get(fiscal_year_id=2567, kind="year", number=1)

    def by_key(period):
        return {s.indicator.key: (s.result, s.achievement, s.planned, s.status) for s in indicator_statuses(cast.plan, period)}

    december, quarter = by_key(months[3]), by_key(q1)
    assert quarter["okr:4.1.10"] == december["okr:4.1.10"] == (Decimal("0.3825"), Decimal("25.00"), Decimal("25.00"), Status.ON_TRACK)
    assert quarter["okr:1.1.03"] == december["okr:1.1.03"] and quarter["okr:1.1.03"][0] == Decimal(38)
    assert {k: v for k, v in quarter.items() if k in december} == december  # every monthly indicator
    september = by_key(months[12])
    assert {k: v for k, v in by_key(year).items() if k in september} == september


def test_drafts_do_not_count(cast, period, road_item):
    entry_save(user=cast.staff, plan=cast.plan, period=period, item=road_item,
               data={"value": Decimal(1), "narrative": "ร่าง"}, version=0)
    road = next(s for s in indicator_statuses(cast.plan, period) if s.indicator.key == "okr:4.1.10")
    assert road.status == Status.NOT_REPORTED and road.result is None


@pytest.mark.parametrize("who, expected", [("planner", 200), ("executive", 200), ("staff", 403), ("other_planner", 404)])
def test_status_page_access(client, cast, period, who, expected):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("progress:status"), {"period": period.pk, "plan": cast.plan.pk}).status_code == expected


def test_status_page_query_count_does_not_grow(client, cast, period, road_item):
    client.force_login(cast.executive)
    report(cast, period, road_item.obj, "1")
    with CaptureQueriesContext(connection) as before:
        page = client.get(reverse("progress:status"), {"period": period.pk})
    assert "status-on_track" in page.content.decode() or "status-off_track" in page.content.decode()
    report(cast, period, Indicator.objects.get(plan=cast.plan, key="okr:1.1.03"), "5")
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("progress:status"), {"period": period.pk})
    assert len(after) == len(before)


def test_the_status_page_never_reads_on_track_over_missing_reports(client, cast, period, road_item):
    # "ภาพรวมทั้งแผน: เป็นไปตามแผน" with 1 of 38 indicators reported: the headline now
    # counts what is missing, and December's reports are long overdue.
    report(cast, period, road_item.obj, "0.765")  # on track
    client.force_login(cast.executive)
    html = client.get(reverse("progress:status"), {"period": period.pk, "plan": cast.plan.pk}).content.decode()
    headline = html[html.index('id="headline"'):html.index("</section>", html.index('id="headline"'))]
    assert 'status-off_track">' in headline.split('id="status-counts"')[0]  # the whole plan
    counts = " ".join(headline.split('id="status-counts"')[1].split())
    due = len(indicator_statuses(cast.plan, period))
    assert 'status-on_track">เป็นไปตามแผน</span> ๑</li>' in counts
    from kpiplan.lib.thai import to_thai_digits

    assert f"ยังไม่รายงาน</span> {to_thai_digits(due - 1)} <strong class=\"late\">เกินกำหนด</strong>" in counts
    assert "รายงานที่ขาดนับเป็นล่าช้ากว่าแผน" in html  # the rule, in words


DISTRICT_TARGETS = {  # table ง's project KPI targets of the district, per city-wide key result
    "okr:1.1.03": (Decimal("70"), Decimal("10500")),  # ๗๐ ดวง of the city's ๑๐,๕๐๐
    "okr:1.3.07": (None, Decimal("52")),  # not in table ง: the district has no target of its own
    "okr:1.4.05": (Decimal("3"), Decimal("112")),
    "okr:1.4.06": (Decimal("81.958"), Decimal("3700")),
    # Two measures, each with its own target (progress/tests/test_measures.py): the six
    # dredging rows make 2.454 km of the city's 150, the clearing row 73.751 km of 1,500.
    "okr:1.4.07": ((Decimal("2.454"), Decimal("150")), (Decimal("73.751"), Decimal("1500"))),
    "okr:2.1.20": (Decimal("310"), Decimal("18878")),
    "okr:4.1.10": (Decimal("1.53"), Decimal("123.598")),
    "okr:6.1.31": (Decimal("13"), Decimal("275")),  # thirteen schools, one each
}


def test_a_district_is_judged_against_its_own_target_with_the_citys_beside(cast, period):
    # All 8 "behind plan" items of the Q1 report were city-wide key results judged against
    # the city's target (52 lamps of 10,500: "ล่าช้ากว่าแผน ๐.๕%").
    statuses = {s.indicator.key: s for s in indicator_statuses(cast.plan, period)}
    for key, (district, city) in DISTRICT_TARGETS.items():
        if statuses[key].measures:
            assert tuple((m.target, m.city_target) for m in statuses[key].measures) == (district, city), key
        else:
            assert (statuses[key].target, statuses[key].city_target) == (district, city), key
    lamps = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    report(cast, period, lamps, "52")
    lanes = Indicator.objects.get(plan=cast.plan, key="okr:1.3.07")
    report(cast, period, lanes, "3")
    statuses = {s.indicator.key: s for s in indicator_statuses(cast.plan, period)}
    assert statuses["okr:1.1.03"].achievement == Decimal("74.29") and statuses["okr:1.1.03"].status == Status.ON_TRACK
    assert statuses["okr:1.3.07"].status == Status.NO_TARGET  # reported, nothing to judge it against
    # The district's own indicators keep their own targets (table ค: 1.53 km of roads).
    own = next(s for s in statuses.values() if s.indicator.kind == "agreement" and s.indicator.code == "1.1.1")
    assert (own.target, own.city_target) == (Decimal("1.53"), None)


def test_the_status_page_shows_the_district_target_and_the_citys(client, cast, period):
    client.force_login(cast.planner)
    html = client.get(reverse("progress:status"), {"period": period.pk, "plan": cast.plan.pk}).content.decode()
    assert "๗๐ ดวง" in html and "เป้าหมาย กทม.: ๑๐,๕๐๐ ดวง" in html
    assert "ไม่มีเป้าหมายของเขต" in html  # OKR 1.3.07


def test_the_entry_page_shows_the_district_target_the_result_is_judged_against(client, cast, period):
    lamps = Indicator.objects.get(plan=cast.plan, key="okr:1.1.03")
    client.force_login(cast.staff)
    page = client.get(reverse("progress:entry", args=[period.pk, "indicator", lamps.pk])).content.decode()
    target = " ".join(page[page.index('id="target"'):page.index("</p>", page.index('id="target"'))].split())
    assert "ค่าเป้าหมายของเขต: ๗๐ ดวง" in target and "เป้าหมาย กทม.: ๑๐,๕๐๐ ดวง" in target
