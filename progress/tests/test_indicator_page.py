"""The indicator page executives drill down to (issue 13): targets, baselines, results
by period judged as on the status page, the chart, the divisions' words and files, the
change history, the rubric; who may read it, and what it costs in queries."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.calculations import expected_value
from indicators.models import Indicator
from plans.models import Period
from progress.reading import indicator_page
from progress.services import (
    Item,
    assessment_save,
    entry_endorse,
    entry_save,
    entry_submit,
    entry_verify,
    evidence_add,
)
from progress.status import indicator_status, indicator_timeline, targets_of

pytestmark = pytest.mark.django_db

DREDGE, CLEAR = "ขุดลอกคลอง", "เปิดทางน้ำไหล"


def month(number):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=number)


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def url(indicator):
    return reverse("progress:indicator", args=[indicator.pk])


def submitted(cast, item, period, data, *, evidence=None):
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=item, data=data, version=None)
    for name in [evidence] if isinstance(evidence, str) else evidence or ():
        evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile(name, b"%PDF-1.4 evidence", "application/pdf"))
    entry.refresh_from_db()
    return entry_submit(user=cast.staff, entry=entry, version=entry.version)


def draft(cast, item, period, data):
    return entry_save(user=cast.staff, plan=cast.plan, period=period, item=item, data=data, version=None)


@pytest.fixture
def canal(real_plan):
    """OKR 1.4.07, two measures (ขุดลอกคลอง, เปิดทางน้ำไหล) — ฝ่ายโยธา."""
    return Indicator.objects.select_related("plan", "division").get(plan=real_plan, key="okr:1.4.07")


@pytest.fixture
def trees(real_plan):
    """Table ค 1.1.2 (trees planted), with a rubric."""
    return Indicator.objects.select_related("plan", "division").get(plan=real_plan, kind="agreement", code="1.1.2")


# -- access -----------------------------------------------------------------------------

@pytest.mark.parametrize("who, expected", [
    ("executive", 200), ("planner", 200), ("staff", 200), ("head", 200),
    ("other_staff", 404), ("other_planner", 404), ("administrator", 200),
])
def test_it_is_read_by_the_organization_and_the_own_division_only(client, cast, road_item, who, expected):
    client.force_login(getattr(cast, who))
    assert client.get(url(road_item.obj)).status_code == expected


def test_it_asks_anonymous_users_to_log_in(client, road_item):
    assert client.get(url(road_item.obj)).status_code == 302


def test_it_hides_another_divisions_draft_words_and_files(client, cast, road_item):
    entry = draft(cast, road_item, month(2), {"value": Decimal(40), "narrative": "ร่างที่ยังไม่ส่ง", "obstacles": "ปัญหาในร่าง"})
    evidence = evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile("draft.pdf", b"%PDF-1.4 d", "application/pdf"))
    for who in ("executive", "planner"):
        client.force_login(getattr(cast, who))
        page = client.get(url(road_item.obj)).content.decode()
        assert "ร่างที่ยังไม่ส่ง" not in page and "ปัญหาในร่าง" not in page and "draft.pdf" not in page, who
        assert reverse("progress:evidence", args=[evidence.pk]) not in page, who
    client.force_login(cast.staff)  # the division's own draft is its own to read
    page = client.get(url(road_item.obj)).content.decode()
    assert "ร่างที่ยังไม่ส่ง" in page and reverse("progress:evidence", args=[evidence.pk]) in page


def test_it_links_editors_to_the_entry_page_and_readers_not(client, cast, road_item):
    client.force_login(cast.staff)
    page = client.get(url(road_item.obj)).content.decode()
    assert 'id="edit-link"' in page and f"/indicator/{road_item.obj.pk}/" in page
    client.force_login(cast.executive)
    assert 'id="edit-link"' not in client.get(url(road_item.obj)).content.decode()


# -- the numbers --------------------------------------------------------------------------

def test_every_period_is_judged_as_the_status_page_judges_it(client, cast, road_item):
    indicator = road_item.obj
    submitted(cast, road_item, month(1), {"value": Decimal(30), "narrative": "ล้างท่อเดือนแรก"}, evidence="ภาพถ่าย.pdf")
    entry = submitted(cast, road_item, month(3), {"value": Decimal(55), "narrative": "ล้างท่อเดือนที่สาม", "obstacles": "ฝนตก"})
    entry = entry_endorse(user=cast.head, entry=entry, version=entry.version)
    entry_verify(user=cast.planner, entry=entry, verified_value=Decimal(50), comment="ตรวจแล้ว", version=entry.version)
    page = indicator_page(cast.executive, indicator)
    assert len(page.lines) == 12
    for line in page.lines:
        expected = indicator_status(indicator, line.period)
        assert (line.status.result, line.status.achievement, line.status.status) == (
            expected.result, expected.achievement, expected.status), line.period
        assert line.expected == expected_value(expected.target, expected.planned)
    assert page.target == targets_of(indicator)[0]
    assert page.lines[2].status.result == Decimal(50)  # the verified value counts

    client.force_login(cast.executive)
    response = client.get(url(indicator))
    body = text(response)
    html = response.content.decode()
    third = page.lines[2]
    row = re.search(rf'<tr data-period="{third.period.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "๕๕" in row and "๕๐" in row  # reported, and verified
    assert re.sub(r"<[^>]+>", "", re.search(r'class="num achievement">(.*?)</td>', row).group(1)) == (
        f"{third.status.achievement:,f}".rstrip("0").rstrip(".").translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")))
    assert f"status-{third.status.status.value}" in row
    assert "ล้างท่อเดือนแรก" in body and "ล้างท่อเดือนที่สาม" in body and "ฝนตก" in body
    assert "ภาพถ่าย.pdf" in body
    assert 'role="img"' in html and "<title>" in html and 'class="planned"' in html


def test_the_chart_puts_each_result_beside_its_point_in_thai_digits(client, cast, road_item):
    submitted(cast, road_item, month(1), {"value": Decimal("12.5"), "narrative": "x"})
    client.force_login(cast.executive)
    html = client.get(url(road_item.obj)).content.decode()
    chart = re.search(r'<svg[^>]*class="pace-chart".*?</svg>', html, re.S).group(0)
    assert '<text class="value"' in chart and ">๑๒.๕<" in chart


def test_two_measures_are_judged_each_on_their_own(client, cast, canal):
    item = Item("indicator", canal)
    entry = submitted(cast, item, month(2), {"measures": {DREDGE: Decimal("1.2"), CLEAR: Decimal(40)}, "narrative": "ขุดลอก"})
    assert entry.state == "submitted"
    page = indicator_page(cast.executive, canal)
    assert [m.label for m in page.measures] == [DREDGE, CLEAR]
    assert [m.target for m in page.measures] == [Decimal("2.454"), Decimal("73.751")]
    for line in page.lines:
        expected = indicator_status(canal, line.period)
        assert [(m.result, m.achievement, m.status) for m, _e in line.measures] == [
            (m.result, m.achievement, m.status) for m in expected.measures]
        assert [e for _m, e in line.measures] == [expected_value(m.target, expected.planned) for m in expected.measures]
    client.force_login(cast.executive)
    html = client.get(url(canal)).content.decode()
    assert html.count('class="pace-chart"') == 2  # one chart per measure
    assert "๒.๔๕๔" in html and "๗๓.๗๕๑" in html


def test_baselines_by_year_are_listed(client, cast, trees):
    baselines = list(trees.baselines.all())
    assert baselines, "table ค 1.1.2 prints baselines"
    client.force_login(cast.executive)
    body = text(client.get(url(trees)))
    for b in baselines:
        assert str(b.year).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")) in body


def test_the_rubric_shows_its_levels_and_the_current_level(client, cast, trees, period):
    from indicators.scoring import rubric_measures

    found = rubric_measures(trees.rubric)
    perennial = next(n for n in found if "ไม้ยืนต้น" in n)
    planted = next(n for n in found if n != perennial)
    saved = assessment_save(user=cast.planner, indicator=trees, period=period, kind="self",
                            measures={planted: Decimal(100), perennial: Decimal(60)}, confirmed=[], comment="", version=0)
    page = indicator_page(cast.executive, trees)
    assert page.assessments["self"].level == saved.level == 3
    client.force_login(cast.executive)
    html = client.get(url(trees)).content.decode()
    assert 'id="rubric"' in html
    assert re.search(r'id="current-level">.*?<strong>๓</strong>', html, re.S)
    assert html.count('<tr class="level current"><td>๓') == 1
    assert len(re.findall(r'<tr class="level', html)) == trees.rubric.levels.count()


def test_the_change_history_says_who_changed_what(client, cast, road_item):
    entry = draft(cast, road_item, month(1), {"value": Decimal(10), "narrative": "ครั้งแรก"})
    entry = entry_save(user=cast.staff, plan=cast.plan, period=month(1), item=road_item,
                       data={"value": Decimal(12), "narrative": "ครั้งแรก"}, version=entry.version)
    entry_submit(user=cast.staff, entry=entry, version=entry.version)
    client.force_login(cast.executive)
    body = text(client.get(url(road_item.obj)))
    assert "๑๐ → ๑๒" in body


def test_it_links_to_its_projects_and_the_dashboard_links_to_it(client, cast, real_plan):
    from projects.models import KeyResultLink

    link = KeyResultLink.objects.filter(plan=real_plan, indicator__division__isnull=False, project__isnull=False).first()
    client.force_login(cast.executive)
    html = client.get(url(link.indicator)).content.decode()
    assert reverse("projects:detail", args=[link.project.pk]) in html
    project_html = client.get(reverse("projects:detail", args=[link.project.pk])).content.decode()
    assert url(link.indicator) in project_html


def test_the_timeline_agrees_with_indicator_status_for_quarters(cast, road_item):
    quarterly = road_item.obj
    quarterly.reporting_frequency = "quarter"
    quarterly.save()
    quarters = list(Period.objects.filter(fiscal_year_id=2567, kind="quarter").order_by("number"))
    submitted(cast, road_item, quarters[0], {"value": Decimal(10), "narrative": "ไตรมาสแรก"})
    submitted(cast, road_item, quarters[2], {"value": Decimal(70), "narrative": "ไตรมาสสาม"})
    judged = indicator_timeline(quarterly, quarters)
    assert [j.result for j in judged] == [Decimal(10), Decimal(10), Decimal(70), Decimal(70)]
    for period, line in zip(quarters, judged, strict=True):
        expected = indicator_status(quarterly, period)
        assert (line.result, line.achievement, line.status) == (expected.result, expected.achievement, expected.status)


# -- cost -------------------------------------------------------------------------------

def _count(client, indicator):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url(indicator)).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_reports_and_evidence(client, cast, road_item):
    client.force_login(cast.executive)
    submitted(cast, road_item, month(1), {"value": Decimal(5), "narrative": "หนึ่ง"}, evidence="a.pdf")
    one = _count(client, road_item.obj)
    for n in range(2, 7):
        submitted(cast, road_item, month(n), {"value": Decimal(5 * n), "narrative": f"เดือน {n}"},
                  evidence=(f"e{n}.pdf", f"x{n}.pdf"))
    # session, user, indicator, periods, official values, targets (city, table ง x2),
    # measures, reports, their evidence, their versions, evidence versions, rubric,
    # assessments, projects, baselines, the printed targets
    assert _count(client, road_item.obj) == one


def test_a_changed_time_reads_as_a_thai_date():
    import datetime

    from kpiplan.lib.changes import measure_changes, shown
    from progress.history import _local

    moment = datetime.datetime(2023, 12, 5, 3, 30, tzinfo=datetime.UTC)
    assert shown(_local(moment), thai=True) == "๕ ธันวาคม ๒๕๖๖ ๑๐:๓๐"  # Bangkok time
    assert shown(_local(moment), thai=False) == "5 Dec 2566 10:30"
    assert shown(Decimal("12.5000"), thai=False) == "12.5"
    assert [str(c) for c in measure_changes("r", {}, {DREDGE: "1.2000"}, thai=False)] == [f"r — {DREDGE}: - → 1.2"]
