"""The real FY 2567 plan of Phasi Charoen, loaded into PostgreSQL by the test setup,
checked against the totals and counts the document itself prints."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from indicators.models import Indicator
from plandoc.checks import check_plan, section_budget_sums, section_listed_counts
from plans.models import PlanStatement, PrintedTotal
from projects.models import KeyResultLink, Project, WorkStep

pytestmark = pytest.mark.django_db


def printed(plan, section, label_start):
    return PrintedTotal.objects.filter(plan=plan, section=section, label__startswith=label_start).first()


def test_part_1_lines_add_up_to_the_printed_total(real_plan):
    sums = section_budget_sums(real_plan)
    assert sums[1] == Decimal("2694800")
    assert printed(real_plan, 1, "รวมงบประมาณ").amount == sums[1]
    assert section_listed_counts(real_plan)[1] == 3


def test_part_3_lines_add_up_to_the_printed_total(real_plan):
    assert section_budget_sums(real_plan)[3] == Decimal("59752455")
    assert printed(real_plan, 3, "รวม").amount == Decimal("59752455")
    assert Project.objects.filter(plan=real_plan, section=3).count() == 44


def test_part_2_disagreement_is_reported_not_hidden(real_plan):
    """The document prints 35,294,295 baht and 38 projects, but its own rows add up to
    35,254,295 baht in 39 rows (no. 12 is printed twice)."""
    sums = section_budget_sums(real_plan)
    assert sums[2] == Decimal("35254295")
    assert printed(real_plan, 2, "รวมงบประมาณ").amount == Decimal("35294295")
    assert section_listed_counts(real_plan)[2] == 39
    with translation.override("en"):
        messages = [str(f) for f in check_plan(real_plan)]
    assert any("35,294,295" in m and "35,254,295" in m for m in messages)
    assert any("printed count is 38" in m and "39 rows" in m for m in messages)
    assert any(m.startswith("[count] Part 2, no. 12") for m in messages)


def test_front_matter_is_complete(real_plan):
    kinds = PlanStatement.objects.filter(plan=real_plan)
    assert kinds.filter(kind="vision").count() == 5
    assert kinds.filter(kind="mission").count() == 5
    assert kinds.filter(kind="subdistrict").count() == 7
    assert kinds.filter(kind="strength").count() == 7
    assert real_plan.area_km2 == Decimal("17.18")
    assert real_plan.organization.divisions.count() == 10


def test_part_1_keeps_the_bma_framework(real_plan):
    kpi = Indicator.objects.get(plan=real_plan, key="kpi:1.5.4.1")
    assert kpi.direction == Indicator.Direction.LOWER
    assert kpi.parent.key == "kr:1.5:1"
    assert kpi.node.code == "1.5.4" and kpi.node.parent.level == "objective"
    assert kpi.node.parent.parent.key == "sub:1.5"
    project = Project.objects.get(plan=real_plan, key="p1:3")
    assert project.strategy_code == "331011"
    assert list(project.policies.values_list("code", flat=True)) == ["P213"]
    assert project.budget == Decimal("1134000")


def test_okr_targets_keep_agency_splits(real_plan):
    trees = Indicator.objects.get(plan=real_plan, key="okr:4.1.01")
    splits = {(t.agency.short_name if t.agency else None, t.value) for t in trees.targets.select_related("agency")}
    assert (None, Decimal("200000")) in splits
    assert ("สนข.", Decimal("150000")) in splits
    assert ("สสล.", Decimal("50000")) in splits
    assert trees.lead_agency.short_name == "สสล."
    assert trees.starred


def test_table_c_rubrics_follow_their_weights(real_plan):
    agreement = Indicator.objects.filter(plan=real_plan, kind="agreement").prefetch_related("rubric__levels")
    weights = {i.code: i.weight for i in agreement}
    assert weights == {
        "1.1.1": 10, "1.1.2": 10, "1.1.3": 10, "1.2": 20, "1.3.1": 10, "1.3.2": 10,
    }
    for ind in agreement:
        points = sorted(level.points for level in ind.rubric.levels.all())
        step = ind.weight / 5
        assert points == [step * n for n in range(1, 6)], ind.code


def test_a_rubric_level_can_need_two_measures_at_once(real_plan):
    trees = Indicator.objects.get(plan=real_plan, code="1.1.2", kind="agreement")
    level3 = trees.rubric.levels.get(level=3)
    thresholds = list(level3.conditions.filter(kind="threshold").values_list("value", flat=True))
    assert sorted(thresholds) == [Decimal("60"), Decimal("100")]
    baselines = {(b.year, b.label): b.value for b in trees.baselines.all()}
    assert baselines[(2566, "ไม้ยืนต้น")] == Decimal("63822")


def test_table_d_links_city_key_results_to_projects(real_plan):
    links = KeyResultLink.objects.filter(plan=real_plan)
    assert links.count() == 49
    childcare = links.get(project__key="p2:6.1")
    assert childcare.budget == Decimal("43300") and childcare.project.budget == Decimal("32900")
    # Each row keeps the area it is printed under: the one-stop-service row is printed under
    # ด้านที่ ๙ although its objective cell prints ๘.๓ (an area-8 objective).
    oss = links.get(indicator__key="kr-d:9.1")
    assert oss.area.key == "area:9" and oss.objective.key == "obj:8.3"
    assert all(link.area_id for link in links)
    messages = [str(f) for f in check_plan(real_plan)]
    assert any("๔๓,๓๐๐" in m and "๓๒,๙๐๐" in m for m in messages)


def test_known_inconsistencies_are_reported(real_plan):
    out = StringIO()
    call_command("checkplan", plan=real_plan.pk, language="en", stdout=out)
    text = out.getvalue()
    assert "[code] OKR 2.1.07" in text and "ส่วนที่ ๔ ตาราง ข: 2.1.03" in text
    assert "refers to a code no indicator has" in text and "OKR ๘.๑.๐๘" in text
    assert "๑๗๕,๗๘๐" in text and "๑๗๕,๘๐๐" in text  # dengue project, Part 3 vs Part 1
    assert "[code] 1.2.01: One code is printed for 2 different indicators" in text
    assert "ฝ่ายเทคนิค; ส่วนที่ ๒ สรุปโครงการ: ฝ่ายเทศกิจ" in text


def test_table_e_keeps_the_surviving_work_steps(real_plan):
    steps = WorkStep.objects.filter(project__plan=real_plan, project__key="p3:1.4").order_by("number")
    assert [s.number for s in steps] == list(range(4, 12))
    assert steps.get(number=5).months == [3]  # December
    # Step 4's weight was lost with the top of its page: not a disagreement. Step 11's
    # printed cumulative ๗๓ is: ๖๔ + ๗ = ๗๑.
    [cumulative] = [f for f in check_plan(real_plan) if f.category == "total" and f.subject == str(steps[0].project)]
    assert [p.value for p in cumulative.places] == ["๖๔", "๗๓"]
    # Steps 9 and 10 are marked a month before the month their text names.
    months = [f for f in check_plan(real_plan) if f.category == "schedule"]
    assert [[p.value for p in f.places] for f in months] == [["เดือนเมษายน", "มี.ค."], ["เดือนพฤษภาคม", "เม.ย."]]


def test_loading_twice_is_refused_and_replace_gives_the_same_plan(real_plan):
    with pytest.raises(CommandError, match="already loaded"):
        call_command("loadplan", stdout=StringIO())
    before = (Project.objects.count(), Indicator.objects.count(), KeyResultLink.objects.count())
    call_command("loadplan", replace=True, stdout=StringIO())
    after = (Project.objects.count(), Indicator.objects.count(), KeyResultLink.objects.count())
    assert before == after


def test_loading_keeps_history_with_the_file_as_reason(real_plan):
    project = Project.objects.get(plan=real_plan, key="p1:1")
    record = project.history.first()
    assert record.history_change_reason == "นำเข้าจากไฟล์ phasi-charoen-2567/part1.yaml"


def test_what_a_table_prints_differently_is_kept_as_a_variant_of_that_table(real_plan):
    from plans.models import KR_KPI_SUMMARY_SOURCE, Variant, summary_table_source

    def variants(obj, source):
        return {(v.field, v.value) for v in Variant.objects.filter(plan=real_plan, object_id=obj.pk, source=source)
                if v.target == obj}

    # The summary table leaves the policy cell of ลำดับที่ ๑๓ and ๓๖ empty; their area tables print one.
    black_spot = Project.objects.get(plan=real_plan, key="p2:2.2")
    assert black_spot.policy_text == "OKR ๒.๑.๐๗" and ("policy_text", "") in variants(black_spot, summary_table_source(2))
    hawker = Project.objects.get(plan=real_plan, key="p2:7.1")
    assert ("policy_text", "") in variants(hawker, summary_table_source(2))
    assert ("division_text", "ฝ่ายเทศกิจ") in variants(hawker, summary_table_source(2))
    # The KR/KPI summary lists OKR 6.1.31 under 6.1; Part 2 under 6.3.
    school = Indicator.objects.get(plan=real_plan, key="okr:6.1.31")
    assert school.node.key == "obj:6.3" and ("node", "obj:6.1") in variants(school, KR_KPI_SUMMARY_SOURCE)


def test_part_2_places_its_own_okrs(real_plan):
    placed = list(Indicator.objects.filter(plan=real_plan, part2_order__isnull=False).order_by("part2_order")
                  .values_list("code", flat=True))
    assert len(placed) == 25 and placed[:3] == ["1.1.01", "1.1.03", "1.2.01"] and placed[-1] == "8.3.10"
    assert "1.1.02" not in placed and "8.1.07" not in placed  # the summary's and table ข's own
