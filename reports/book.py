"""The action plan book (แผนปฏิบัติราชการประจำปี) assembled from the data, in the
structure of the official document: front matter, Parts 1–3 with their totals and
Part 4 tables ก–ฉ. Every query is made here, up front; the template only presents."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from indicators.models import Indicator, RubricLevel
from kpiplan.lib.thai import to_thai_digits
from plans.checks import total_disagreements
from plans.models import Division, PlanStatement, PrintedTotal, StrategyNode
from projects.models import KeyResultLink, Project, WorkStep

LEVEL_PREFIX = {
    StrategyNode.Level.DIMENSION: "มิติที่",
    StrategyNode.Level.STRATEGY: "ยุทธศาสตร์ที่",
    StrategyNode.Level.SUB_STRATEGY: "ยุทธศาสตร์ย่อยที่",
    StrategyNode.Level.TACTIC: "กลยุทธ์",
}


def node_label(node: StrategyNode) -> str:
    """A framework element as the document heads it: 'ยุทธศาสตร์ย่อยที่ ๑.๕ เมืองสุขภาพดี',
    '๑. เดินทางดี' (development area), '๑.๑ เดินได้ เดินดี' (district objective)."""
    code = to_thai_digits(node.code)
    if node.level in LEVEL_PREFIX:
        return f"{LEVEL_PREFIX[node.level]} {code} {node.title}".replace("  ", " ")
    if node.level == StrategyNode.Level.DEVELOPMENT_AREA:
        return f"{code}. {node.title}" if code else node.title
    return f"{code} {node.title}".strip()


@dataclass
class TotalCheck:
    """A section's total from its lines beside what the document prints for it."""

    computed: Decimal
    count: int
    printed: list[PrintedTotal] = field(default_factory=list)

    @property
    def disagreements(self) -> list[dict]:
        return total_disagreements(self.printed, self.computed, self.count)


@dataclass
class Part1Block:
    """One objective of the BMA plan with its headings, key results, tactics and projects."""

    headings: list[str]
    objective: StrategyNode
    key_results: list[Indicator]
    tactics: list[dict]


@dataclass
class AreaBlock:
    """A development area of Part 2 (or of tables ข/ง): objectives with their rows."""

    area: StrategyNode
    label: str
    objectives: list[dict]
    projects: list[Project] = field(default_factory=list)


@dataclass
class DivisionBlock:
    number: int
    division: Division
    groups: list[dict]
    total: Decimal


def _budget_lines(projects: list[Project]) -> list[Project]:
    """Leaves of the project tree: the rows whose budgets make a section's total (as
    projects.models.ProjectQuerySet.budget_lines, on the list already fetched)."""
    parents = {p.parent_id for p in projects if p.parent_id}
    return [p for p in projects if p.pk not in parents]


def _total(projects: list[Project], listed: int, printed: list[PrintedTotal]) -> TotalCheck:
    return TotalCheck(sum((p.budget or Decimal(0) for p in _budget_lines(projects)), Decimal(0)), listed, printed)


def plan_book(plan) -> dict:
    statements = list(PlanStatement.objects.filter(plan=plan).order_by("order", "pk"))
    nodes = {n.pk: n for n in StrategyNode.objects.filter(plan=plan).order_by("order", "pk")}
    children: dict[int | None, list[StrategyNode]] = defaultdict(list)
    for n in nodes.values():
        children[n.parent_id].append(n)
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .select_related("lead_agency", "lead_division", "division")
        .prefetch_related(
            "supporting_agencies", "targets", "baselines",
            Prefetch("rubric__levels", queryset=RubricLevel.objects.order_by("-level").prefetch_related("conditions")),
        )
        .order_by("order", "pk")
    )
    by_node: dict[int | None, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        by_node[ind.node_id].append(ind)
    projects = list(
        Project.objects.filter(plan=plan).select_related("division", "work_group").prefetch_related("policies")
        .order_by("order", "pk")
    )
    projects_by_node: dict[int | None, list[Project]] = defaultdict(list)
    for p in projects:
        projects_by_node[p.node_id].append(p)
    totals: dict[int, list[PrintedTotal]] = defaultdict(list)
    for t in PrintedTotal.objects.filter(plan=plan).order_by("section", "pk"):
        totals[t.section].append(t)
    links = list(KeyResultLink.objects.filter(plan=plan).select_related("objective", "indicator", "project").order_by("order", "pk"))
    steps = list(WorkStep.objects.filter(project__plan=plan).select_related("project").order_by("project__order", "number"))

    def ancestors(node: StrategyNode) -> list[StrategyNode]:
        chain = []
        while node is not None:
            chain.append(node)
            node = nodes.get(node.parent_id)
        return list(reversed(chain))

    # Part 1: the BMA plan, one block per objective, with its tactics' KPIs and projects.
    part1_blocks: list[Part1Block] = []
    bma_roots = [n for n in children[None] if n.level == StrategyNode.Level.DIMENSION]
    dimensions = []
    for dim in bma_roots:
        blocks = []
        for n in _descendants(dim, children):
            if n.level != StrategyNode.Level.OBJECTIVE:
                continue
            tactics = [{"tactic": t, "label": node_label(t), "kpis": [_year_targets(k, plan.fiscal_year_id) for k in by_node.get(t.pk, [])],
                        "projects": [p for p in projects_by_node.get(t.pk, []) if p.section == Project.Section.PART1]}
                       for t in children.get(n.pk, []) if t.level == StrategyNode.Level.TACTIC]
            blocks.append(Part1Block([node_label(a) for a in ancestors(n)[1:-1]], n,
                                     [i for i in by_node.get(n.pk, []) if i.kind == Indicator.Kind.BMA_KR], tactics))
        part1_blocks += blocks
        dimensions.append({"node": dim, "label": node_label(dim), "blocks": blocks})
    part1_projects = [p for p in projects if p.section == Project.Section.PART1]
    part1_listed = [p for p in part1_projects if p.sequence] or _budget_lines(part1_projects)

    # Part 2: the district's own strategy, per development area.
    areas = [n for n in children[None] if n.level == StrategyNode.Level.DEVELOPMENT_AREA]
    area_blocks = []
    for area in areas:
        objectives = [{"node": o, "label": node_label(o), "okrs": [i for i in by_node.get(o.pk, []) if i.kind == Indicator.Kind.OKR]}
                      for o in children.get(area.pk, [])]
        area_projects = [p for o in children.get(area.pk, []) for p in projects_by_node.get(o.pk, [])
                         if p.section == Project.Section.PART2]
        area_projects.sort(key=lambda p: (p.order, p.pk))
        area_blocks.append(AreaBlock(area, node_label(area), objectives, area_projects))
    part2_projects = [p for p in projects if p.section == Project.Section.PART2]
    part2_listed = [p for p in part2_projects if p.sequence]

    # Part 3: routine projects per division and work group, with division subtotals.
    part3_projects = [p for p in projects if p.section == Project.Section.PART3]
    division_list = list(Division.objects.filter(organization_id=plan.organization_id).order_by("order", "name"))
    division_blocks = []
    for number, division in enumerate(division_list, start=1):
        mine = [p for p in part3_projects if p.division_id == division.pk]
        groups: dict[str, list[Project]] = {}
        for p in mine:
            groups.setdefault(p.work_group.name if p.work_group else "-", []).append(p)
        division_blocks.append(DivisionBlock(
            number, division, [{"name": name, "projects": rows} for name, rows in groups.items()],
            sum((p.budget or Decimal(0) for p in _budget_lines(mine)), Decimal(0)),
        ))
    unassigned3 = [p for p in part3_projects if p.division_id is None]

    # Part 4.
    indicator_by_pk = {i.pk: i for i in indicators}
    table_a = []
    for kpi in (i for i in indicators if i.kind == Indicator.Kind.BMA_KPI):
        tactic = nodes.get(kpi.node_id)
        objective = nodes.get(tactic.parent_id) if tactic else None
        kr = indicator_by_pk.get(kpi.parent_id)
        table_a.append({"kpi": kpi, "tactic": tactic and node_label(tactic), "objective": objective, "kr": kr})
    table_b = [{"area": b.area, "label": b.label, "objectives": [o for o in b.objectives if o["okrs"]]} for b in area_blocks]
    table_b = [b for b in table_b if b["objectives"]]
    agreements = [i for i in indicators if i.kind == Indicator.Kind.AGREEMENT]
    table_d_by_area: dict[int | None, list[KeyResultLink]] = defaultdict(list)
    for link in links:
        area_id = link.objective.parent_id if link.objective else None
        table_d_by_area[area_id].append(link)
    table_d = [{"label": node_label(a), "links": table_d_by_area[a.pk]} for a in areas if table_d_by_area.get(a.pk)]
    if table_d_by_area.get(None):
        table_d.append({"label": "", "links": table_d_by_area[None]})
    steps_by_project: dict[int, list[WorkStep]] = defaultdict(list)
    for s in steps:
        steps_by_project[s.project_id].append(s)
    table_e = [{"project": rows[0].project, "steps": [{"step": s, "months": [m in (s.months or []) for m in range(1, 13)]}
                                                      for s in rows],
                "weight_total": (total := sum((s.weight or Decimal(0) for s in rows), Decimal(0))),
                "weights_complete": total == 100}
               for rows in steps_by_project.values()]
    components: dict[int | None, list[Indicator]] = defaultdict(list)
    for i in indicators:
        if i.kind == Indicator.Kind.SUPPORT:
            components[i.component].append(i)
    table_f = [{"component": c, "title": rows[0].component_title, "indicators": rows}
               for c, rows in sorted(components.items(), key=lambda kv: kv[0] or 0)]

    summary = _summary(indicators, nodes, ancestors)
    by_kind: dict[str, list[PlanStatement]] = defaultdict(list)
    for s in statements:
        by_kind[s.kind].append(s)
    return {
        "plan": plan,
        "previous_year": plan.fiscal_year_id - 1,  # Part 1 prints each KPI's target of the year before too
        "front": dict(by_kind),
        "summary": summary,
        "dimensions": dimensions,
        "part1_listed": part1_listed,
        "part1_total": _total(part1_projects, len(part1_listed), totals[1]),
        "areas": area_blocks,
        "part2_listed": part2_listed,
        "part2_total": _total(part2_projects, len(part2_listed), totals[2]),
        "divisions": division_blocks,
        "part3_unassigned": unassigned3,
        "part3_total": _total(part3_projects, len(_budget_lines(part3_projects)), totals[3]),
        "table_a": table_a,
        "table_b": table_b,
        "table_c": agreements,
        "table_c_weight": sum((i.weight or Decimal(0) for i in agreements), Decimal(0)),
        "table_d": table_d,
        "table_e": table_e,
        "table_f": table_f,
        "months": ["ต.ค.", "พ.ย.", "ธ.ค.", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย."],
    }


def _year_targets(kpi: Indicator, year: int) -> dict:
    """A Part 1 KPI's target for the year before and for the plan's year, as printed."""
    printed = kpi.target_year_text or {}
    return {"kpi": kpi, "previous": printed.get(str(year - 1), ""), "current": printed.get(str(year)) or kpi.target_text}


def _descendants(node, children) -> list:
    out = []
    for child in children.get(node.pk, []):
        out.append(child)
        out += _descendants(child, children)
    return out


def _summary(indicators, nodes, ancestors) -> list[dict]:
    """The front matter's KR/KPI list: the indicators the planner marked for it, under the
    headings of their framework, each heading printed once."""
    marked = sorted((i for i in indicators if i.summary_order is not None), key=lambda i: i.summary_order)
    groups: list[dict] = []
    printed: set[int] = set()
    for ind in marked:
        node = nodes.get(ind.node_id)
        chain = [a for a in ancestors(node) if a.level != StrategyNode.Level.TACTIC] if node else []
        # BMA objectives are not headed in the summary; their key results speak for them.
        chain = [a for a in chain if not (a.level == StrategyNode.Level.OBJECTIVE and not a.code)]
        new = [a for a in chain if a.pk not in printed]
        printed.update(a.pk for a in new)
        if new or not groups:
            groups.append({"headings": [node_label(a) for a in new], "indicators": []})
        groups[-1]["indicators"].append(ind)
    return groups
