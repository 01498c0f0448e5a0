"""The data-quality findings of reported progress that the planner's plan check lists
(issue 15 item 4): each problem planted once on the real plan gives exactly one finding,
and the demo quarter, which is clean, gives none."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from indicators.models import Indicator, RubricCondition
from indicators.scoring import checklist_key
from plans.findings import ERROR, WARNING, Link, Place
from plans.models import Period
from progress.demo import _image, add_demo_quarter
from progress.models import Assessment, ProgressEntry, State
from progress.quality import progress_findings
from progress.services import Item, assessment_save, entry_save, evidence_add, evidence_remove

pytestmark = pytest.mark.django_db


def month(n: int) -> Period:
    return Period.objects.get(fiscal_year_id=2567, kind="month", number=n)


def report(item: Item, n: int, state=State.DRAFT, **fields) -> ProgressEntry:
    """A stored report as any write path may have left it (the bulk demo, an import, the
    admin, data from before a rule): the findings read what is stored."""
    return ProgressEntry.objects.create(plan=item.obj.plan, period=month(n), division_id=item.obj.division_id, state=state,
                                        narrative="ดำเนินการตามแผน", **{item.kind: item.obj}, **fields)


def of(findings, category):
    return [f for f in findings if f.category == category]


def entry_link(item: Item, n: int, division="ฝ่ายโยธา") -> Link:
    return Link(f"Report of {month(n).short_name} by {division}", reverse("progress:entry", args=[month(n).pk, item.kind, item.obj.pk]))


@pytest.fixture
def lamp_item(real_plan):
    """OKR 1.1.03, lamps (ดวง): the district's target is 70 — ฝ่ายโยธา."""
    return Item("indicator", Indicator.objects.get(plan=real_plan, key="okr:1.1.03"))


@pytest.fixture
def drains(real_plan):
    """Agreement indicator 1.1.3, a share (ร้อยละ) with a rubric of checklists — ฝ่ายโยธา."""
    return Item("indicator", Indicator.objects.get(plan=real_plan, key="pa:1.1.3"))


def test_the_demo_quarter_is_clean(real_plan):
    assert add_demo_quarter(real_plan, 1) > 300
    assert progress_findings(real_plan) == []


def test_a_result_far_above_the_target_is_one_warning_with_each_report_as_a_place(real_plan, lamp_item):
    report(lamp_item, 2, value=Decimal(150))
    report(lamp_item, 3, value=Decimal(250))  # 3 × 70 = 210 is the most a result to date may reach unexplained
    report(lamp_item, 4, value=Decimal(260), state=State.APPROVED)
    [finding] = progress_findings(real_plan)
    assert (finding.category, finding.severity, finding.subject) == ("implausible", WARNING, lamp_item.obj.label)
    assert finding.message == "The result to date is more than 3 times the year's target of 70 ดวง."
    assert finding.places == (Place("Dec 2566", "250 ดวง"), Place("Jan 2567", "260 ดวง"))
    assert finding.links == (Link("Indicator page", reverse("progress:indicator", args=[lamp_item.obj.pk])),
                             entry_link(lamp_item, 3), entry_link(lamp_item, 4))


def test_an_unusual_result_explained_and_approved_is_settled(real_plan, lamp_item):
    report(lamp_item, 3, value=Decimal(250), state=State.APPROVED, implausible_note="นับรวมโคมที่ซ่อมแล้วด้วย")
    report(lamp_item, 4, value=Decimal(260), state=State.ENDORSED, implausible_note="นับรวมโคมที่ซ่อมแล้วด้วย")
    [finding] = progress_findings(real_plan)
    assert finding.places == (Place("Jan 2567", "260 ดวง"),)  # not approved yet: still the planner's to check


def test_the_verified_result_is_the_one_judged(real_plan, lamp_item):
    report(lamp_item, 3, value=Decimal(250), verified_value=Decimal(25), state=State.APPROVED)
    assert progress_findings(real_plan) == []


@pytest.mark.parametrize("key, value, message, shown", [
    ("okr:1.1.03", Decimal(-5), "A result is less than zero; a count or an amount cannot be negative.", "-5 ดวง"),
    ("pa:1.1.3", Decimal(112), "A result is more than 100; a share of a whole cannot be more than 100.", "ร้อยละ 112"),
])
def test_an_impossible_result_is_an_error(real_plan, key, value, message, shown):
    item = Item("indicator", Indicator.objects.get(plan=real_plan, key=key))
    report(item, 3, value=value, state=State.SUBMITTED)
    [finding] = progress_findings(real_plan)
    assert (finding.category, finding.severity, finding.subject, finding.message) == ("implausible", ERROR, item.obj.label, message)
    assert finding.places == (Place("Dec 2566", shown),)
    assert entry_link(item, 3) in finding.links


def test_a_result_to_date_that_goes_down(real_plan, lamp_item):
    report(lamp_item, 1, value=Decimal(10))
    report(lamp_item, 2, value=Decimal(30))
    report(lamp_item, 3, value=Decimal(20))
    report(lamp_item, 4)  # saved with nothing in it yet: not a report of zero
    [finding] = progress_findings(real_plan)
    assert (finding.category, finding.severity, finding.subject) == ("decreasing", WARNING, lamp_item.obj.label)
    assert finding.places == (Place("Nov 2566", "30 ดวง"), Place("Dec 2566", "20 ดวง"))
    assert entry_link(lamp_item, 3) in finding.links


def test_a_per_period_result_may_be_smaller_than_the_one_before(real_plan, lamp_item):
    report(lamp_item, 2, value=Decimal(30), value_is_cumulative=False)
    report(lamp_item, 3, value=Decimal(20), value_is_cumulative=False)
    assert progress_findings(real_plan) == []


def test_a_disbursement_to_date_that_goes_down(real_plan, canal_project):
    report(canal_project, 2, percent_complete=Decimal(20), disbursed=Decimal(50000))
    report(canal_project, 3, percent_complete=Decimal(30), disbursed=Decimal(40000))
    [finding] = progress_findings(real_plan)
    assert (finding.category, finding.severity, finding.subject) == ("decreasing", WARNING, str(canal_project.obj))
    assert finding.places == (Place("Nov 2566", "50,000 baht"), Place("Dec 2566", "40,000 baht"))
    assert finding.links == (Link("Project page", reverse("projects:detail", args=[canal_project.obj.pk])),
                             entry_link(canal_project, 3))


def test_disbursement_above_the_budget(real_plan, canal_project):
    assert canal_project.obj.budget == Decimal("329100.00")
    report(canal_project, 2, percent_complete=Decimal(80), disbursed=Decimal("329100"))  # all of it: fine
    report(canal_project, 3, percent_complete=Decimal(90), disbursed=Decimal("350000.50"), state=State.ENDORSED)
    [finding] = progress_findings(real_plan)
    assert (finding.category, finding.severity, finding.subject) == ("over-budget", ERROR, str(canal_project.obj))
    assert finding.message == "The budget disbursed to date is more than the project's budget of 329,100 baht."
    assert finding.places == (Place("Dec 2566", "350,000.5 baht"),)
    assert entry_link(canal_project, 3) in finding.links


def test_percent_complete_going_down(real_plan, canal_project):
    report(canal_project, 1, percent_complete=Decimal(50))
    report(canal_project, 2, percent_complete=Decimal("42.5"))
    report(canal_project, 3, percent_complete=Decimal(60))
    [finding] = progress_findings(real_plan)
    assert (finding.category, finding.severity, finding.subject) == ("completion", WARNING, str(canal_project.obj))
    assert finding.places == (Place("Oct 2566", "50%"), Place("Nov 2566", "42.5%"))
    assert entry_link(canal_project, 2) in finding.links


def test_a_condition_confirmed_without_evidence(cast, period, drains):
    """The assessment checks the evidence when it is saved; a file removed afterwards
    leaves the level standing on nothing, and only this finding shows it."""
    condition = RubricCondition.objects.filter(level__rubric__indicator=drains.obj, kind="checklist").order_by("pk").first()
    entry = entry_save(user=cast.staff, plan=cast.plan, period=period, item=drains,
                       data={"value": Decimal(40), "narrative": "ทำความสะอาดท่อแล้ว"}, version=None)
    name, content = _image("drains", 3)
    evidence = evidence_add(user=cast.staff, entry=entry, upload=SimpleUploadedFile(name, content))
    assessment_save(user=cast.planner, indicator=drains.obj, period=period, kind="self", measures={},
                    confirmed=[checklist_key(condition)], comment="", version=0)
    assert of(progress_findings(cast.plan), "evidence") == []

    evidence_remove(user=cast.staff, evidence=evidence)
    [finding] = progress_findings(cast.plan)
    assert (finding.category, finding.severity, finding.subject) == ("evidence", ERROR, drains.obj.label)
    assert finding.message == ("The self-assessment confirms conditions that need evidence, but no evidence file is "
                               "attached to the indicator's reports of Dec 2566.")
    [place] = finding.places
    assert place.where == f"Dec 2566, level {condition.level.level}"
    assert place.value.rstrip("…") in " ".join(condition.text.split())
    assert Link("Assessment of Dec 2566", reverse("progress:assessment", args=[period.pk, drains.obj.pk]) + "?kind=self") \
        in finding.links


def test_findings_speak_thai(real_plan, lamp_item, canal_project):
    report(lamp_item, 3, value=Decimal(1250))
    report(canal_project, 3, disbursed=Decimal(400000))
    with translation.override("th"):
        implausible, over_budget = progress_findings(real_plan)
    assert implausible.message == "ผลสะสมมากกว่า ๓ เท่าของเป้าหมายทั้งปี ๗๐ ดวง"
    assert implausible.places == (Place("ธ.ค. ๒๕๖๖", "๑,๒๕๐ ดวง"),)
    assert over_budget.message == "งบประมาณที่เบิกจ่ายสะสมมากกว่างบประมาณของโครงการ ๓๒๙,๑๐๐ บาท"
    assert over_budget.places == (Place("ธ.ค. ๒๕๖๖", "๔๐๐,๐๐๐ บาท"),)
    assert over_budget.links[0].label == "หน้าโครงการ"
    assert over_budget.links[1].label == "รายงานของ ธ.ค. ๒๕๖๖ โดยฝ่ายโยธา"


def test_queries_do_not_grow_with_reports(real_plan, lamp_item, canal_project, drains, django_assert_max_num_queries):
    """The real plan's full year of demo reports (the later quarters' shares above 100
    among them) with a problem of each kind: every query is per plan, none per report,
    item or finding."""
    condition = RubricCondition.objects.filter(level__rubric__indicator=drains.obj, kind="checklist").first()

    def plant():
        ProgressEntry.objects.filter(period=month(12), indicator=lamp_item.obj).delete()
        ProgressEntry.objects.filter(period=month(12), project=canal_project.obj).delete()
        report(lamp_item, 12, value=Decimal(-1))
        report(canal_project, 12, percent_complete=Decimal(1), disbursed=Decimal(10 ** 7))
        Assessment.objects.get_or_create(indicator=drains.obj, period=month(12), kind="self",
                                         defaults={"confirmed": [checklist_key(condition)]})

    add_demo_quarter(real_plan, 1)
    plant()
    with CaptureQueriesContext(connection) as one_quarter:
        few = progress_findings(real_plan)
    for quarter in (2, 3, 4):
        ProgressEntry.objects.filter(period=month(12)).delete()  # the plants' month, planted again below
        add_demo_quarter(real_plan, quarter)
    plant()
    assert ProgressEntry.objects.filter(plan=real_plan).count() > 1000
    with django_assert_max_num_queries(len(one_quarter)):
        many = progress_findings(real_plan)
    assert {f.category for f in few} == {"implausible", "completion", "over-budget", "evidence"}
    assert len(many) > len(few)


def test_the_planner_can_open_every_link(client, cast, lamp_item, canal_project, drains):
    report(lamp_item, 3, value=Decimal(-5))
    report(canal_project, 3, disbursed=Decimal(400000))
    condition = RubricCondition.objects.filter(level__rubric__indicator=drains.obj, kind="checklist").first()
    Assessment.objects.create(indicator=drains.obj, period=month(3), kind="evaluator", confirmed=[checklist_key(condition)])
    findings = progress_findings(cast.plan)
    assert {f.category for f in findings} == {"implausible", "over-budget", "evidence"}
    client.force_login(cast.planner)
    for url in {link.url for f in findings for link in f.links}:
        assert client.get(url).status_code == 200, url
