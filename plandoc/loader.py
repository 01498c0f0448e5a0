"""Load a plan from the YAML files described in fixtures/plans/*/SCHEMA.md.

The same record may be printed in several tables; the first file in LOAD_ORDER creates
it, later occurrences fill fields still empty, and every field printed differently is
kept as a Variant with where it was printed, so nothing the document says is lost and
the data-quality check can show the disagreement. The whole load is one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from indicators.models import Baseline, Indicator, IndicatorTarget, Rubric, RubricCondition, RubricLevel
from kpiplan.lib.thai import NumberParseError, parse_decimal
from plans.findings import DOCUMENT_CATEGORIES, SEVERITIES
from plans.models import (
    Discrepancy,
    Division,
    FiscalYear,
    Organization,
    OrganizationAlias,
    Plan,
    PlanStatement,
    PrintedTotal,
    StrategyNode,
    Variant,
    WorkGroup,
)
from projects.models import KeyResultLink, Policy, Project, ProjectIndicator, WorkStep

LOAD_ORDER = [
    "plan.yaml",
    "part1.yaml",
    "part2.yaml",
    "part3.yaml",
    "table_a.yaml",
    "table_b.yaml",
    "table_c.yaml",
    "table_d.yaml",
    "table_e.yaml",
    "table_f.yaml",
    "summary.yaml",
]


class _SeedYamlLoader(yaml.SafeLoader):
    """Safe YAML without implicit floats: a code such as 1.10 must not become 1.1."""


_SeedYamlLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:float"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class PlanLoadError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def squash(value) -> str:
    """Compare printed texts regardless of whitespace (PDF line wraps)."""
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def as_text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


@dataclass
class Occurrence:
    data: dict
    source: str
    file: str


@dataclass
class LoadResult:
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)


NODE_FIELDS = ["level", "code", "title"]
INDICATOR_TEXT_FIELDS = [
    "kind", "code", "name", "unit", "direction", "measure_type", "target_text", "definition",
    "formula", "evidence", "projects_text", "component_title",
]
PROJECT_TEXT_FIELDS = ["sequence", "number", "name", "budget_text", "division_text", "policy_text", "strategy_code"]


class PlanLoader:
    def __init__(self, directory: Path, *, user=None, replace: bool = False):
        self.directory = Path(directory)
        self.user = user
        self.replace = replace
        self.problems: list[str] = []
        self.variants: list[Variant] = []
        self.nodes: dict[str, StrategyNode] = {}
        self.indicators: dict[str, Indicator] = {}
        self.projects: dict[str, Project] = {}
        self.occurrences: dict[str, dict[str, list[Occurrence]]] = {"nodes": {}, "indicators": {}, "projects": {}}
        self.docs: list[tuple[str, dict]] = []

    # -- reading ---------------------------------------------------------------
    def read(self) -> None:
        if not (self.directory / "plan.yaml").exists():
            raise PlanLoadError([f"{self.directory}: plan.yaml not found"])
        for name in LOAD_ORDER:
            path = self.directory / name
            if not path.exists():
                continue
            try:
                doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_SeedYamlLoader) or {}
            except yaml.YAMLError as exc:
                raise PlanLoadError([f"{name}: {exc}"]) from exc
            self.docs.append((name, doc))
            for kind in ("nodes", "indicators", "projects"):
                for entry in doc.get(kind) or []:
                    key = entry.get("key")
                    if not key:
                        self.problems.append(f"{name}: a {kind[:-1]} without a key: {entry}")
                        continue
                    source = entry.get("source") or doc.get("source") or name
                    self.occurrences[kind].setdefault(key, []).append(Occurrence(entry, source, name))

    # -- helpers ---------------------------------------------------------------
    def reason(self, file: str) -> str:
        return f"นำเข้าจากไฟล์ {self.directory.name}/{file}"

    def save(self, obj, file: str):
        obj._change_reason = self.reason(file)
        if self.user is not None:
            obj._history_user = self.user
        obj.save()
        return obj

    def number(self, value, where: str) -> Decimal | None:
        try:
            return parse_decimal(value)
        except NumberParseError:
            self.problems.append(f"{where}: '{value}' is not a number")
            return None

    def agency(self, key: str, where: str) -> Organization | None:
        if not key:
            return None
        found = self.agencies.get(key) or self.agencies.get(key.replace(" ", ""))
        if found is None:
            self.problems.append(f"{where}: unknown agency '{key}'")
        return found

    def division(self, key: str, where: str) -> Division | None:
        if not key:
            return None
        found = self.divisions.get(key)
        if found is None:
            self.problems.append(f"{where}: unknown division '{key}'")
        return found

    def variant(self, obj, field_name: str, value, source: str) -> None:
        self.variants.append(
            Variant(
                plan=self.plan,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                field=field_name,
                value=as_text(value),
                source=source,
            )
        )

    def merge_text(self, obj, field_name: str, occurrences: list[Occurrence], attr: str | None = None) -> None:
        """First non-empty value wins; later different values become variants. A cell
        written as "" is printed empty there (a key left out: the table has no such
        column): where another table prints something, the empty cell is a variant too."""
        attr = attr or field_name
        current = None
        printed_empty = []
        for occ in occurrences:
            if occ.data.get(field_name) == "":
                printed_empty.append(occ)
            if field_name not in occ.data or occ.data[field_name] in (None, ""):
                continue
            value = as_text(occ.data[field_name])
            if current is None:
                current = value
                setattr(obj, attr, value)
            elif squash(value) != squash(current):
                self.pending_variants.append((obj, field_name, value, occ.source))
        if current is not None:
            self.pending_variants += [(obj, field_name, "", occ.source) for occ in printed_empty]

    def notes(self, occurrences: list[Occurrence]) -> str:
        lines = []
        for occ in occurrences:
            note = as_text(occ.data.get("notes"))
            if note:
                lines.append(f"[{occ.source}] {note}")
        return "\n".join(lines)

    # -- loading ---------------------------------------------------------------
    def load(self) -> LoadResult:
        self.read()
        if self.problems:
            raise PlanLoadError(self.problems)
        with transaction.atomic():
            self.pending_variants: list[tuple] = []
            self.load_plan(self.docs[0][1])
            self.load_nodes()
            self.load_indicators()
            self.load_projects()
            self.load_links_steps_totals()
            self.load_disagreements()
            for obj, field_name, value, source in self.pending_variants:
                self.variant(obj, field_name, value, source)
            Variant.objects.bulk_create(self.variants)
            if self.problems:
                raise PlanLoadError(self.problems)
        counts = {
            "nodes": len(self.nodes),
            "indicators": len(self.indicators),
            "projects": len(self.projects),
            "variants": len(self.variants),
            "disagreements": self.disagreement_count,
        }
        return LoadResult(self.plan, counts)

    def load_plan(self, doc: dict) -> None:
        org_data = doc.get("organization") or {}
        organization, _created = Organization.objects.update_or_create(
            short_name=org_data["short_name"],
            defaults={
                "name": org_data.get("name", org_data["short_name"]),
                "kind": org_data.get("kind", Organization.Kind.DISTRICT),
                "code": as_text(org_data.get("code")),
                "notes": as_text(org_data.get("notes")),
            },
        )
        self.organization = organization
        self.agencies: dict[str, Organization] = {organization.short_name: organization}
        for entry in doc.get("agencies") or []:
            agency, _ = Organization.objects.get_or_create(
                short_name=entry["key"],
                defaults={
                    "name": entry.get("name") or entry["key"],
                    "kind": entry.get("kind", Organization.Kind.DEPARTMENT),
                    "notes": as_text(entry.get("notes")),
                },
            )
            self.agencies[agency.short_name] = agency
            for alias in entry.get("variants") or []:
                OrganizationAlias.objects.get_or_create(alias=alias, defaults={"organization": agency})
        for alias in OrganizationAlias.objects.select_related("organization"):
            self.agencies.setdefault(alias.alias, alias.organization)

        year = int(doc["fiscal_year"])
        fiscal_year = FiscalYear.ensure(year)
        existing = Plan.objects.filter(organization=organization, fiscal_year=fiscal_year).first()
        if existing and not self.replace:
            raise PlanLoadError([f"The plan of {organization.name} for {year} is already loaded (use --replace)."])
        if existing:
            existing.delete()
        self.plan = self.save(
            Plan(
                organization=organization,
                fiscal_year=fiscal_year,
                title=doc.get("title", ""),
                area_km2=self.number(doc.get("area_km2"), "plan.yaml area_km2"),
                source=doc.get("source_document", "phasi-charoen-action-plan-2567.txt"),
            ),
            "plan.yaml",
        )
        for order, entry in enumerate(doc.get("statements") or [], start=1):
            self.save(
                PlanStatement(
                    plan=self.plan, kind=entry["kind"], order=order,
                    title=as_text(entry.get("title")), text=as_text(entry.get("text")),
                ),
                "plan.yaml",
            )
        self.divisions: dict[str, Division] = {}
        for order, entry in enumerate(doc.get("divisions") or [], start=1):
            division, _ = Division.objects.update_or_create(
                organization=organization, name=entry["name"],
                defaults={
                    "short_name": as_text(entry.get("short_name")),
                    "order": order,
                    "aliases": list(entry.get("variants") or []),
                },
            )
            self.divisions[entry["key"]] = division
            for wg_order, name in enumerate(entry.get("work_groups") or [], start=1):
                WorkGroup.objects.update_or_create(division=division, name=name, defaults={"order": wg_order})
        self.work_groups = {
            (wg.division_id, squash(wg.name)): wg
            for wg in WorkGroup.objects.filter(division__organization=organization)
        }

    def load_nodes(self) -> None:
        for order, (key, occs) in enumerate(self.occurrences["nodes"].items(), start=1):
            node = StrategyNode(plan=self.plan, key=key, order=order)
            for name in NODE_FIELDS:
                self.merge_text(node, name, occs)
            if not node.level:
                self.problems.append(f"node {key}: no level")
                continue
            node.title = node.title or ""
            node.notes = self.notes(occs)
            self.nodes[key] = self.save(node, occs[0].file)
        for key, occs in self.occurrences["nodes"].items():
            parents = [o.data["parent"] for o in occs if o.data.get("parent")]
            if parents:
                parent = self.nodes.get(parents[0])
                if parent is None:
                    self.problems.append(f"node {key}: unknown parent '{parents[0]}'")
                    continue
                node = self.nodes[key]
                node.parent = parent
                self.save(node, occs[0].file)
                for other in parents[1:]:
                    if other != parents[0]:
                        self.pending_variants.append((node, "parent", other, occs[0].source))

    def node(self, key, where) -> StrategyNode | None:
        if not key:
            return None
        found = self.nodes.get(key)
        if found is None:
            self.problems.append(f"{where}: unknown framework element '{key}'")
        return found

    def load_indicators(self) -> None:
        for order, (key, occs) in enumerate(self.occurrences["indicators"].items(), start=1):
            where = f"indicator {key}"
            ind = Indicator(plan=self.plan, key=key, order=order)
            for name in INDICATOR_TEXT_FIELDS:
                self.merge_text(ind, name, occs)
            if not ind.kind:
                self.problems.append(f"{where}: no kind")
                continue
            if not ind.name:
                self.problems.append(f"{where}: no name")
                continue
            ind.direction = ind.direction or Indicator.Direction.HIGHER

            def first(name, occs=occs):
                return next((o for o in occs if o.data.get(name) not in (None, "", [], {})), None)

            occ = first("node")
            ind.node = self.node(occ.data["node"], where) if occ else None
            # A table that files the indicator under another element (the KR/KPI summary
            # lists OKR 6.1.31 under 6.1, Part 2 under 6.3) keeps that as a variant: the key.
            for other in occs:
                if other.data.get("node") and occ and other.data["node"] != occ.data["node"]:
                    self.node(other.data["node"], where)
                    self.pending_variants.append((ind, "node", other.data["node"], other.source))
            occ = first("starred")
            ind.starred = bool(occ.data["starred"]) if occ else False
            occ = first("lead")
            if occ:
                lead = as_text(occ.data["lead"])
                if lead.startswith("div:"):
                    ind.lead_division = self.division(lead, where)
                else:
                    ind.lead_agency = self.agency(lead, where)
            occ = first("weight")
            ind.weight = self.number(occ.data["weight"], where) if occ else None
            for name in ("component", "summary_order", "part2_order"):
                occ = first(name)
                setattr(ind, name, int(occ.data[name]) if occ else None)
            occ = first("target_year_text")
            ind.target_year_text = {str(k): v for k, v in occ.data["target_year_text"].items()} if occ else {}
            if not ind.target_text and ind.target_year_text:
                ind.target_text = ind.target_year_text.get(str(self.plan.fiscal_year_id), "")
            ind.notes = self.notes(occs)
            self.save(ind, occs[0].file)
            self.indicators[key] = ind

            occ = first("support")
            if occ:
                agencies = [self.agency(a, where) for a in occ.data["support"]]
                ind.supporting_agencies.set([a for a in agencies if a])
            self.load_targets(ind, occs, where)
            self.load_baselines(ind, occs, where)
            occ = first("rubric")
            if occ:
                self.load_rubric(ind, occ, where)

        for key, occs in self.occurrences["indicators"].items():
            parents = [o.data["parent"] for o in occs if o.data.get("parent")]
            if parents and key in self.indicators:
                parent = self.indicators.get(parents[0])
                if parent is None:
                    self.problems.append(f"indicator {key}: unknown parent '{parents[0]}'")
                else:
                    ind = self.indicators[key]
                    ind.parent = parent
                    self.save(ind, occs[0].file)

    @staticmethod
    def describe_targets(items: list[dict]) -> str:
        parts = []
        for t in items:
            bits = [as_text(t.get("label")), as_text(t.get("agency")), as_text(t.get("value")), as_text(t.get("unit"))]
            parts.append(" ".join(b for b in bits if b))
        return "; ".join(parts)

    def load_targets(self, ind: Indicator, occs: list[Occurrence], where: str) -> None:
        with_targets = [o for o in occs if o.data.get("targets")]
        if not with_targets:
            return
        chosen = with_targets[0]
        for order, t in enumerate(chosen.data["targets"], start=1):
            value = self.number(t.get("value"), f"{where} target")
            if value is None:
                continue
            self.save(
                IndicatorTarget(
                    indicator=ind, value=value, unit=as_text(t.get("unit")), label=as_text(t.get("label")),
                    agency=self.agency(as_text(t.get("agency")), where) if t.get("agency") else None,
                    fiscal_year=t.get("year") or None, order=order,
                ),
                chosen.file,
            )
        reference = squash(self.describe_targets(chosen.data["targets"]))
        for other in with_targets[1:]:
            text = self.describe_targets(other.data["targets"])
            if squash(text) != reference:
                self.pending_variants.append((ind, "targets", text, other.source))

    def load_baselines(self, ind: Indicator, occs: list[Occurrence], where: str) -> None:
        with_baselines = [o for o in occs if o.data.get("baselines")]
        if not with_baselines:
            return
        chosen = with_baselines[0]
        for b in chosen.data["baselines"]:
            self.save(
                Baseline(
                    indicator=ind, year=int(b["year"]),
                    value=self.number(b.get("value"), f"{where} baseline"),
                    unit=as_text(b.get("unit")), label=as_text(b.get("label")), text=as_text(b.get("text")),
                ),
                chosen.file,
            )

    def load_rubric(self, ind: Indicator, occ: Occurrence, where: str) -> None:
        data = occ.data["rubric"]
        rubric = self.save(
            Rubric(indicator=ind, title=as_text(data.get("title")), note=as_text(data.get("note"))), occ.file
        )
        for lv in data.get("levels") or []:
            level = self.save(
                RubricLevel(
                    rubric=rubric, level=int(lv["level"]),
                    threshold_text=as_text(lv.get("threshold_text")),
                    threshold_percent=self.number(lv.get("threshold_percent"), f"{where} rubric"),
                    description=as_text(lv.get("description")),
                    points=self.number(lv.get("points"), f"{where} rubric points"),
                ),
                occ.file,
            )
            for order, c in enumerate(lv.get("conditions") or [], start=1):
                self.save(
                    RubricCondition(
                        level=level, kind=c["kind"], measure=as_text(c.get("measure")),
                        operator=as_text(c.get("operator")),
                        value=self.number(c.get("value"), f"{where} rubric condition"),
                        unit=as_text(c.get("unit")), text=as_text(c.get("text")), order=order,
                    ),
                    occ.file,
                )

    def load_projects(self) -> None:
        policies = {p.code: p for p in Policy.objects.all()}
        for order, (key, occs) in enumerate(self.occurrences["projects"].items(), start=1):
            where = f"project {key}"
            project = Project(plan=self.plan, key=key, order=order)
            for name in PROJECT_TEXT_FIELDS:
                self.merge_text(project, name, occs)
            if not project.name:
                self.problems.append(f"{where}: no name")
                continue
            section = next((o.data["section"] for o in occs if o.data.get("section")), None)
            if section is None:
                self.problems.append(f"{where}: no section")
                continue
            project.section = int(section)
            self.merge_budget(project, occs, where)
            div_occ = next((o for o in occs if o.data.get("division")), None)
            if div_occ:
                project.division = self.division(div_occ.data["division"], where)
            wg_occ = next((o for o in occs if o.data.get("work_group")), None)
            if wg_occ and project.division and wg_occ.data["work_group"] not in ("-",):
                project.work_group = self.work_groups.get((project.division.pk, squash(wg_occ.data["work_group"])))
                if project.work_group is None:
                    wg = WorkGroup.objects.create(division=project.division, name=as_text(wg_occ.data["work_group"]))
                    self.work_groups[(project.division.pk, squash(wg.name))] = wg
                    project.work_group = wg
            node_occ = next((o for o in occs if o.data.get("node")), None)
            if node_occ:
                project.node = self.node(node_occ.data["node"], where)
            project.notes = self.notes(occs)
            self.save(project, occs[0].file)
            self.projects[key] = project
            codes = []
            for occ in occs:
                for code in occ.data.get("policies") or []:
                    if code not in codes:
                        codes.append(code)
            for code in codes:
                if code not in policies:
                    policies[code] = Policy.objects.create(code=code)
            project.policies.set([policies[c] for c in codes])
            for occ in occs:
                for ref in occ.data.get("indicators") or []:
                    ind = self.indicators.get(ref["key"])
                    if ind is None:
                        self.problems.append(f"{where}: unknown indicator '{ref['key']}'")
                        continue
                    ProjectIndicator.objects.get_or_create(
                        project=project, indicator=ind, defaults={"printed": as_text(ref.get("printed"))}
                    )

        for key, occs in self.occurrences["projects"].items():
            if key not in self.projects:
                continue
            project = self.projects[key]
            changed = False
            for attr in ("parent", "same_as"):
                ref = next((o.data[attr] for o in occs if o.data.get(attr)), None)
                if ref:
                    other = self.projects.get(ref)
                    if other is None:
                        self.problems.append(f"project {key}: unknown {attr} '{ref}'")
                    else:
                        setattr(project, attr, other)
                        changed = True
            if changed:
                self.save(project, occs[0].file)

        # Indicators list the projects that serve them (tables ก, ข, ค, ฉ).
        for key, occs in self.occurrences["indicators"].items():
            ind = self.indicators.get(key)
            for occ in occs:
                for ref in occ.data.get("projects") or []:
                    project = self.projects.get(ref)
                    if project is None:
                        self.problems.append(f"indicator {key}: unknown project '{ref}'")
                        continue
                    if ind is not None:
                        ProjectIndicator.objects.get_or_create(project=project, indicator=ind)
        self.assign_reporting_divisions()

    def assign_reporting_divisions(self) -> None:
        """An indicator is reported by the division of the projects that serve it, when
        they all belong to one division (planners set the rest in the admin)."""
        divisions: dict[int, set[int]] = {}
        for ind_id, div_id in ProjectIndicator.objects.filter(project__plan=self.plan, project__division__isnull=False).values_list(
            "indicator_id", "project__division_id"
        ):
            divisions.setdefault(ind_id, set()).add(div_id)
        for ind in self.indicators.values():
            found = divisions.get(ind.pk, set())
            division_id = next(iter(found)) if len(found) == 1 else (ind.lead_division_id if ind.lead_division_id else None)
            if division_id and ind.division_id != division_id:
                ind.division_id = division_id
                self.save(ind, "plan.yaml")

    def merge_budget(self, project: Project, occs: list[Occurrence], where: str) -> None:
        amount = None
        first_seen = False
        for occ in occs:
            if "budget" not in occ.data and "budget_text" not in occ.data:
                continue
            value = self.number(occ.data.get("budget"), where)
            if not first_seen:
                amount, first_seen = value, True
            elif value != amount:
                printed = as_text(occ.data.get("budget_text")) or as_text(occ.data.get("budget"))
                self.pending_variants.append((project, "budget", printed, occ.source))
        project.budget = amount

    def load_links_steps_totals(self) -> None:
        order = 0
        for file, doc in self.docs:
            source = doc.get("source") or file
            for entry in doc.get("links") or []:
                order += 1
                where = f"{file} link {order}"
                project = self.projects.get(entry.get("project")) if entry.get("project") else None
                if entry.get("project") and project is None:
                    self.problems.append(f"{where}: unknown project '{entry['project']}'")
                indicator = self.indicators.get(entry.get("kr")) if entry.get("kr") else None
                if entry.get("kr") and indicator is None:
                    self.problems.append(f"{where}: unknown key result '{entry['kr']}'")
                self.save(
                    KeyResultLink(
                        plan=self.plan, area=self.node(entry.get("area"), where),
                        objective=self.node(entry.get("objective"), where), indicator=indicator,
                        kr_text=as_text(entry.get("kr_text")), unit=as_text(entry.get("unit")),
                        target_text=as_text(entry.get("target_text")), project=project,
                        project_text=as_text(entry.get("project_text")),
                        budget=self.number(entry.get("budget"), where),
                        budget_text=as_text(entry.get("budget_text")),
                        project_kpi_target=as_text(entry.get("project_kpi_target")),
                        order=order, notes=as_text(entry.get("notes")),
                    ),
                    file,
                )
            for entry in doc.get("work_steps") or []:
                where = f"{file} work step {entry.get('number')}"
                project = self.projects.get(entry.get("project"))
                if project is None:
                    self.problems.append(f"{where}: unknown project '{entry.get('project')}'")
                    continue
                self.save(
                    WorkStep(
                        project=project, number=int(entry["number"]), name=as_text(entry.get("name")),
                        weight=self.number(entry.get("weight"), where),
                        cumulative_percent=self.number(entry.get("cumulative_percent"), where),
                        months=[int(m) for m in entry.get("months") or []],
                        notes=as_text(entry.get("notes")),
                    ),
                    file,
                )
            for entry in doc.get("totals") or []:
                where = f"{file} total"
                self.save(
                    PrintedTotal(
                        plan=self.plan, section=int(entry["section"]), label=as_text(entry.get("label")),
                        amount=self.number(entry.get("amount"), where),
                        count=int(entry["count"]) if entry.get("count") not in (None, "") else None,
                        text=as_text(entry.get("text")), source=as_text(entry.get("source")) or source,
                    ),
                    file,
                )


    def subject(self, key: str):
        """The node, indicator or project a key names (their key shapes never overlap)."""
        return self.nodes.get(key) or self.indicators.get(key) or self.projects.get(key)

    def load_disagreements(self) -> None:
        """`disagreements:` of every file, in document order, after every record exists
        (a disagreement may be about a record a later file creates)."""
        order = 0
        self.disagreement_count = 0
        for file, doc in self.docs:
            for n, entry in enumerate(doc.get("disagreements") or [], 1):
                order += 1
                where = f"{file}: disagreement {n} ({as_text(entry.get('what'))!r})"
                category, severity = entry.get("category"), entry.get("severity") or "error"
                if category not in DOCUMENT_CATEGORIES:
                    self.problems.append(f"{where}: unknown category {category!r} (one of {', '.join(DOCUMENT_CATEGORIES)})")
                if severity not in SEVERITIES:
                    self.problems.append(f"{where}: unknown severity {severity!r} (error or warning)")
                places = [{"where": as_text(p.get("where")), "value": as_text(p.get("value"))}
                          for p in entry.get("places") or [] if isinstance(p, dict)]
                if len(places) < 2 or any(not p["where"] for p in places):
                    self.problems.append(f"{where}: needs at least two places, each with where: and value:")
                if not as_text(entry.get("what")):
                    self.problems.append(f"{where}: what: is missing")
                key = as_text(entry.get("subject"))
                subject = self.subject(key) if key else None
                if key and subject is None:
                    self.problems.append(f"{where}: unknown subject key '{key}' (no node, indicator or project has it)")
                    continue
                self.save(
                    Discrepancy(
                        plan=self.plan, category=category or "", severity=severity, what=as_text(entry.get("what")),
                        content_type=ContentType.objects.get_for_model(subject) if subject else None,
                        object_id=subject.pk if subject else None,
                        places=places, notes=as_text(entry.get("notes")), order=order,
                    ),
                    file,
                )
                self.disagreement_count += 1


def load_plan_directory(directory, *, user=None, replace: bool = False) -> LoadResult:
    return PlanLoader(Path(directory), user=user, replace=replace).load()
