"""The action plan book (แผนปฏิบัติราชการประจำปี) assembled from the data, in the
structure of the official document: front matter, Parts 1–3 with their totals and
Part 4 tables ก–ฉ. Every query is made here, up front; the template only presents."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import segno
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.safestring import mark_safe

from indicators.models import Indicator, RubricLevel
from kpiplan.lib.thai import (
    NumberParseError,
    format_number,
    parse_decimal,
    to_ascii_digits,
    to_thai_digits,
)
from plandoc.checks import total_disagreements
from plandoc.compare import FISCAL_MONTH_ABBR, cumulative_disagreements, month_disagreements
from plans.models import (
    KR_KPI_SUMMARY_SOURCE,
    Division,
    PlanStatement,
    PrintedTotal,
    StrategyNode,
    Variant,
    summary_table_source,
)
from projects.models import KeyResultLink, Project, WorkStep

LEVEL_PREFIX = {
    StrategyNode.Level.DIMENSION: "มิติที่",
    StrategyNode.Level.STRATEGY: "ยุทธศาสตร์ที่",
    StrategyNode.Level.SUB_STRATEGY: "ยุทธศาสตร์ย่อยที่",
    StrategyNode.Level.TACTIC: "กลยุทธ์",
}


def node_label(node: StrategyNode, title: str | None = None) -> str:
    """A framework element as the document heads it: 'ยุทธศาสตร์ย่อยที่ ๑.๕ เมืองสุขภาพดี',
    '๑. เดินทางดี' (development area), '๑.๑ เดินได้ เดินดี' (district objective); `title`
    when a table prints the element's title its own way."""
    code = to_thai_digits(node.code)
    title = node.title if title is None else title
    if node.level in LEVEL_PREFIX:
        return f"{LEVEL_PREFIX[node.level]} {code} {title}".replace("  ", " ")
    if node.level == StrategyNode.Level.DEVELOPMENT_AREA:
        return f"{code}. {title}" if code else title
    return f"{code} {title}".strip()


def plan_url(plan, base_url: str) -> str:
    """The plan's page in kpiplan as an absolute address, for the cover's QR code. kpiplan
    has no public page of one plan: its home page lists the reader's plans with their book,
    progress and checks."""
    return f"{base_url.rstrip('/')}{reverse('home')}"


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (1 mm a module, quiet zone included)."""
    return mark_safe(segno.make(url, error="m").svg_inline(scale=1, unit="mm", border=4))  # noqa: S308 - segno's own markup


_TOP_LEVEL_ITEM = re.compile(r"^[0-9๐-๙]+\.(\s|$)")
_POLICY_CODE = re.compile(r"P\s*([0-9๐-๙]{3})")


def policy_codes_in(text: str) -> set[str]:
    """The policy codes a printed cell names ('P๐๙๙ OKR ๖.๑.๐๖' -> {'P099'}), to tell a
    different code from the same code written with its OKR."""
    return {"P" + to_ascii_digits(m.group(1)) for m in _POLICY_CODE.finditer(text or "")}


def sequence_key(sequence: str) -> tuple:
    """A summary table's ลำดับที่ in printing order ('2' before '10')."""
    digits = to_ascii_digits(sequence or "")
    return (int(digits), "") if digits.isdigit() else (10**6, digits)


@dataclass
class TotalCheck:
    """A section's total from its lines beside what the document prints for it."""

    computed: Decimal
    count: int
    printed: list[PrintedTotal] = field(default_factory=list)

    @property
    def disagreements(self) -> list[dict]:
        """As plandoc.checks.total_disagreements, with the gap as a positive amount and
        whether the lines add up to less than the printed figure."""
        return [{**d, "gap": abs(d["difference"]), "short": d["difference"] < 0}
                for d in total_disagreements(self.printed, self.computed, self.count)]


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
class SummaryRow:
    """One row of a section's summary table as that table prints it. `differences` are what
    the detail tables print otherwise ({"field": "name" | "division" | "budget" | "policy",
    "detail": text}); the book shows them as a numbered note, never in place of the row."""

    project: Project
    sequence: str
    name: str
    budget: Decimal | None
    budget_text: str
    division: str
    policy: str
    differences: list[dict] = field(default_factory=list)
    note: int | None = None


@dataclass
class SummaryTable:
    rows: list[SummaryRow]
    total: TotalCheck
    repeated: list[dict]  # sequence numbers printed on more than one row: {"sequence", "count"}

    @property
    def noted(self) -> list[SummaryRow]:
        return [r for r in self.rows if r.note]

    @property
    def keep_together(self) -> bool:
        """A short table is not split over two pages (a page would hold a row or two)."""
        return len(self.rows) <= 12


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


def plan_book(plan, *, base_url: str | None = None) -> dict:
    """`base_url`: where people reach kpiplan (default settings.KPIPLAN_BASE_URL), for the
    cover's QR code to the plan's page."""
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
    links = list(KeyResultLink.objects.filter(plan=plan).select_related("area", "objective", "indicator", "project")
                 .order_by("order", "pk"))
    steps = list(WorkStep.objects.filter(project__plan=plan).select_related("project").order_by("project__order", "number"))
    # What the KR/KPI list and the summary tables print differently from the detail tables.
    printed_sources = [KR_KPI_SUMMARY_SOURCE] + [summary_table_source(s) for s in (1, 2)]
    printed: dict[tuple[int, int, str], dict[str, str]] = defaultdict(dict)
    for v in Variant.objects.filter(plan=plan, source__in=printed_sources).order_by("pk"):
        printed[(v.content_type_id, v.object_id, v.source)][v.field] = v.value

    def ancestors(node: StrategyNode) -> list[StrategyNode]:
        chain = []
        while node is not None:
            chain.append(node)
            node = nodes.get(node.parent_id)
        return list(reversed(chain))

    # Part 1: the BMA plan as the document prints it: one block per key result (its
    # strategy headings, the objective with that key result, then the tactics whose KPIs
    # serve it, with their projects).
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
            headings = [node_label(a) for a in ancestors(n)[1:-1]]
            key_results = [i for i in by_node.get(n.pk, []) if i.kind == Indicator.Kind.BMA_KR]
            blocks += _part1_blocks(headings, n, key_results, tactics)
        dimensions.append({"node": dim, "label": node_label(dim), "blocks": blocks})
    part1_projects = [p for p in projects if p.section == Project.Section.PART1]

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

    # Part 2 prints, per development area, only the OKRs of its key-result table (those the
    # plan places there; a plan that places none prints every OKR) under the objectives
    # that have one; tables ข and ง (Part 4) have their own. (area_blocks above feed table ข.)
    part2_okrs = sorted((i for i in indicators if i.part2_order is not None), key=lambda i: (i.part2_order, i.order, i.pk))
    if not part2_okrs:
        part2_okrs = [i for i in indicators if i.kind == Indicator.Kind.OKR]
    okrs_by_objective: dict[int | None, list[Indicator]] = defaultdict(list)
    for ind in part2_okrs:
        okrs_by_objective[ind.node_id].append(ind)
    part2_areas = []
    for block in area_blocks:
        objectives = [{"node": o, "label": node_label(o), "okrs": okrs_by_objective[o.pk]}
                      for o in children.get(block.area.pk, []) if okrs_by_objective.get(o.pk)]
        if objectives or block.projects:
            part2_areas.append(AreaBlock(block.area, block.label, objectives, block.projects))

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
    table_a = _table_a(indicators, nodes)
    # Table ข prints the OKRs that carry its own columns (definition, projects); Part 2's
    # other OKRs are not in it, and printing them would add rows of "-" the document has not.
    table_b = [{"area": b.area, "label": b.label,
                "objectives": [o for o in ({"node": o["node"], "label": o["label"],
                                            "okrs": [k for k in o["okrs"] if k.definition or k.projects_text]}
                                           for o in b.objectives) if o["okrs"]]}
               for b in area_blocks]
    table_b = [b for b in table_b if b["objectives"]]
    agreements = [i for i in indicators if i.kind == Indicator.Kind.AGREEMENT]
    steps_by_project: dict[int, list[WorkStep]] = defaultdict(list)
    for s in steps:
        steps_by_project[s.project_id].append(s)
    table_e = [_table_e_item(rows) for rows in steps_by_project.values()]

    node_type, indicator_type = ContentType.objects.get_for_model(StrategyNode), ContentType.objects.get_for_model(Indicator)
    nodes_by_key = {n.key: n for n in nodes.values() if n.key}

    def in_summary(ind: Indicator) -> dict:
        return printed[(indicator_type.pk, ind.pk, KR_KPI_SUMMARY_SOURCE)]

    summary = _kr_kpi_summary(
        indicators, ancestors,
        node=lambda i: nodes_by_key.get(in_summary(i).get("node", "")) or nodes.get(i.node_id),
        title=lambda n: printed[(node_type.pk, n.pk, KR_KPI_SUMMARY_SOURCE)].get("title", n.title),
        name=lambda i: in_summary(i).get("name", i.name),
        home=lambda i: nodes.get(i.node_id),
    )
    project_type = ContentType.objects.get_for_model(Project)
    part1_summary = _summary_table(part1_projects, totals[1], lambda p: printed[(project_type.pk, p.pk, summary_table_source(1))])
    part2_summary = _summary_table(part2_projects, totals[2], lambda p: printed[(project_type.pk, p.pk, summary_table_source(2))])
    url = plan_url(plan, base_url or settings.KPIPLAN_BASE_URL)
    by_kind: dict[str, list[PlanStatement]] = defaultdict(list)
    for s in statements:
        by_kind[s.kind].append(s)
    return {
        "plan": plan,
        "previous_year": plan.fiscal_year_id - 1,  # Part 1 prints each KPI's target of the year before too
        "front": dict(by_kind),
        # A top-level item ('๑. สภาพแวดล้อมภายนอกองค์กร ...') heads its paragraph on a line
        # of its own, as the document prints it; a sub-item ('๑.๑ ...') runs into its text.
        "environment": [{"statement": s, "heading": bool(_TOP_LEVEL_ITEM.match(s.title))}
                        for s in by_kind.get(PlanStatement.Kind.ENVIRONMENT, [])],
        "plan_url": url,
        "plan_qr": qr_svg(url),
        "summary": summary,
        "dimensions": dimensions,
        "part1_summary": part1_summary,
        "part1_total": part1_summary.total,
        "areas": part2_areas,
        "part2_summary": part2_summary,
        "part2_total": part2_summary.total,
        "divisions": division_blocks,
        "part3_unassigned": unassigned3,
        "part3_total": _total(part3_projects, len(_budget_lines(part3_projects)), totals[3]),
        "table_a": table_a,
        "table_b": table_b,
        "table_c": [_table_c_item(i) for i in agreements],
        "table_c_weight": sum((i.weight or Decimal(0) for i in agreements), Decimal(0)),
        "table_d": _table_d(links, nodes, areas),
        "table_d_starred": any("*" in link.project_text for link in links),
        "table_e": table_e,
        "table_f": _table_f(indicators),
        "months": ["ต.ค.", "พ.ย.", "ธ.ค.", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย."],
    }


def _part1_blocks(headings: list[str], objective: StrategyNode, key_results: list[Indicator], tactics: list[dict]) -> list[Part1Block]:
    """An objective with several key results is printed once per key result, each with the
    tactics whose KPIs serve it; a tactic serving none goes with the last."""
    if len(key_results) <= 1:
        return [Part1Block(headings, objective, key_results, tactics)]
    blocks = [Part1Block(headings, objective, [kr], [t for t in tactics if any(row["kpi"].parent_id == kr.pk for row in t["kpis"])])
              for kr in key_results]
    placed = {id(t) for b in blocks for t in b.tactics}
    blocks[-1].tactics += [t for t in tactics if id(t) not in placed]
    return blocks


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


def _kr_kpi_summary(indicators, ancestors, *, node, title, name, home) -> dict:
    """The front matter's KR/KPI list in the document's two blocks: first the BMA plan's key
    results and KPIs under their strategy and sub-strategy, then the district's OKRs under
    their development area and objective, numbered ๑) ๒) ... within each objective. Placed,
    headed and named as that list prints them (`node`, `title`, `name`); each heading once.
    `differences`: where Parts 1 and 2 print a heading, a name or a placing otherwise (the
    element as they print it, `home` the indicator's element there), for a note."""
    differences: list[dict] = []
    noted: set[int] = set()
    bma_levels = {StrategyNode.Level.DIMENSION, StrategyNode.Level.STRATEGY, StrategyNode.Level.SUB_STRATEGY,
                  StrategyNode.Level.TACTIC}

    def groups(kinds, levels) -> list[dict]:
        marked = sorted((i for i in indicators if i.summary_order is not None and i.kind in kinds),
                        key=lambda i: (i.summary_order, i.order, i.pk))
        out: list[dict] = []
        headed: set[int] = set()
        for ind in marked:
            placed = node(ind)
            chain = [a for a in ancestors(placed) if a.level in levels] if placed else []
            new = [a for a in chain if a.pk not in headed]
            headed.update(a.pk for a in new)
            for a in new:
                if title(a) != a.title and a.pk not in noted:
                    noted.add(a.pk)
                    differences.append({"field": "title", "printed": node_label(a, title(a)), "detail": node_label(a),
                                        "part": 1 if a.level in bma_levels else 2})
            part = 2 if ind.kind == Indicator.Kind.OKR else 1
            if name(ind) != ind.name:
                differences.append({"field": "name", "printed": ind.code_label, "detail": ind.name, "part": part})
            if placed and home(ind) and placed != home(ind):
                differences.append({"field": "node", "printed": ind.code_label, "detail": node_label(home(ind)), "part": part})
            if new or not out:
                out.append({"headings": [node_label(a, title(a)) for a in new], "items": []})
            items = out[-1]["items"]
            items.append({"indicator": ind, "code": ind.code_label, "name": name(ind), "number": len(items) + 1})
        return out

    Level = StrategyNode.Level
    return {
        "bma": groups({Indicator.Kind.BMA_KR, Indicator.Kind.BMA_KPI}, {Level.STRATEGY, Level.SUB_STRATEGY}),
        "okr": groups({Indicator.Kind.OKR}, {Level.DEVELOPMENT_AREA, Level.OBJECTIVE}),
        "differences": differences,
    }


def _summary_table(section_projects: list[Project], printed_totals: list[PrintedTotal], printed_there) -> SummaryTable:
    """A section's summary table (สรุปโครงการและงบประมาณ) as the document prints it: its
    rows in the order of their printed ลำดับที่ (a number printed twice stays twice), each
    cell as that table prints it (`printed_there(project)`: its variants), and what the
    detail tables print otherwise kept beside the row as a note. A section whose projects
    carry no ลำดับที่ lists its budget lines."""
    listed = sorted((p for p in section_projects if p.sequence), key=lambda p: (sequence_key(p.sequence), p.order, p.pk))
    if not listed:
        listed = _budget_lines(section_projects)
    rows = []
    for p in listed:
        there = printed_there(p)
        division_detail = p.division_text or (p.division.name if p.division else "")
        row = SummaryRow(
            project=p, sequence=p.sequence, name=there.get("name", p.name), budget=p.budget, budget_text=p.budget_text,
            division=there.get("division_text", division_detail), policy=there.get("policy_text", p.policy_text),
        )
        if "name" in there and p.name:
            row.differences.append({"field": "name", "detail": p.name})
        if "budget" in there:
            row.budget_text = there["budget"]
            try:
                row.budget = parse_decimal(there["budget"])
            except NumberParseError:  # a note such as 'รอการยืนยัน...' where the detail has an amount
                row.budget = None
            row.differences.append({"field": "budget", "detail": p.budget, "detail_text": p.budget_text})
        if "division_text" in there and division_detail:
            row.differences.append({"field": "division", "detail": division_detail})
        if "policy_text" in there and policy_codes_in(there["policy_text"]) != policy_codes_in(p.policy_text):
            row.differences.append({"field": "policy", "detail": p.policy_text})
        rows.append(row)
    for number, row in enumerate((r for r in rows if r.differences), start=1):
        row.note = number
    counts = Counter(r.sequence for r in rows if r.sequence)
    repeated = [{"sequence": seq, "count": n} for seq, n in counts.items() if n > 1]
    total = TotalCheck(sum((r.budget or Decimal(0) for r in rows), Decimal(0)), len(rows), printed_totals)
    return SummaryTable(rows, total, repeated)


# --- Part 4 -------------------------------------------------------------------------

# A KPI's type as table ก prints it after the KPI's name: "(ผลลัพธ์)", "(ผลผลิต)".
MEASURE_TYPE_PRINTED = {Indicator.MeasureType.OUTCOME: "ผลลัพธ์", Indicator.MeasureType.OUTPUT: "ผลผลิต"}

# Table ค's definition cell is taller than a landscape page for most indicators, and
# WeasyPrint repeats a table's header on the next page but not the cells of a row it splits.
# So the cell is cut into rows of about this many printed lines (at the cell's width, about
# this many characters a line), each row kept whole and its first cells naming the
# indicator again: a reader who turns the page still sees whose definition goes on.
TABLE_C_ROW_LINES = 5
TABLE_C_LINE_CHARS = 48


def _kpi_label(prefix: str, ind: Indicator) -> str:
    """'KPI ๑.๕.๔.๑ : อัตราป่วย...', 'KR ๑ : เสริมสร้าง...': as table ก prints them."""
    return f"{prefix} {to_thai_digits(ind.code)} : {ind.name}" if ind.code else ind.name


def _table_a(indicators: list[Indicator], nodes: dict) -> list[dict]:
    """Table ก as the document sets it: under each BMA objective and key result, a table of
    the tactics' KPIs, each with its type (ผลลัพธ์/ผลผลิต), definition and formula."""
    by_pk = {i.pk: i for i in indicators}
    blocks: list[dict] = []
    for kpi in (i for i in indicators if i.kind == Indicator.Kind.BMA_KPI):
        tactic = nodes.get(kpi.node_id)
        objective = nodes.get(tactic.parent_id) if tactic else None
        kr = by_pk.get(kpi.parent_id)
        if not blocks or blocks[-1]["objective"] != objective or blocks[-1]["kr"] != kr:
            blocks.append({"objective": objective, "kr": kr, "kr_label": _kpi_label("KR", kr) if kr else "", "rows": []})
        blocks[-1]["rows"].append({"kpi": kpi, "label": _kpi_label("KPI", kpi), "tactic": node_label(tactic) if tactic else "",
                                   "measure_type": MEASURE_TYPE_PRINTED.get(kpi.measure_type, "")})
    return blocks


def printed_width(text: str) -> int:
    """Characters that take room on a line: Thai vowel and tone marks above or below a
    consonant (category Mn) take none."""
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


def printed_lines(text: str, line_chars: int) -> int:
    """About how many lines a text takes in a cell of `line_chars` characters a line."""
    return sum(max(1, math.ceil(printed_width(line) / line_chars)) for line in text.splitlines() or [""])


def split_into_rows(paragraphs: list[str], max_lines: int, line_chars: int, first_max_lines: int = 0) -> list[list[str]]:
    """Paragraphs grouped, in order, into rows of at most about `max_lines` printed lines
    (`first_max_lines` for the first row, which is as tall as its other cells anyway; a
    paragraph longer than that is a row of its own; none is cut)."""
    rows: list[list[str]] = []
    used, limit = 0, max(first_max_lines, max_lines)
    for para in paragraphs:
        lines = printed_lines(para, line_chars)
        if not rows or (used + lines > limit and rows[-1]):
            if rows:
                limit = max_lines
            rows.append([])
            used = 0
        rows[-1].append(para)
        used += lines
    return rows


def baseline_lines(baselines: list) -> list[str]:
    """A table ค baseline cell: each year once. The document prints one text per year; a year
    with several measures (all trees and perennials) holds that text on each of them."""
    lines: list[str] = []
    for b in baselines:
        if b.text:
            line = b.text
        else:
            value = format_number(b.value, thai=True) if b.value is not None else "-"
            line = " ".join(x for x in (f"พ.ศ. {to_thai_digits(b.year)} :", b.label, value, b.unit) if x)
        if line not in lines:
            lines.append(line)
    return lines


def _table_c_item(ind: Indicator) -> dict:
    paragraphs = [line for text in (ind.definition, ind.formula, ind.evidence) for line in text.splitlines() if line.strip()]
    baselines = baseline_lines(list(ind.baselines.all()))
    # The first row also holds the name, baseline and target, in columns about a third as
    # wide as the definition's: its definition part may be as tall as they are.
    first = max(printed_lines(ind.name, TABLE_C_LINE_CHARS // 3), printed_lines("\n".join(baselines), TABLE_C_LINE_CHARS // 3),
                printed_lines(ind.target_text, TABLE_C_LINE_CHARS // 3))
    return {"indicator": ind, "baselines": baselines,
            "rows": split_into_rows(paragraphs, TABLE_C_ROW_LINES, TABLE_C_LINE_CHARS, first) or [[]]}


def _area_heading(area: StrategyNode) -> str:
    """'ด้านที่ ๑ ด้านเดินทางดี', as table ง heads a development area."""
    title = area.title if area.title.startswith("ด้าน") else f"ด้าน{area.title}"
    return f"ด้านที่ {to_thai_digits(area.code)} {title}" if area.code else title


def _table_d(links: list[KeyResultLink], nodes: dict, areas: list[StrategyNode]) -> list[dict]:
    """Table ง per development area, under the area each row is printed under (a row's own
    area, else its objective's). As the document does, an objective and a key result are
    printed on the first of their consecutive rows only."""
    groups: dict[int | None, list[KeyResultLink]] = defaultdict(list)
    for link in links:
        area_id = link.area_id or (link.objective.parent_id if link.objective else None)
        groups[area_id].append(link)
    ordered = [a for a in areas if a.pk in groups]
    ordered += [nodes[pk] for pk in groups if pk is not None and pk in nodes and nodes[pk] not in ordered]
    out = []
    for area in [*ordered, None]:
        rows, previous = [], None
        for link in groups.get(area.pk if area else None, []):
            same_objective = previous is not None and previous.objective_id == link.objective_id
            same_kr = same_objective and (previous.indicator_id, previous.kr_text, previous.target_text) == (
                link.indicator_id, link.kr_text, link.target_text)
            rows.append({"link": link, "objective": "" if same_objective else (node_label(link.objective) if link.objective else "-"),
                         "show_kr": not same_kr})
            previous = link
        if rows:
            out.append({"label": _area_heading(area) if area else "", "rows": rows})
    # The table's last rows (an area heading among them) go to a page together, with the
    # footnote after them: never a page of one row.
    for item in [x for a in out for x in (a, *a["rows"])][-3:]:
        item["keep_with_previous"] = True
    return out




def _table_e_item(rows: list[WorkStep]) -> dict:
    total = sum((s.weight or Decimal(0) for s in rows), Decimal(0))
    return {"project": rows[0].project,
            "steps": [{"step": s, "months": [m in (s.months or []) for m in range(1, 13)]} for s in rows],
            "weight_total": total, "weights_complete": total == 100,
            "cumulative_notes": cumulative_disagreements(rows),
            "month_notes": month_disagreements(rows, FISCAL_MONTH_ABBR)}


def _table_f(indicators: list[Indicator]) -> list[dict]:
    """Table ฉ per assessment component; the component's title as printed already begins
    'องค์ประกอบที่ ๒', so it is the heading, not a second label after one."""
    components: dict[int | None, list[Indicator]] = defaultdict(list)
    for i in indicators:
        if i.kind == Indicator.Kind.SUPPORT:
            components[i.component].append(i)
    out = []
    for number, rows in sorted(components.items(), key=lambda kv: kv[0] or 0):
        title = rows[0].component_title
        if number and not title.startswith("องค์ประกอบที่"):
            title = f"องค์ประกอบที่ {to_thai_digits(number)} {title}".strip()
        out.append({"component": number, "heading": title, "indicators": rows})
    return out
