"""The home page per role: what to do now, each report one click away, nothing of another
division or organization, and a query count that does not grow with the data."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator
from kpiplan.lib.thai import to_thai_digits
from plans.models import Period
from progress import home as homes
from progress import selectors
from progress.demo import add_demo_quarter
from progress.models import ProgressEntry, State
from progress.services import (
    Item,
    entry_endorse,
    entry_return,
    entry_save,
    entry_submit,
    period_lock,
    reopen_request_create,
)

pytestmark = pytest.mark.django_db

# 3 January 2567 (2024): December's reports (and the first quarter's) are due on the 7th;
# October's and November's deadlines have passed.
JAN_3 = datetime.date(2024, 1, 3)


def month(number):
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=number)


def save(cast, period, item, user=None, value="5", **data):
    return entry_save(user=user or cast.staff, plan=cast.plan, period=period, item=item,
                      data={"value": Decimal(value), "narrative": "ดำเนินการตามแผน", **data}, version=0)


def submit(cast, period, item, user=None, **data):
    entry = save(cast, period, item, user=user, **data)
    return entry_submit(user=user or cast.staff, entry=entry, version=entry.version)


def entry_url(period, item):
    return reverse("progress:entry", args=[period.pk, item.kind, item.obj.pk])


def page_at(client, user, day=JAN_3, **params):
    client.force_login(user)
    with time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))), tick=False):
        response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response


def section(page, section_id):
    """The HTML of one <section id=...> of the page."""
    start = page.index(f'id="{section_id}"')
    return page[start:page.index("</section>", start)]


def entry_links(html):
    """The entry pages a part of the page links to."""
    return set(re.findall(r'href="(/work/\d+/(?:indicator|project)/\d+/)"', html))


@pytest.fixture
def world(cast, road_item, lamp_item, flood_item):
    """ฝ่ายโยธา's reports: October submitted, November a draft (overdue), December's lamps
    returned by the head with a comment, and a report of ฝ่ายการศึกษา."""
    world = type("World", (), {})()
    world.oct_road = submit(cast, month(1), road_item)
    world.nov_road = save(cast, month(2), road_item)
    lamps = submit(cast, month(3), lamp_item)
    world.returned = entry_return(user=cast.head, entry=lamps, comment="ตัวเลขไม่ตรงกับหลักฐาน", version=lamps.version)
    school = Item("indicator", Indicator.objects.filter(plan=cast.plan, division=cast.other_division,
                                                        reporting_frequency="month").first())
    world.school = submit(cast, month(2), school, user=cast.other_staff)
    world.school_item = school
    return world


# -- what "now" is ---------------------------------------------------------------------

def test_now_is_the_period_due_next_with_the_quarter_ending_with_it(cast):
    now = homes.reporting_now(cast.plan, JAN_3)
    assert [str(p) for p in now.current.periods] == [str(month(3)), str(Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1))]
    assert now.current.due == datetime.date(2024, 1, 7) and not now.current.passed
    assert now.next.periods == [month(4)] and now.next.due == datetime.date(2024, 2, 7)
    # The day after December's deadline, January's reports are the ones due.
    assert homes.reporting_now(cast.plan, datetime.date(2024, 1, 8)).current.periods == [month(4)]
    # After the year's last deadline its last month stays "now", its deadline passed.
    after = homes.reporting_now(cast.plan, datetime.date(2026, 12, 3))
    assert after.current.month == month(12) and after.current.passed and after.next is None


# -- staff -----------------------------------------------------------------------------

def test_staff_see_due_overdue_and_returned(cast, world, road_item, lamp_item, flood_item):
    work = homes.staff_home(cast.plan, cast.division, JAN_3)
    due = {(r.period, r.item) for r in work.due_now}
    assert (month(3), road_item) in due and (month(3), flood_item) in due
    assert (month(3), lamp_item) not in due  # returned: listed with its comment instead
    assert all(r.item.division_id == cast.division.pk for r in work.due_now)
    overdue = {g.period: {r.item for r in g.rows} for g in work.overdue}
    assert list(overdue) == [month(2), month(1)]  # the latest deadline first
    assert road_item in overdue[month(2)]  # a draft is not submitted
    assert road_item not in overdue[month(1)]  # submitted in time
    assert [(r.item, r.entry.return_comment) for r in work.returned] == [(lamp_item, "ตัวเลขไม่ตรงกับหลักฐาน")]
    assert work.waiting == []  # approving is the head's


def test_staff_page_counts_first_then_links_to_each_entry(client, cast, world, road_item, lamp_item):
    page = page_at(client, cast.staff).content.decode()
    work = homes.staff_home(cast.plan, cast.division, JAN_3)
    start = page.index('id="counts"')
    counts = page[start:page.index("</ul>", start)]
    assert start < page.index('id="returned"') < page.index('id="due"')  # counts first
    assert f"<strong>{to_thai_digits(len(work.due_now))}</strong>" in counts
    assert f"<strong>{to_thai_digits(work.overdue_count)}</strong>" in counts
    assert "<strong>๑</strong>" in counts.split('id="count-returned"')[1]  # one returned, in Thai digits
    returned = section(page, "returned")
    assert entry_url(month(3), lamp_item) in returned and "ตัวเลขไม่ตรงกับหลักฐาน" in returned
    assert "head" in returned  # who returned it
    assert entry_url(month(3), road_item) in section(page, "due")
    assert entry_url(month(2), road_item) in section(page, "overdue")
    assert entry_url(month(1), road_item) not in page  # submitted: nothing to do
    assert "๗ มกราคม ๒๕๖๗" in page  # the deadline, a B.E. date in Thai digits
    # Every link opens the report it names, for this user.
    urls = entry_links(section(page, "due")) | entry_links(section(page, "overdue")) | entry_links(returned)
    assert len(urls) == len(work.due_now) + work.overdue_count + len(work.returned)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_staff_never_see_another_divisions_items(client, cast, world):
    page = page_at(client, cast.staff).content.decode()
    assert str(world.school_item.obj) not in page
    other = page_at(client, cast.other_staff).content.decode()
    assert world.school_item.obj.division == cast.other_division
    # ฝ่ายการศึกษา's page lists its own items and none of ฝ่ายโยธา's.
    road = Indicator.objects.get(plan=cast.plan, key="okr:1.4.06")
    assert str(road) not in other and cast.other_division.name in other


def test_locked_periods_are_not_on_the_to_do_list(cast, world, road_item):
    period_lock(user=cast.planner, plan=cast.plan, period=month(2))
    work = homes.staff_home(cast.plan, cast.division, JAN_3)
    assert month(2) not in [g.period for g in work.overdue]


# -- head ------------------------------------------------------------------------------

def test_head_sees_what_waits_for_approval_and_the_divisions_completeness(client, cast, world, road_item, flood_item):
    waiting = submit(cast, month(3), road_item)
    work = homes.head_home(cast.plan, cast.division, JAN_3)
    assert [(g.period, [r.entry for r in g.rows]) for g in work.waiting] == [(month(3), [waiting]),
                                                                             (month(1), [world.oct_road])]
    page = page_at(client, cast.head).content.decode()
    mine = section(page, "waiting")
    assert entry_url(month(3), road_item) in mine
    assert reverse("progress:approve-all", args=[month(3).pk]) in mine
    assert client.get(entry_url(month(3), road_item)).status_code == 200
    assert "ตัวเลขไม่ตรงกับหลักฐาน" in section(page, "returned")
    # The other division's submitted report is not the head's to approve.
    assert str(world.school_item.obj) not in page
    assert 'id="waiting"' not in page_at(client, cast.staff).content.decode()


def test_head_completeness_is_completeness_for_the_division(cast, world, road_item):
    """On 3 December November's reports are due; the head's numbers are the Completeness
    page's for the division and November."""
    submit(cast, month(2), Item("indicator", Indicator.objects.get(plan=cast.plan, key="okr:1.4.05")))
    work = homes.head_home(cast.plan, cast.division, datetime.date(2023, 12, 3))
    assert work.now.current.periods == [month(2)]
    mine = next(s for s in selectors.completeness(cast.plan, month(2), datetime.date(2023, 12, 3))
                if s.division == cast.division)
    assert (work.due_count, work.reported_count, work.submitted_count) == (mine.due, mine.reported, mine.submitted)
    assert work.reported_count == 2 and work.submitted_count == 1  # the road draft and the flood report
    assert work.overdue_count == sum(len(g.rows) for g in work.overdue) > 0  # October's unreported items


# -- planner ---------------------------------------------------------------------------

def test_planner_sees_verification_requests_unusual_results_and_deadlines(client, cast, world, road_item, flood_item):
    endorsed = entry_endorse(user=cast.head, entry=world.oct_road, version=world.oct_road.version)
    unusual = submit(cast, month(3), flood_item, value="999999", implausible_confirmed=True,
                     implausible_note="นับรวมจุดย่อย")
    assert unusual.value_flagged
    period_lock(user=cast.planner, plan=cast.plan, period=month(1))
    reopen_request_create(user=cast.head, plan=cast.plan, period=month(1), reason="ต้องแก้ผลเดือนตุลาคม")
    work = homes.planner_home(cast.plan, JAN_3)
    assert [(g.period, g.entries) for g in work.to_verify] == [(month(1), [endorsed])]
    assert [r.reason for r in work.requests] == ["ต้องแก้ผลเดือนตุลาคม"]
    assert work.flagged == [unusual]
    assert work.now.current.locked is False

    page = page_at(client, cast.planner).content.decode()
    assert entry_url(month(1), road_item) in section(page, "verify")
    assert reverse("progress:verify-all", args=[month(1).pk]) in section(page, "verify")
    assert "ต้องแก้ผลเดือนตุลาคม" in section(page, "requests")
    assert f"{reverse('progress:review')}?period={month(1).pk}" in section(page, "requests")
    quality = section(page, "quality")
    assert entry_url(month(3), flood_item) in quality and "นับรวมจุดย่อย" in quality
    assert reverse("plan-check", args=[cast.plan.pk]) in quality
    deadlines = section(page, "deadlines")
    assert "๗ มกราคม ๒๕๖๗" in deadlines and "๗ กุมภาพันธ์ ๒๕๖๗" in deadlines
    for url in entry_links(section(page, "verify")) | entry_links(quality):
        assert client.get(url).status_code == 200, url
    # Drafts and returned reports are the divisions' own: never on the planner's page.
    assert entry_url(month(2), road_item) not in page
    assert entry_url(month(3), Item("indicator", world.returned.indicator)) not in page


def test_another_organizations_planner_sees_none_of_it(client, cast, world, flood_item):
    submit(cast, month(3), flood_item, value="999999", implausible_confirmed=True, implausible_note="นับรวมจุดย่อย")
    page = page_at(client, cast.other_planner).content.decode()
    assert "เขตบางแค" in page and "ภาษีเจริญ" not in page
    assert str(flood_item.obj) not in page and 'id="verify"' in page


# -- executive and access --------------------------------------------------------------

def test_executive_gets_the_status_of_now(client, cast):
    page = page_at(client, cast.executive).content.decode()
    card = section(page, "executive-now")
    quarter = Period.objects.get(fiscal_year_id=2567, kind="quarter", number=1)
    # On 3 January the latest month that has ended is December, in the first quarter.
    assert f"{reverse('progress:status')}?period={quarter.pk}" in card
    assert f"{reverse('progress:status')}?period={month(3).pk}" in card
    assert f"{reverse('progress:completeness')}?period={month(3).pk}" in card
    for url in re.findall(r'href="([^"]+)"', card):
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("who, shown", [
    ("staff", 'id="count-due"'), ("head", 'id="count-waiting"'), ("planner", 'id="count-verify"'),
    ("executive", 'id="executive-now"'), ("administrator", 'id="plans"'),
])
def test_each_role_gets_its_own_home(client, cast, who, shown):
    page = page_at(client, getattr(cast, who)).content.decode()
    assert shown in page
    others = {'id="count-due"', 'id="count-waiting"', 'id="count-verify"', 'id="executive-now"'} - {shown}
    if who == "head":
        others.discard('id="count-due"')  # a head writes reports too
    assert not [o for o in others if o in page]


# -- the query count does not grow with the data ---------------------------------------

def _count(client, user):
    client.force_login(user)
    with time_machine.travel(timezone.make_aware(datetime.datetime.combine(JAN_3, datetime.time(9))), tick=False):
        client.get(reverse("home"))  # the session and the user's roles, once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["staff", "head", "planner", "executive"])
def test_query_count_does_not_grow_with_the_reports(client, cast, world, flood_item, who):
    submit(cast, month(3), flood_item, value="999999", implausible_confirmed=True, implausible_note="นับรวมจุดย่อย")
    endorse = submit(cast, month(3), Item("indicator", Indicator.objects.get(plan=cast.plan, key="okr:1.4.06")))
    entry_endorse(user=cast.head, entry=endorse, version=endorse.version)
    period_lock(user=cast.planner, plan=cast.plan, period=month(1))
    reopen_request_create(user=cast.head, plan=cast.plan, period=month(1), reason="ขอแก้")
    before = _count(client, getattr(cast, who))
    # Two quarters of every division's reports (about 680, every state), and more requests.
    ProgressEntry.objects.filter(period__number__in=[1, 2, 3], period__kind="month").delete()
    add_demo_quarter(cast.plan, 1)
    add_demo_quarter(cast.plan, 2)
    ProgressEntry.objects.filter(period=month(3), division=cast.division).update(state=State.RETURNED, return_comment="แก้")
    reopen_request_create(user=cast.staff, plan=cast.plan, period=month(1), reason="ขอแก้อีก")
    after = _count(client, getattr(cast, who))
    assert ProgressEntry.objects.count() > 600
    assert after == before
