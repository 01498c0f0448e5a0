"""checkplan on a small hand-made plan with planted inconsistencies."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from plandoc.checks import check_plan
from plans.models import Variant
from projects.models import KeyResultLink, ProjectIndicator
from tests.factories import (
    DivisionFactory,
    IndicatorFactory,
    PlanFactory,
    PrintedTotalFactory,
    ProjectFactory,
    RubricFactory,
    RubricLevelFactory,
    WorkStepFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def plan():
    plan = PlanFactory()
    roads = DivisionFactory(organization=plan.organization, name="ฝ่ายโยธา", short_name="โยธา")
    a = ProjectFactory(plan=plan, section=2, sequence="1", budget=Decimal("1000"), division=roads, division_text="ฝ่ายโยธา")
    ProjectFactory(plan=plan, section=2, sequence="2", budget=Decimal("2500"), division=roads, division_text="ฝ่ายเทคนิค")
    ProjectFactory(plan=plan, section=2, sequence="2", budget=None, budget_text="-")
    PrintedTotalFactory(plan=plan, section=2, amount=Decimal("4000"), count=2)
    routine = ProjectFactory(plan=plan, section=3, budget=Decimal("999"))
    ProjectFactory(plan=plan, section=1, budget=Decimal("1000"), same_as=routine)
    okr = IndicatorFactory(plan=plan, code="1.1.01")
    ProjectIndicator.objects.create(project=a, indicator=okr, printed="OKR ๑.๑.๐๙")
    Variant.objects.create(
        plan=plan, content_type=ContentType.objects.get_for_model(okr), object_id=okr.pk,
        field="code", value="1.1.10", source="ตาราง ข",
    )
    IndicatorFactory(plan=plan, code="1.1.01", name="อีกตัวหนึ่ง")
    KeyResultLink.objects.create(plan=plan, project=a, budget=Decimal("1200"), kr_text="x", project_text="y")
    KeyResultLink.objects.create(plan=plan, project=None, project_text="โครงการที่ไม่มี")
    rubric = RubricFactory(indicator__plan=plan, indicator__weight=10)
    for level, points in [(5, 10), (4, 8), (3, 5), (2, 4)]:
        RubricLevelFactory(rubric=rubric, level=level, points=points)
    WorkStepFactory(project=a, weight=30)
    WorkStepFactory(project=a, weight=60)
    return plan


def categories(findings, category):
    return [str(f) for f in findings if f.category == category]


def test_it_compares_printed_totals_and_counts(plan):
    findings = check_plan(plan)
    assert any("4,000" in m and "3,500" in m for m in categories(findings, "total"))
    assert any("printed count is 2" in m and "3 rows" in m for m in categories(findings, "count"))


def test_it_reports_a_sequence_number_printed_twice(plan):
    assert len([m for m in categories(check_plan(plan), "count") if "number 2 is printed for 2" in m]) == 1


def test_it_reports_amounts_that_differ_between_sections(plan):
    amounts = categories(check_plan(plan), "amount")
    assert any("๙๙๙" in m and "๑,๐๐๐" in m for m in amounts)
    assert any("1,200" in m or "๑,๒๐๐" in m for m in amounts)


def test_it_reports_codes_written_two_ways_and_shared_codes(plan):
    codes = categories(check_plan(plan), "code")
    assert any("1.1.10" in m for m in codes)
    assert any("One code is printed for 2 different indicators" in m for m in codes)


def test_it_reports_links_to_codes_that_do_not_exist(plan):
    refs = categories(check_plan(plan), "reference")
    assert any("๑.๑.๐๙" in m for m in refs)
    assert any("โครงการที่ไม่มี" in m for m in refs)


def test_it_reports_a_division_the_organization_does_not_have(plan):
    assert any("ฝ่ายเทคนิค" in m for m in categories(check_plan(plan), "reference"))


def test_it_reports_incomplete_or_wrong_rubrics(plan):
    rubric = categories(check_plan(plan), "formula")
    assert any("4 levels" in m for m in rubric)
    assert any("Level 3 gives 5 points" in m for m in rubric)


def test_it_reports_work_steps_not_adding_up_to_100(plan):
    assert any("add up to 90%" in m for m in categories(check_plan(plan), "total"))


def test_a_consistent_plan_has_no_findings():
    plan = PlanFactory()
    ProjectFactory(plan=plan, section=2, sequence="1", budget=Decimal("1000"))
    PrintedTotalFactory(plan=plan, section=2, amount=Decimal("1000"), count=1)
    assert check_plan(plan) == []


def test_it_changes_nothing(plan):
    before = [(p.pk, p.budget, p.sequence) for p in plan.projects.order_by("pk")]
    check_plan(plan)
    assert [(p.pk, p.budget, p.sequence) for p in plan.projects.order_by("pk")] == before


def test_its_query_count_does_not_grow_with_the_plan(plan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(n):
        for i in range(n):
            ProjectFactory(plan=plan, section=2, sequence=f"{n}-{i}", budget=Decimal("1"), division_text="ฝ่ายอื่น",
                           division=plan.organization.divisions.first())
            ind = IndicatorFactory(plan=plan)
            Variant.objects.create(plan=plan, content_type=ContentType.objects.get_for_model(ind), object_id=ind.pk,
                                   field="name", value="สะกดอีกแบบ", source="ตาราง ข")

    grow(1)
    with CaptureQueriesContext(connection) as small:
        check_plan(plan)
    grow(20)
    with CaptureQueriesContext(connection) as large:
        check_plan(plan)
    assert len(large) == len(small)


# Issue 15: each comparison finds its planted disagreement and stays silent on a
# consistent plan; each kind of noise the document prints produces nothing.

def variant(record, field, value, source="ส่วนที่ ๔ ตาราง ง"):
    return Variant.objects.create(plan=record.plan, content_type=ContentType.objects.get_for_model(record),
                                  object_id=record.pk, field=field, value=value, source=source)


@pytest.fixture
def quiet():
    """A plan whose tables agree except in style."""
    return PlanFactory()


def only(findings, category=None):
    return [f for f in findings if category is None or f.category == category]


def test_a_budget_printed_as_dash_is_compared_with_the_amount_elsewhere(quiet):
    project = ProjectFactory(plan=quiet, section=3, budget=Decimal("6453000"))
    KeyResultLink.objects.create(plan=quiet, project=project, budget=None, budget_text="-", kr_text="x", order=3)
    [found] = only(check_plan(quiet), "amount")
    assert found.severity == "error"
    assert [p.value for p in found.places] == ["-", "๖,๔๕๓,๐๐๐"]
    assert "ตาราง ง" in found.places[0].where and "๓" in found.places[0].where


def test_a_dash_for_a_project_without_an_amount_is_no_disagreement(quiet):
    project = ProjectFactory(plan=quiet, section=2, budget=None, budget_text="-")
    KeyResultLink.objects.create(plan=quiet, project=project, budget=None, budget_text="-", kr_text="x")
    assert check_plan(quiet) == []


def test_a_blank_policy_code_is_compared_with_the_code_elsewhere(quiet):
    project = ProjectFactory(plan=quiet, section=2, policy_text="P๐๔๒ OKR ๗.๒.๐๕")
    variant(project, "policy_text", "", source="ส่วนที่ ๒ สรุปโครงการ")
    [found] = only(check_plan(quiet))
    assert found.category == "code"
    assert [p.value for p in found.places] == ["P๐๔๒ OKR ๗.๒.๐๕", "(empty)"]


def test_a_policy_code_printed_without_its_okr_suffix_is_no_finding(quiet):
    project = ProjectFactory(plan=quiet, section=2, policy_text="P๐๐๑ (OKR ๑.๑.๐๓)")
    variant(project, "policy_text", "P๐๐๑", source="ส่วนที่ ๒ สรุปโครงการ")
    variant(project, "policy_text", "P 001", source="ส่วนที่ ๔ ตาราง ข")
    assert check_plan(quiet) == []


def test_a_different_policy_code_is_a_finding(quiet):
    project = ProjectFactory(plan=quiet, section=2, policy_text="P๐๐๑ (OKR ๑.๑.๐๓)")
    variant(project, "policy_text", "P๐๐๒", source="ส่วนที่ ๒ สรุปโครงการ")
    assert [f.category for f in check_plan(quiet)] == ["code"]


def test_a_target_whose_unit_sits_in_its_own_column_is_no_finding(quiet):
    okr = IndicatorFactory(plan=quiet, unit="จุด", target_text="๔๗๙ จุด (๑๑,๔๐๖ ราย)")
    variant(okr, "target_text", "๔๗๙ (๑๑,๔๐๖)")
    variant(okr, "unit", "จุด (ราย)")
    other = IndicatorFactory(plan=quiet, unit="ร้อยละ", target_text="ร้อยละ ๑๐๐")
    variant(other, "target_text", "100")
    third = IndicatorFactory(plan=quiet, unit="จุด", target_text="๕๐ จุด")
    variant(third, "target_text", "๕๐ (สะสม)")
    okr.targets.create(value=479, unit="จุด")
    okr.targets.create(value=11406, unit="ราย", order=1)
    assert check_plan(quiet) == []


def test_a_target_with_other_numbers_is_a_target_finding(quiet):
    okr = IndicatorFactory(plan=quiet, unit="ดวง", target_text="๑๘,๘๗๘ ดวง")
    variant(okr, "target_text", "(สนย.) ๑๓,๐๐๐ ดวง (สนข.) ๑๘,๘๗๘ ดวง")
    variant(okr, "targets", "สนย. 13000 ดวง; สนข. 18878 ดวง")  # the same cell read as numbers
    [found] = check_plan(quiet)
    assert (found.category, found.severity) == ("target", "error")
    assert len(found.places) == 2


def test_the_same_numbers_with_other_agency_names_is_a_name_finding(quiet):
    okr = IndicatorFactory(plan=quiet, unit="ต้น", target_text="๒๐๐,๐๐๐ (สสส. ๕๐,๐๐๐ ต้น สนข. ๑๕๐,๐๐๐ ต้น)")
    variant(okr, "target_text", "๒๐๐,๐๐๐ (สสล. ๕๐,๐๐๐ ต้น สนข. ๑๕๐,๐๐๐ ต้น)", source="ส่วนที่ ๔ ตาราง ข")
    variant(okr, "target_text", "๒๐๐,๐๐๐ (สสจ. ๕๐,๐๐๐ ต้น สนช. ๑๕๐,๐๐๐ ต้น)")
    [found] = check_plan(quiet)
    assert (found.category, found.severity) == ("name", "warning")
    assert len(found.places) == 3  # one disagreement, printed three ways


def test_another_unit_is_a_unit_finding(quiet):
    okr = IndicatorFactory(plan=quiet, unit="ชุมชน", target_text="๒,๐๑๐ ชุมชน")
    okr.targets.create(value=2010, unit="ชุมชน")
    variant(okr, "unit", "ข้อมูล")
    variant(okr, "targets", "2010 ข้อมูล")
    variant(okr, "target_text", "๒,๐๑๐")
    [found] = check_plan(quiet)
    assert found.category == "unit"
    assert {p.value for p in found.places} == {"ชุมชน", "ข้อมูล"}


def test_the_targets_are_shown_as_numbers_never_as_a_manager(quiet):
    kpi = IndicatorFactory(plan=quiet, unit="")
    kpi.targets.create(value=80, unit="เปอร์เซนต์ไทม์")
    variant(kpi, "targets", "80 เปอร์เซนต์ไทล์", source="ส่วนที่ ๔ ตาราง ก")
    [found] = check_plan(quiet)
    assert found.category == "unit"
    assert "IndicatorTarget" not in str(found) and "80 เปอร์เซนต์ไทม์" in [p.value for p in found.places]


def test_area_names_with_the_prefix_and_shortened_names_are_no_findings(quiet):
    from plans.models import StrategyNode

    area = StrategyNode.objects.create(plan=quiet, level=StrategyNode.Level.DEVELOPMENT_AREA, code="1", title="เดินทางดี")
    variant(area, "title", "ด้านเดินทางดี")
    project = ProjectFactory(plan=quiet, section=2, name="ขุดลอกท่อ (กม.)")
    variant(project, "name", "ขุดลอกท่อ", source="ส่วนที่ ๒ สรุปโครงการ")
    long = ProjectFactory(plan=quiet, section=2, name="โครงการจัดระเบียบผู้ค้าหาบเร่ - แผงลอย (ยกเลิก/ยุบรวมพื้นที่)")
    variant(long, "name", "โครงการจัดระเบียบผู้ค้าหาบเร่ – แผงลอย", source="ส่วนที่ ๒ สรุปโครงการ")
    quoted = IndicatorFactory(plan=quiet, name='ปริมาณขยะภายใต้โครงการ "ไม่เทรวม"')
    variant(quoted, "name", "ปริมาณขยะภายใต้โครงการ “ไม่เทรวม”")
    spaced = IndicatorFactory(plan=quiet, name="พัฒนาถนนสวย ๕๐ เขต")
    variant(spaced, "name", "พัฒนาถนนสวย  50 เขต")
    division = DivisionFactory(organization=quiet.organization, name="ฝ่ายพัฒนาชุมชนและสวัสดิการสังคม")
    abbreviated = ProjectFactory(plan=quiet, section=3, division=division, division_text="ฝ่ายพัฒนาชุมชนและสวัสดิการสังคม")
    variant(abbreviated, "division_text", "ฝ่ายพัฒนาชุมชนฯ", source="ส่วนที่ ๓ สรุปโครงการ")
    assert check_plan(quiet) == []


def test_a_name_that_is_not_a_shortening_is_a_name_finding(quiet):
    from plans.models import StrategyNode

    area = StrategyNode.objects.create(plan=quiet, level=StrategyNode.Level.DEVELOPMENT_AREA, code="6", title="เรียนดี")
    variant(area, "title", "ด้านเรียนรู้")
    project = ProjectFactory(plan=quiet, section=2, name="ปลุกต้นไม้ (ต้น)")
    variant(project, "name", "ปลูกต้นไม้ (ต้น)", source="ส่วนที่ ๒ สรุปโครงการ")
    found = check_plan(quiet)
    assert [(f.category, f.severity) for f in found] == [("name", "warning")] * 2


def test_a_total_printed_twice_is_one_finding(quiet):
    ProjectFactory(plan=quiet, section=2, sequence="1", budget=Decimal("1000"))
    PrintedTotalFactory(plan=quiet, section=2, label="รวมงบประมาณทั้งสิ้น", amount=Decimal("1040"))
    PrintedTotalFactory(plan=quiet, section=2, label="รวมจำนวน", amount=Decimal("1040"), count=1)
    [found] = check_plan(quiet)
    assert found.category == "total"
    assert [p.value for p in found.places] == ["๑,๐๔๐", "๑,๐๔๐", "๑,๐๐๐"]


def test_a_cumulative_percent_is_compared_with_the_step_weights(quiet):
    project = ProjectFactory(plan=quiet, section=3)
    WorkStepFactory(project=project, number=4, weight=None, cumulative_percent=None)  # lost in the document
    WorkStepFactory(project=project, number=5, weight=50, cumulative_percent=50, months=[3])
    WorkStepFactory(project=project, number=6, weight=7, cumulative_percent=64, months=[4])
    [found] = check_plan(quiet)
    assert found.category == "total"
    assert "Step 6" in found.message and "57%" in found.message
    assert [p.value for p in found.places] == ["๕๐", "๖๔"]


def test_steps_out_of_month_order_are_a_schedule_finding(quiet):
    project = ProjectFactory(plan=quiet, section=3)
    WorkStepFactory(project=project, number=1, weight=50, cumulative_percent=50, months=[5])
    WorkStepFactory(project=project, number=2, weight=50, cumulative_percent=100, months=[3])
    [found] = check_plan(quiet)
    assert (found.category, found.severity) == ("schedule", "warning")


def test_steps_in_order_that_add_up_are_no_finding(quiet):
    project = ProjectFactory(plan=quiet, section=3)
    WorkStepFactory(project=project, number=1, weight=50, cumulative_percent=50, months=[3])
    WorkStepFactory(project=project, number=2, weight=50, cumulative_percent=100, months=[3, 4])
    assert check_plan(quiet) == []


def test_every_finding_links_to_the_records_involved_and_names_its_places(plan):
    for found in check_plan(plan):
        assert found.links, found
        assert all(link.url.startswith("/admin/") for link in found.links)


def test_messages_are_thai_in_thai(plan):
    with translation.override("th"):
        found = check_plan(plan)
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in f.message) for f in found), [f.message for f in found]


def test_a_tone_mark_more_is_not_a_shortening(quiet):
    park = IndicatorFactory(plan=quiet, name="จำนวนสวน ๑๕ นาที่")
    variant(park, "name", "จำนวนสวน ๑๕ นาที")
    assert [f.category for f in check_plan(quiet)] == ["name"]


def test_a_step_marked_in_another_month_than_its_text_names_is_a_schedule_error(quiet):
    project = ProjectFactory(plan=quiet, section=3)
    WorkStepFactory(project=project, number=1, weight=50, cumulative_percent=50, months=[6], name="รายงานประจำเดือนมีนาคม ๒๕๖๗")
    WorkStepFactory(project=project, number=2, weight=50, cumulative_percent=100, months=[6], name="รายงานประจำเดือนเมษายน ๒๕๖๗")
    [found] = check_plan(quiet)
    assert (found.category, found.severity) == ("schedule", "error")
    assert [p.value for p in found.places] == ["เดือนเมษายน", "มี.ค."]


def test_recorded_disagreements_are_listed_with_their_places(quiet):
    from plans.models import Discrepancy

    project = ProjectFactory(plan=quiet, section=1)
    Discrepancy.objects.create(plan=quiet, category="amount", subject=project, what="งบประมาณโครงการ",
                               places=[{"where": "ส่วนที่ ๑", "value": "๑,๓๘๕,๐๐๐"}, {"where": "ตาราง ก", "value": "๔๘๕,๕๐๐"}])
    [found] = check_plan(quiet)
    assert (found.category, found.severity, found.recorded) == ("amount", "error", True)
    assert found.subject == str(project) and "งบประมาณโครงการ" in found.message
    assert [p.value for p in found.places] == ["๑,๓๘๕,๐๐๐", "๔๘๕,๕๐๐"]
    assert len(found.links) == 2  # the project and the record itself


def test_an_area_name_missing_a_word_is_a_name_finding(quiet):
    from plans.models import StrategyNode

    area = StrategyNode.objects.create(plan=quiet, level=StrategyNode.Level.DEVELOPMENT_AREA, code="8", title="สังคมดี")
    variant(area, "title", "ด้านสังคม")
    assert [f.category for f in check_plan(quiet)] == ["name"]


def test_a_starred_key_result_part_2_does_not_list_is_a_reference_finding(quiet):
    IndicatorFactory(plan=quiet, kind="okr", code="8.1.07", starred=True, summary_order=50, part2_order=None)
    IndicatorFactory(plan=quiet, kind="okr", code="8.1.05", starred=True, summary_order=49, part2_order=3)
    IndicatorFactory(plan=quiet, kind="okr", code="1.1.02", starred=False, summary_order=2, part2_order=None)
    [found] = check_plan(quiet)
    assert found.category == "reference" and "8.1.07" in found.subject
