"""Report builders: plain contexts with every query done up front and every number from
the domain functions (progress.status, progress.budget)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

from kpiplan.lib.charts import (
    ACTUAL_COLOUR,
    ALLOCATED_COLOUR,
    DISBURSED_COLOUR,
    PLANNED_COLOUR,
    STATUS_COLOURS,
    budget_bar_svg,
    s_curve_month_x,
    s_curve_svg,
    stacked_bar_svg,
    swatch_svg,
)
from plans.models import Division, Period, StrategyNode, WorkGroup
from progress.budget import ExecutionRow, SCurve, budget_execution, budget_totals, s_curve
from progress.models import ProgressEntry
from progress.status import IndicatorStatus, indicator_statuses
from projects.calculations import Execution
from projects.calculations import execution as calc_execution
from projects.models import Project
from traffy.evidence import Evidence, indicator_evidence, is_traffy_indicator


@dataclass
class IndicatorLine:
    status: IndicatorStatus
    entry: ProgressEntry | None
    traffy: Evidence | None = None  # indicator 1.2: the Traffy tickets behind its result


@dataclass
class ProjectLine:
    execution: ExecutionRow  # the numbers as budget_execution gives them (the Excel file uses them too)
    entry: ProgressEntry | None
    number: int = 0  # 1..n down the division's table (the plan's own numbers restart in every group)
    name: str = ""
    budget_note: str = ""  # what the plan prints for a budget that is not an amount, unless "-"
    counted_as: Project | None = None  # a repeat of this project's row in another section: not in the totals
    counted_number: int | None = None  # that row's number in this table, when it is in it

    @property
    def budget(self) -> Decimal | None:
        """None where the plan prints no amount ("-" or a note), so the report prints "-", not ๐."""
        return self.execution.project.budget

    @property
    def disbursed(self) -> Decimal | None:
        ex = self.execution.execution
        return None if self.budget is None and not ex.disbursed else ex.disbursed


@dataclass
class ProjectGroup:
    """Rows under one heading: the plan's section, then (Part 3) the work group or (a
    sub-item) the project it belongs to, in the plan's order."""
    section_label: str | Promise  # set on the first group of a section only (lazy: rendered in the report's language)
    name: str  # "" when the rows sit directly under the section
    lines: list[ProjectLine] = field(default_factory=list)


@dataclass
class DivisionSection:
    division: Division
    indicators: list[IndicatorLine] = field(default_factory=list)
    projects: list[ProjectLine] = field(default_factory=list)
    groups: list[ProjectGroup] = field(default_factory=list)
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)

    @property
    def percent(self) -> Decimal | None:
        return Execution(self.allocated, self.disbursed).percent

    @property
    def total_allocated(self) -> Decimal | None:
        """The subtotal as printed: "-" (None) when no row of the division has an amount."""
        return self.allocated if any(line.budget is not None for line in self.projects if line.counted_as is None) else None

    @property
    def total_disbursed(self) -> Decimal | None:
        return self.disbursed if self.total_allocated is not None or self.disbursed else None

    @property
    def repeats(self) -> list[ProjectLine]:
        return [line for line in self.projects if line.counted_as is not None]


def _group_projects(sec: DivisionSection, work_groups: dict[int, str], parents: dict[int, str], section_labels: dict) -> None:
    """Headings and numbers of a division's project rows: grouped as the plan groups them
    (a group keeps the place of its first row), numbered 1..n in the order printed."""
    groups: dict[tuple, ProjectGroup] = {}
    for line in sec.projects:
        p = line.execution.project
        if p.section == Project.Section.PART3:
            name = work_groups.get(p.work_group_id, "")
        else:
            name = parents.get(p.parent_id, "")
        key = (p.section, name)
        if key not in groups:
            groups[key] = ProjectGroup("", name)
        groups[key].lines.append(line)
    ordered = sorted(groups.values(), key=lambda g: g.lines[0].execution.project.section)
    seen_sections = set()
    number = 0
    for group in ordered:
        section = group.lines[0].execution.project.section
        if section not in seen_sections:
            seen_sections.add(section)
            group.section_label = section_labels[section]
        for line in group.lines:
            number += 1
            line.number = number
    sec.groups = ordered
    numbers = {line.execution.project.pk: line.number for line in sec.projects}
    for line in sec.repeats:
        line.counted_number = numbers.get(line.counted_as.pk)


def quarterly_progress(plan, quarter: int, division: Division | None = None) -> dict:
    """Quarterly progress of an organization (or one division): numbers to the end of the
    quarter's last month, the latest submitted report of each item up to then. A project
    the plan lists in two sections is counted once in every total (projects.calculations.
    repeated_lines); the report says so."""
    month_number = quarter * 3
    month = Period.objects.get(fiscal_year_id=plan.fiscal_year_id, kind=Period.Kind.MONTH, number=month_number)
    statuses = indicator_statuses(plan, month)
    execution = budget_execution(plan, month_number)
    latest: dict[tuple[str, int], ProgressEntry] = {}
    entries = (
        ProgressEntry.objects.filter(plan=plan, period__fiscal_year_id=plan.fiscal_year_id, period__kind=Period.Kind.MONTH,
                                     period__number__lte=month_number)
        .official().annotate(n_evidence=Count("evidence")).select_related("period").order_by("period__number")
    )
    for e in entries:
        latest[("indicator", e.indicator_id) if e.indicator_id else ("project", e.project_id)] = e
    sections: dict[int, DivisionSection] = {}
    divisions = {d.pk: d for d in Division.objects.filter(organization_id=plan.organization_id)}
    work_groups = dict(WorkGroup.objects.filter(division__organization_id=plan.organization_id).values_list("pk", "name"))
    parents = dict(Project.objects.filter(plan=plan, children__isnull=False).distinct().values_list("pk", "name"))
    counted = {r.line.pk: r.counted for r in execution["repeats"]}  # a project listed in two parts

    def section(division_id):
        if division_id not in sections:
            sections[division_id] = DivisionSection(divisions[division_id])
        return sections[division_id]

    for s in statuses:
        # Only the plan that has indicator 1.2 pays the two Traffy queries, once.
        evidence = indicator_evidence(plan.organization_id, plan.fiscal_year_id, month_number) if is_traffy_indicator(s.indicator) else None
        section(s.indicator.division_id).indicators.append(IndicatorLine(s, latest.get(("indicator", s.indicator.pk)), evidence))
    for row in execution["projects"]:
        p = row.project
        if p.division_id is None:
            continue
        sec = section(p.division_id)
        note = p.budget_text.strip() if p.budget is None and p.budget_text.strip() not in ("", "-") else ""
        counted_as = counted.get(p.pk)
        sec.projects.append(ProjectLine(row, latest.get(("project", p.pk)), name=p.name, budget_note=note, counted_as=counted_as))
        if counted_as is None:
            sec.allocated += row.execution.allocated
            sec.disbursed += row.execution.disbursed
    section_labels = dict(Project.Section.choices)
    for sec in sections.values():
        _group_projects(sec, work_groups, parents, section_labels)
    ordered = sorted(sections.values(), key=lambda s: s.division.order)
    if division is not None:
        ordered = [s for s in ordered if s.division.pk == division.pk]
    counts = defaultdict(int)
    for sec in ordered:
        for line in sec.indicators:
            counts[line.status.status.value] += 1
    whole = division is None
    return {
        "plan": plan, "quarter": quarter, "month": month, "division": division, "sections": ordered,
        # The plan's total counts a project listed in two parts once; the parts' totals as
        # the document prints them add up to more, and the note says by how much.
        "status_counts": dict(counts), "budget": execution["plan"] if whole else None,
        "budget_as_printed": calc_execution([(s.execution.allocated, s.execution.disbursed) for s in execution["sections"]])
        if whole else None,
        "repeats": [line for sec in ordered for line in sec.repeats],
    }


# -- executive summary ------------------------------------------------------------------

STATUS_ORDER = ("on_track", "at_risk", "off_track", "not_reported", "no_target")
CHART_WIDTH = 400  # px: the bars and S-curves are drawn at their own size in the PDF
BUDGET_BAR_WIDTH = 215  # leaves the section names room for one line
CURVE_WIDTH = 196  # three S-curves side by side across the portrait text area (16 cm)
S_CURVE_HEIGHT = 96
CURVE_FONT_PX = 14.7  # the axis digits at 11 pt, like the smallest words of the page


@dataclass
class AreaLine:
    """Indicators under one top-level element of the strategy framework (a Part 1
    dimension or a Part 2 development area); node None: indicators placed nowhere in it."""
    node: StrategyNode | None
    counts: dict[str, int]
    total: int
    bar: str
    folded: int = 0  # > 0: this line sums that many further areas, to keep to two pages


@dataclass
class BudgetLine:
    label: str
    execution: Execution
    bar: str


@dataclass
class AttentionLine:
    status: IndicatorStatus
    division: Division | None


@dataclass
class CurveLine:
    project: Project
    execution: ExecutionRow | None
    curve: SCurve
    chart: str

    @property
    def months(self) -> list[tuple[float, float, str]]:
        """Month names under a small chart, each in a box three months wide centred on its
        point (left edge and width in px): every third month (Oct, Jan, Apr, Jul), as twelve names
        at 11 pt do not fit a third of the page."""
        n = len(self.curve.labels)
        box = 3 * (s_curve_month_x(1, n, CURVE_WIDTH) - s_curve_month_x(0, n, CURVE_WIDTH))
        return [(round(s_curve_month_x(i, n, CURVE_WIDTH) - box / 2, 1), round(box, 1), label)
                for i, label in enumerate(self.curve.labels) if i % 3 == 0]


def _safe(svg: str) -> str:
    return mark_safe(svg)  # noqa: S308 - built from numbers and escaped labels


def executive_summary(plan, month_number: int, *, largest: int = 3, list_limit: int = 10, area_limit: int = 12) -> dict:
    """At most two A4 pages for executives, to the end of fiscal month `month_number`:
    headline figures, status per development area, budget disbursement, S-curves of the
    largest projects, the indicators off track or not reported. Every number comes from
    indicator_statuses, budget_execution and s_curve; the queries do not grow with the data
    (the `largest` S-curves are a fixed few)."""
    month = Period.objects.get(fiscal_year_id=plan.fiscal_year_id, kind=Period.Kind.MONTH, number=month_number)
    statuses = indicator_statuses(plan, month)
    totals = budget_totals(plan, month_number)
    nodes = {n.pk: n for n in StrategyNode.objects.filter(plan=plan)}
    divisions = {d.pk: d for d in Division.objects.filter(organization_id=plan.organization_id)}

    counts = dict.fromkeys(STATUS_ORDER, 0)
    per_area: dict[int | None, dict[str, int]] = {}
    for s in statuses:
        counts[s.status.value] += 1
        top, seen = s.indicator.node_id, set()
        while top is not None and top not in seen and nodes[top].parent_id is not None:
            seen.add(top)
            top = nodes[top].parent_id
        per_area.setdefault(top, dict.fromkeys(STATUS_ORDER, 0))[s.status.value] += 1
    placed = sorted((pk for pk in per_area if pk is not None), key=lambda pk: nodes[pk].order)
    rows_: list[tuple[int | None, dict[str, int], int]] = [(pk, per_area[pk], 0) for pk in placed]
    if None in per_area:
        rows_.append((None, per_area[None], 0))
    if len(rows_) > area_limit:  # a city-sized plan: the areas beyond the limit share one line
        rest = rows_[area_limit - 1:]
        folded = {k: sum(c[k] for _pk, c, _n in rest) for k in STATUS_ORDER}
        rows_ = rows_[:area_limit - 1] + [(None, folded, sum(1 for pk, _c, _n in rest if pk is not None))]
    widest = max((sum(c.values()) for _pk, c, _n in rows_), default=0)
    areas = [AreaLine(nodes.get(pk) if pk else None, c, sum(c.values()),
                      _safe(stacked_bar_svg([(k, c[k]) for k in STATUS_ORDER], widest, width=CHART_WIDTH)), n)
             for pk, c, n in rows_]

    sections = [("", totals.plan.execution)] + [(row.label, row.execution) for row in totals.sections]
    biggest_budget = max((ex.allocated for _, ex in sections), default=Decimal(0))
    budget_lines = [BudgetLine(label, ex, _safe(budget_bar_svg(ex.allocated, ex.disbursed, ex.percent, biggest_budget,
                                                               width=BUDGET_BAR_WIDTH)))
                    for label, ex in sections]

    severity = {"off_track": 0, "not_reported": 1}
    attention = sorted((AttentionLine(s, divisions.get(s.indicator.division_id)) for s in statuses
                        if s.status.value in severity), key=lambda a: severity[a.status.status.value])

    # The largest budget lines, whatever their progress: a project without work steps
    # draws the percent complete its reports give (s_curve), one without reports an
    # empty curve, and the page says so.
    biggest = list(Project.objects.filter(plan=plan).budget_lines().select_related("plan", "division")
                   .order_by(F("budget").desc(nulls_last=True), "section", "order")[:largest])
    curves = []
    for p in biggest:
        curve = s_curve(p)
        planned = curve.planned if curve.weights_total else []  # no steps: no plan to draw (not a line at 0 %)
        chart = s_curve_svg(planned, curve.actual, curve.labels, width=CURVE_WIDTH, height=S_CURVE_HEIGHT, text_below=False,
                            font_size=CURVE_FONT_PX)
        curves.append(CurveLine(p, totals.row_of(p), curve, _safe(chart)))

    return {
        "plan": plan, "month": month, "indicator_count": len(statuses), "status_counts": counts,
        "budget": totals.plan, "budget_lines": budget_lines, "project_count": totals.project_count, "repeated": totals.repeated,
        "areas": areas, "attention": attention[:list_limit], "attention_more": max(len(attention) - list_limit, 0),
        "attention_count": len(attention), "curves": curves, "reported_curves": any(c.curve.reported for c in curves),
        "swatches": {  # legend keys; their words are in the template
            **{key: _safe(swatch_svg(colour)) for key, colour in
               {**STATUS_COLOURS, "allocated": ALLOCATED_COLOUR, "disbursed": DISBURSED_COLOUR}.items()},
            "planned": _safe(swatch_svg(PLANNED_COLOUR, line=True)),
            "actual": _safe(swatch_svg(ACTUAL_COLOUR, line=True, dashed=True)),
        },
    }
