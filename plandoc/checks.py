"""Data-quality check: where the stored plan disagrees with itself or with what the
document prints. It reports; it never changes data.

Two kinds of finding, listed together:
- computed: totals against their lines, a field printed differently in two tables (the
  loader's Variants, compared after plandoc.compare normalises what is only style), budgets,
  codes, references, work steps, rubrics;
- recorded: a disagreement the transcriber found that no computation can see (an amount
  inside a sentence, a formula contradicting its definition), kept as a Discrepancy.
A finding carries its category, severity, the places and the printed values
(plans.findings), so the planner's page can group, filter and link them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from kpiplan.lib.thai import format_number, to_ascii_digits, to_thai_digits
from plans.findings import DOCUMENT_CATEGORIES, ERROR, WARNING, Finding, Link, Place
from plans.models import KR_KPI_SUMMARY_SOURCE, Discrepancy, Plan, PrintedTotal, StrategyNode, Variant
from projects.models import KeyResultLink, Project, ProjectIndicator, WorkStep

from . import compare

# Kept for callers that label groups: the document categories in page order.
CATEGORY_LABELS = DOCUMENT_CATEGORIES

# Names and schedules written two ways change no number; everything else does.
SEVERITY = {"name": WARNING, "schedule": WARNING}

# What a Variant's field is, in the words of a finding.
FIELD_LABELS = {
    "name": gettext_lazy("name"),
    "title": gettext_lazy("title"),
    "division_text": gettext_lazy("division"),
    "code": gettext_lazy("code"),
    "policy_text": gettext_lazy("policy code"),
    "target_text": gettext_lazy("target"),
    "targets": gettext_lazy("target"),
    "unit": gettext_lazy("unit"),
    "node": gettext_lazy("objective it is listed under"),
    "budget": gettext_lazy("budget"),
}

# Where the document prints a record first (the loader reads the parts in this order);
# a Variant names the other table itself.
INDICATOR_HOME = {
    Indicator.Kind.BMA_KR: "ส่วนที่ ๑",
    Indicator.Kind.BMA_KPI: "ส่วนที่ ๑",
    Indicator.Kind.OKR: "ส่วนที่ ๒",
    Indicator.Kind.AGREEMENT: "ส่วนที่ ๔ ตาราง ค",
    Indicator.Kind.SUPPORT: "ส่วนที่ ๔ ตาราง ฉ",
    Indicator.Kind.CITY_KR: "ส่วนที่ ๔ ตาราง ง",
}
TARGET_FIELDS = {"target_text", "targets", "unit"}
SUMMARY_TABLE = {1: "ส่วนที่ ๑ สรุปโครงการ", 2: "ส่วนที่ ๒ สรุปโครงการ", 3: "ส่วนที่ ๓ สรุปโครงการ"}
CODE_IN_TEXT = compare._OKR


def baht(value: Decimal | None) -> str:
    return format_number(value, places=None) if value is not None else "-"


def printed(value: Decimal | int | None) -> str:
    """A number as the document prints it: Thai digits, thousands separated."""
    return format_number(value, places=None, thai=True) if value is not None else "-"


def finding(category: str, subject, message: str, places=(), records=(), severity: str | None = None) -> Finding:
    return Finding(
        category=category, severity=severity or SEVERITY.get(category, ERROR),
        subject=subject if isinstance(subject, str) else str(subject), message=message,
        places=tuple(Place(where, str(value)) for where, value in places),
        links=tuple(link for link in (admin_link(r) for r in records) if link),
    )


def admin_link(record) -> Link | None:
    """The record's page in the admin, where a planner corrects it."""
    if record is None or record.pk is None:
        return None
    meta = record._meta
    try:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return None
    return Link(str(record), url)


def home(record) -> str:
    """Where the document prints a record, as a planner finds it: part, table, row. In
    the document's own (Thai) words in either language, like a Variant's source, so that
    a place can be looked up in the printed plan."""
    if isinstance(record, Indicator):
        part = INDICATOR_HOME.get(record.kind, "")
        return f"{part}, {record.code_label}" if record.code else part
    if isinstance(record, Project):
        where = f"ส่วนที่ {to_thai_digits(record.section)}"
        row = record.number or record.sequence
        return f"{where}, ลำดับที่ {to_thai_digits(row)}" if row else where
    if isinstance(record, StrategyNode):
        part = "ส่วนที่ ๒" if record.level in (StrategyNode.Level.DEVELOPMENT_AREA, StrategyNode.Level.OBJECTIVE) else "ส่วนที่ ๑"
        return f"{part}, {to_thai_digits(record.code)}" if record.code else part
    return ""


def check_plan(plan: Plan) -> list[Finding]:
    findings: list[Finding] = []
    findings += _check_totals(plan)
    findings += _check_sequences(plan)
    findings += _check_amounts(plan)
    findings += _check_variants(plan)
    findings += _check_duplicate_codes(plan)
    findings += _check_key_results_missing_from_part2(plan)
    findings += _check_references(plan)
    findings += _check_divisions(plan)
    findings += _check_rubrics(plan)
    findings += _check_work_steps(plan)
    findings += _recorded(plan)
    order = list(DOCUMENT_CATEGORIES)
    return sorted(findings, key=lambda f: order.index(f.category))


def section_budget_sums(plan: Plan) -> dict[int, Decimal]:
    """Sum of the budget lines (leaf projects) per section."""
    rows = (
        Project.objects.filter(plan=plan).budget_lines().values("section").annotate(total=Sum("budget"))
    )
    return {row["section"]: row["total"] or Decimal(0) for row in rows}


def section_listed_counts(plan: Plan) -> dict[int, int]:
    """Rows of each section's summary table: projects with a printed sequence number,
    or, for a section printed without one (Part 3), its budget lines."""
    counts = {}
    for section in (1, 2, 3):
        projects = Project.objects.filter(plan=plan, section=section)
        numbered = projects.exclude(sequence="").count()
        counts[section] = numbered or projects.budget_lines().count()
    return counts


def total_disagreements(printed: list[PrintedTotal], computed: Decimal, listed: int) -> list[dict]:
    """Where a section's printed totals differ from its lines: the amount from the sum of
    its budget lines, the count from the rows its summary table lists. Shared by the
    check and the plan book, which prints both figures."""
    out = []
    for total in printed:
        if total.amount is not None and total.amount != computed:
            out.append({"total": total, "label": total.label, "kind": "amount", "printed": total.amount,
                        "computed": computed, "difference": computed - total.amount})
        if total.count is not None and total.count != listed:
            out.append({"total": total, "label": total.label, "kind": "count", "printed": total.count,
                        "computed": listed, "difference": listed - total.count})
    return out


def _check_totals(plan: Plan) -> list[Finding]:
    """One finding per wrong figure: a section that prints the same wrong total under two
    labels has one disagreement, printed twice."""
    findings = []
    sums = section_budget_sums(plan)
    counts = section_listed_counts(plan)
    by_section = defaultdict(list)
    for total in PrintedTotal.objects.filter(plan=plan):
        by_section[total.section].append(total)
    for section, totals in by_section.items():
        same = defaultdict(list)
        for d in total_disagreements(totals, sums.get(section, Decimal(0)), counts.get(section, 0)):
            same[(d["kind"], d["printed"])].append(d)
        for (kind, value), group in same.items():
            first = group[0]
            places = [(f"{d['total'].source or d['total'].get_section_display()} «{d['label']}»",
                       printed(value)) for d in group]
            subject = first["total"].get_section_display()
            if kind == "amount":
                places.append((_("sum of the lines"), printed(first["computed"])))
                message = (_("The printed total is %(printed)s baht, but its lines add up to %(computed)s baht (difference %(diff)s).")
                           % {"printed": baht(value), "computed": baht(first["computed"]), "diff": baht(first["difference"])})
                findings.append(finding("total", subject, message, places, [d["total"] for d in group]))
            else:
                places.append((_("rows of the table"), printed(first["computed"])))
                message = (_("The printed count is %(printed)s projects, but the table lists %(listed)s rows.")
                           % {"printed": value, "listed": first["computed"]})
                findings.append(finding("count", subject, message, places, [d["total"] for d in group]))
    return findings


def _check_sequences(plan: Plan) -> list[Finding]:
    findings = []
    rows = defaultdict(list)
    for project in Project.objects.filter(plan=plan).exclude(sequence="").order_by("section", "pk"):
        rows[(project.section, project.sequence)].append(project)
    for (section, sequence), projects in rows.items():
        if len(projects) < 2:
            continue
        findings.append(finding(
            "count", _("Part %(section)s, no. %(seq)s") % {"section": section, "seq": sequence},
            _("The number %(seq)s is printed for %(n)s different rows of the summary table.") % {"seq": sequence, "n": len(projects)},
            [(f"{SUMMARY_TABLE[section]}, ลำดับที่ {to_thai_digits(sequence)}", p.name) for p in projects], projects,
        ))
    return findings


def _check_amounts(plan: Plan) -> list[Finding]:
    findings = []
    for project in Project.objects.filter(plan=plan, same_as__isnull=False).select_related("same_as"):
        other = project.same_as
        if project.budget != other.budget:
            findings.append(finding(
                "amount", project.name, _("The same project is printed with different amounts in two parts."),
                [(home(project), printed(project.budget)), (home(other), printed(other.budget))], [project, other],
            ))
    links = KeyResultLink.objects.filter(plan=plan, project__isnull=False).select_related("project")
    for link in links:
        project = link.project
        printed_dash = link.budget is None and link.budget_text.strip() in {"-", "–", "—"}
        if project.budget is None or not (printed_dash or (link.budget is not None and link.budget != project.budget)):
            continue
        message = (_("Table ง prints «-» for this project's budget, but the project has an amount.") if printed_dash
                   else _("Table ง prints a different budget for this project."))
        findings.append(finding(
            "amount", project.name, message,
            [(f"ส่วนที่ ๔ ตาราง ง, แถว {to_thai_digits(link.order)}", link.budget_text or printed(link.budget)),
             (home(project), printed(project.budget))], [project, link],
        ))
    return findings


def _targets_text(indicator: Indicator) -> str:
    parts = []
    for target in indicator.targets.all():
        agency = f"{target.agency.short_name} " if target.agency_id else ""
        parts.append(f"{agency}{format_number(target.value, places=None)} {target.unit}".strip())
    return "; ".join(parts)


def _variant_category(record, field: str, current: str, value: str, units: set[str]) -> str | None:
    """The category of a Variant that is a real disagreement, None when the two printed
    forms only differ in style (plandoc.compare)."""
    if field in ("name", "title"):
        area = isinstance(record, StrategyNode) and record.level == StrategyNode.Level.DEVELOPMENT_AREA
        return "name" if compare.names_differ(current, value, area=area) else None
    if field == "division_text":
        division = getattr(record, "division", None)
        known = {division.name, division.short_name, *division.aliases} if division else set()
        if any(not compare.names_differ(value, k) for k in known if k) and any(
                not compare.names_differ(current, k) for k in known if k):
            return None
        return "name" if compare.names_differ(current, value) else None
    if field == "code":
        return "code" if compare.normal(current) != compare.normal(value) else None
    if field == "policy_text":
        return "code" if compare.policy_cells_differ(current, value) else None
    if field == "target_text":
        return compare.target_difference(current, value, units)
    if field == "targets":
        # A list of targets prints only agency, number and unit: the same numbers with
        # other words are other units.
        difference = compare.target_difference(current, value, set())
        return "unit" if difference == "name" else difference
    if field == "unit":
        return "unit" if compare.units_differ(current, value, units) else None
    if field == "node":
        return "reference" if compare.normal(current) != compare.normal(value) else None
    if field == "budget":
        return "amount" if compare.numbers(current) != compare.numbers(value) else None
    return "name" if compare.names_differ(current, value) else None


def _current(record, field: str) -> str:
    if field == "targets":
        return _targets_text(record)
    if field == "node":
        node = record.node
        return node.code if node else ""
    return str(getattr(record, field, "") or "")


def _variant_value(field: str, value: str) -> str:
    if field == "node":
        return value.split(":", 1)[-1]  # the loader keeps the node's key, "obj:6.1"
    return value


def _check_variants(plan: Plan) -> list[Finding]:
    """Every field a table prints differently from the record, one finding per record and
    kind of disagreement, with every place that prints it differently."""
    variants = list(Variant.objects.filter(plan=plan).select_related("content_type").order_by("pk"))
    by_type = defaultdict(list)
    for v in variants:
        by_type[v.content_type_id].append(v)
    records = {}
    for ct_id, items in by_type.items():
        model = items[0].content_type.model_class()
        queryset = model.objects.all()
        if model is Indicator:
            queryset = queryset.select_related("node").prefetch_related("targets__agency")
        elif model is Project:
            queryset = queryset.select_related("division")
        for pk, record in queryset.in_bulk([v.object_id for v in items]).items():
            records[(ct_id, pk)] = record
    # A cell printed as text and as the numbers read from it is one cell: judge the text.
    text_cells = {(v.content_type_id, v.object_id, v.source) for v in variants if v.field == "target_text"}
    grouped: dict[tuple, dict] = {}
    for v in variants:
        record = records.get((v.content_type_id, v.object_id))
        if record is None:
            continue
        if v.field == "targets" and (v.content_type_id, v.object_id, v.source) in text_cells:
            continue
        units = set()
        if isinstance(record, Indicator):
            units = {record.unit, *(t.unit for t in record.targets.all())}
        current = _current(record, v.field)
        value = _variant_value(v.field, v.value)
        category = _variant_category(record, v.field, current, value, units)
        if category is None:
            continue
        # Name and division of one project are two disagreements; a target cell and the
        # numbers read from it are one.
        key = (v.content_type_id, v.object_id, category, "target" if v.field in TARGET_FIELDS else v.field)
        entry = grouped.setdefault(key, {"record": record, "field": v.field, "places": [(home(record), current or "-")]})
        place = (v.source, value or _("(empty)"))
        if place not in entry["places"]:
            entry["places"].append(place)
    findings = []
    for (_ct, _pk, category, _field), entry in grouped.items():
        label = FIELD_LABELS.get(entry["field"], entry["field"])
        if category == "name" and entry["field"] in ("target_text", "targets"):
            message = _("The target prints the same numbers with different words in %(n)s places.") % {"n": len(entry["places"])}
        else:
            message = _("The %(what)s is printed differently in %(n)s places.") % {"what": label, "n": len(entry["places"])}
        findings.append(finding(category, entry["record"], message, entry["places"], [entry["record"]]))
    return findings


def _check_duplicate_codes(plan: Plan) -> list[Finding]:
    # KR numbers restart in every sub-strategy ("KR 1"), so only plan-wide codes count.
    findings = []
    by_code = defaultdict(list)
    for indicator in Indicator.objects.filter(plan=plan).exclude(code="").exclude(kind=Indicator.Kind.BMA_KR).order_by("pk"):
        by_code[(indicator.kind, indicator.code)].append(indicator)
    for (_kind, code), same in by_code.items():
        if len(same) < 2:
            continue
        findings.append(finding(
            "code", code, _("One code is printed for %(n)s different indicators.") % {"n": len(same)},
            [(INDICATOR_HOME.get(i.kind, ""), i.name) for i in same], same,
        ))
    return findings


def _check_key_results_missing_from_part2(plan: Plan) -> list[Finding]:
    """The front matter's KR/KPI list stars (*) the district's key results, which Part 2's
    key-result tables list; a starred one that Part 2 does not list disagrees."""
    findings = []
    missing = Indicator.objects.filter(plan=plan, kind=Indicator.Kind.OKR, starred=True, part2_order__isnull=True,
                                       summary_order__isnull=False).order_by("summary_order")
    for indicator in missing:
        findings.append(finding(
            "reference", indicator, _("The summary marks it as a key result of the district (*), but Part 2 does not list it."),
            [(f"{KR_KPI_SUMMARY_SOURCE}, {indicator.code_label}", f"{indicator.name}*"),
             ("ส่วนที่ ๒ ตารางตัววัดผลหลัก", _("(not listed)"))], [indicator],
        ))
    return findings


def _check_references(plan: Plan) -> list[Finding]:
    findings = []
    known_codes = set(Indicator.objects.filter(plan=plan).exclude(code="").values_list("code", flat=True))
    variant_codes = set(
        Variant.objects.filter(plan=plan, field="code", content_type=ContentType.objects.get_for_model(Indicator))
        .values_list("value", flat=True)
    )
    links = ProjectIndicator.objects.filter(project__plan=plan).exclude(printed="").select_related("project", "indicator")
    for link in links:
        for code in CODE_IN_TEXT.findall(to_ascii_digits(link.printed)):
            if code not in known_codes and code not in variant_codes:
                findings.append(finding(
                    "reference", link.project.name,
                    _("The project refers to a code no indicator has (it serves %(indicator)s).") % {"indicator": str(link.indicator)},
                    [(home(link.project), link.printed)], [link.project, link.indicator],
                ))
    for link in KeyResultLink.objects.filter(plan=plan, project__isnull=True):
        findings.append(finding(
            "reference", _("table ง row %(n)s") % {"n": link.order},
            _("The row names a project that is not in the plan."),
            [(f"ส่วนที่ ๔ ตาราง ง, แถว {to_thai_digits(link.order)}", link.project_text)], [link],
        ))
    return findings


def _check_divisions(plan: Plan) -> list[Finding]:
    """A division printed that the office does not have. Where another table prints the
    project's division differently, the Variant says so (category name) and this does not
    repeat it."""
    findings = []
    ct = ContentType.objects.get_for_model(Project)
    with_variant = set(Variant.objects.filter(plan=plan, content_type=ct, field="division_text").values_list("object_id", flat=True))
    projects = Project.objects.filter(plan=plan, division__isnull=False).exclude(division_text="").select_related("division")
    for project in projects:
        if project.pk in with_variant:
            continue
        div = project.division
        if all(compare.names_differ(project.division_text, k) for k in {div.name, div.short_name, *div.aliases} if k):
            findings.append(finding(
                "reference", project.name, _("The project names a division the office does not have."),
                [(home(project), project.division_text), (_("stored as"), div.name)], [project],
            ))
    return findings


def _check_rubrics(plan: Plan) -> list[Finding]:
    findings = []
    indicators = (
        Indicator.objects.filter(plan=plan, rubric__isnull=False)
        .select_related("rubric")
        .annotate(n_levels=Count("rubric__levels"))
        .prefetch_related("rubric__levels")
    )
    for ind in indicators:
        where = home(ind)
        if ind.n_levels != 5:
            findings.append(finding("formula", ind, _("The rubric has %(n)s levels, not 5.") % {"n": ind.n_levels},
                                    [(where, to_thai_digits(ind.n_levels))], [ind]))
        if ind.weight is None:
            findings.append(finding("formula", ind, _("The rubric gives points but the indicator has no weight."), [], [ind]))
            continue
        for level in ind.rubric.levels.all():
            expected = ind.weight * level.level / 5
            if level.points is None:
                findings.append(finding("formula", ind, _("Level %(level)s has no points.") % {"level": level.level}, [], [ind]))
            elif level.points != expected:
                findings.append(finding(
                    "formula", ind,
                    _("Level %(level)s gives %(points)s points; weight %(weight)s implies %(expected)s.")
                    % {"level": level.level, "points": format_number(level.points),
                       "weight": format_number(ind.weight), "expected": format_number(expected)},
                    [(f"{where}, ระดับ {to_thai_digits(level.level)}", format_number(level.points, thai=True))], [ind],
                ))
    return findings


def _check_work_steps(plan: Plan) -> list[Finding]:
    """Table จ: the printed cumulative percent of a step is the one before plus its
    weight; weights add up to 100; the ↔ months follow the steps' order and are the month
    a step's text names. A step whose weight the document lost is not a disagreement: the
    steps around it are compared with what is printed. The plan book prints the same
    comparisons (plandoc.compare)."""
    findings = []
    steps = defaultdict(list)
    for step in WorkStep.objects.filter(project__plan=plan).select_related("project").order_by("project", "number"):
        steps[step.project].append(step)
    for project, rows in steps.items():
        where = f"ส่วนที่ ๔ ตาราง จ, {project.name}"
        by_number = {s.number: s for s in rows}
        for d in compare.cumulative_disagreements(rows):
            before = by_number.get(d["number"] - 1)
            places = [(f"{where}, ขั้นตอนที่ {to_thai_digits(before.number)}", printed(before.cumulative_percent))] if before else []
            places.append((f"{where}, ขั้นตอนที่ {to_thai_digits(d['number'])}", printed(d["printed"])))
            findings.append(finding(
                "total", project,
                _("Step %(n)s prints a cumulative %(printed)s%%, but the step before (%(before)s%%) "
                  "plus its weight (%(weight)s%%) is %(sum)s%%.")
                % {"n": d["number"], "printed": format_number(d["printed"]), "before": format_number(d["previous"]),
                   "weight": format_number(d["weight"]), "sum": format_number(d["expected"])},
                places, [project],
            ))
        weights = [s.weight for s in rows]
        if weights and None not in weights and sum(weights) != 100:
            findings.append(finding(
                "total", project, _("The steps' weights add up to %(total)s%%, not 100%%.") % {"total": format_number(sum(weights))},
                [(where, printed(sum(weights)))], [project],
            ))
        for d in compare.month_disagreements(rows, compare.FISCAL_MONTH_ABBR):
            findings.append(finding(
                "schedule", project,
                _("Step %(n)s names %(named)s in its text but is marked in another month.") % {"n": d["number"], "named": d["named"]},
                [(f"{where}, ขั้นตอนที่ {to_thai_digits(d['number'])}, ข้อความ", f"เดือน{d['named']}"),
                 (f"{where}, ขั้นตอนที่ {to_thai_digits(d['number'])}, ช่องเดือน (↔)", ", ".join(d["marked"]))],
                [project], severity=ERROR,
            ))
        dated = [s for s in rows if s.months]
        for before, step in zip(dated, dated[1:], strict=False):
            if min(step.months) < min(before.months):
                findings.append(finding(
                    "schedule", project,
                    _("Step %(n)s is scheduled before step %(before)s.") % {"n": step.number, "before": before.number},
                    [(f"{where}, ขั้นตอนที่ {to_thai_digits(before.number)}", _months(before.months)),
                     (f"{where}, ขั้นตอนที่ {to_thai_digits(step.number)}", _months(step.months))],
                    [project],
                ))
    return findings


def _recorded(plan: Plan) -> list[Finding]:
    """The disagreements the transcriber recorded because no comparison can see them."""
    records = list(Discrepancy.objects.filter(plan=plan).select_related("content_type").order_by("order", "pk"))
    subjects = {}
    by_type = defaultdict(list)
    for r in records:
        if r.content_type_id:
            by_type[r.content_type_id].append(r)
    for items in by_type.values():
        model = items[0].content_type.model_class()
        for pk, record in model.objects.in_bulk([r.object_id for r in items]).items():
            subjects[(items[0].content_type_id, pk)] = record
    findings = []
    for r in records:
        subject = subjects.get((r.content_type_id, r.object_id))
        message = _("Printed differently: %(what)s.") % {"what": r.what}
        if r.notes:
            message = f"{message} {r.notes}"
        places = [(str(p.get("where", "")), str(p.get("value", ""))) for p in r.places]
        found = finding(r.category, subject if subject is not None else r.what, message, places,
                        [x for x in (subject, r) if x is not None], severity=r.severity)
        findings.append(Finding(**{**found.__dict__, "recorded": True}))
    return findings


def _months(months: list[int]) -> str:
    return ", ".join(compare.FISCAL_MONTH_ABBR[m - 1] for m in sorted(months) if 1 <= m <= 12)


def step_total_findings(plan: Plan) -> list[Finding]:
    """The work steps whose printed cumulative percents or weights do not add up: what
    the workbook's preview warns of before an import (plandoc.workbook)."""
    return [f for f in _check_work_steps(plan) if f.category == "total"]
