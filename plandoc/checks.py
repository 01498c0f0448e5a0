"""Data-quality check: where the stored plan disagrees with itself or with what the
document prints. It reports; it never changes data."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from kpiplan.lib.thai import format_number, to_ascii_digits
from plans.models import Plan, PrintedTotal, Variant
from projects.models import KeyResultLink, Project, ProjectIndicator, WorkStep

CODE_IN_TEXT = re.compile(r"\d+(?:\.\d+)+")


@dataclass(frozen=True)
class Finding:
    category: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.category}] {self.where}: {self.message}"


CATEGORY_LABELS = {
    "total": gettext_lazy("Printed totals and counts that do not match their lines"),
    "sequence": gettext_lazy("Sequence numbers printed twice"),
    "amount": gettext_lazy("Amounts that differ between sections"),
    "code": gettext_lazy("Indicator codes written two ways"),
    "duplicate-code": gettext_lazy("One code for different indicators"),
    "reference": gettext_lazy("References to codes or rows that do not exist"),
    "division": gettext_lazy("Divisions written differently"),
    "rubric": gettext_lazy("Incomplete or inconsistent scoring rubrics"),
    "work-steps": gettext_lazy("Incomplete work steps"),
    "spelling": gettext_lazy("Spelled differently in different tables"),
}


def baht(value: Decimal | None) -> str:
    return format_number(value, places=None) if value is not None else "-"


def check_plan(plan: Plan) -> list[Finding]:
    findings: list[Finding] = []
    findings += _check_totals(plan)
    findings += _check_sequences(plan)
    findings += _check_amounts(plan)
    findings += _check_codes(plan)
    findings += _check_references(plan)
    findings += _check_divisions(plan)
    findings += _check_rubrics(plan)
    findings += _check_work_steps(plan)
    findings += _check_spelling(plan)
    return findings


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
    findings = []
    sums = section_budget_sums(plan)
    counts = section_listed_counts(plan)
    by_section = defaultdict(list)
    for total in PrintedTotal.objects.filter(plan=plan):
        by_section[total.section].append(total)
    for section, totals in by_section.items():
        for d in total_disagreements(totals, sums.get(section, Decimal(0)), counts.get(section, 0)):
            where = f"{d['total'].get_section_display()} «{d['label']}»"
            if d["kind"] == "amount":
                message = (_("printed total %(printed)s baht, but its lines add up to %(computed)s baht (difference %(diff)s)")
                           % {"printed": baht(d["printed"]), "computed": baht(d["computed"]), "diff": baht(d["difference"])})
            else:
                message = (_("printed count %(printed)s projects, but the table lists %(listed)s rows")
                           % {"printed": d["printed"], "listed": d["computed"]})
            findings.append(Finding("total", where, message))
    return findings


def _check_sequences(plan: Plan) -> list[Finding]:
    findings = []
    dupes = (
        Project.objects.filter(plan=plan).exclude(sequence="")
        .values("section", "sequence").annotate(n=Count("id")).filter(n__gt=1)
    )
    names_by_seq = defaultdict(list)
    dupe_keys = {(row["section"], row["sequence"]) for row in dupes}
    if dupe_keys:
        for section, sequence, name in Project.objects.filter(plan=plan).exclude(sequence="").values_list("section", "sequence", "name"):
            if (section, sequence) in dupe_keys:
                names_by_seq[(section, sequence)].append(name)
    for row in dupes:
        names = names_by_seq[(row["section"], row["sequence"])]
        findings.append(
            Finding(
                "sequence", _("Part %(section)s, no. %(seq)s") % {"section": row["section"], "seq": row["sequence"]},
                _("the number is printed for %(n)s projects: %(names)s")
                % {"n": row["n"], "names": " | ".join(n for n in names)},
            )
        )
    return findings


def _check_amounts(plan: Plan) -> list[Finding]:
    findings = []
    pairs = Project.objects.filter(plan=plan, same_as__isnull=False).select_related("same_as")
    for project in pairs:
        other = project.same_as
        if project.budget != other.budget:
            findings.append(
                Finding(
                    "amount", project.name,
                    _("Part %(a)s prints %(amount_a)s baht, Part %(b)s prints %(amount_b)s baht for the same project")
                    % {"a": project.section, "amount_a": baht(project.budget), "b": other.section, "amount_b": baht(other.budget)},
                )
            )
    ct = ContentType.objects.get_for_model(Project)
    budget_variants = Variant.objects.filter(plan=plan, content_type=ct, field="budget")
    projects = {p.pk: p for p in Project.objects.filter(pk__in=budget_variants.values("object_id"))}
    for v in budget_variants:
        project = projects[v.object_id]
        findings.append(
            Finding(
                "amount", project.name,
                _("%(source)s prints %(value)s, elsewhere %(amount)s baht")
                % {"source": v.source, "value": v.value, "amount": baht(project.budget)},
            )
        )
    links = KeyResultLink.objects.filter(plan=plan, project__isnull=False, budget__isnull=False).select_related("project")
    for link in links:
        if link.budget != link.project.budget:
            findings.append(
                Finding(
                    "amount", link.project.name,
                    _("table ง prints %(link)s baht, Part %(section)s prints %(amount)s baht")
                    % {"link": baht(link.budget), "section": link.project.section, "amount": baht(link.project.budget)},
                )
            )
    return findings


def _check_codes(plan: Plan) -> list[Finding]:
    findings = []
    ct = ContentType.objects.get_for_model(Indicator)
    indicators = {i.pk: i for i in Indicator.objects.filter(plan=plan)}
    for v in Variant.objects.filter(plan=plan, content_type=ct, field="code"):
        ind = indicators.get(v.object_id)
        if ind is None:
            continue
        findings.append(
            Finding(
                "code", str(ind),
                _("code %(code)s is printed as %(variant)s in %(source)s") % {"code": ind.code, "variant": v.value, "source": v.source},
            )
        )
    # KR numbers restart in every sub-strategy ("KR 1"), so only plan-wide codes count.
    dupes = (
        Indicator.objects.filter(plan=plan).exclude(code="").exclude(kind=Indicator.Kind.BMA_KR)
        .values("kind", "code").annotate(n=Count("id")).filter(n__gt=1)
    )
    for row in dupes:
        names = [i.name for i in indicators.values() if i.kind == row["kind"] and i.code == row["code"]]
        findings.append(
            Finding(
                "duplicate-code", row["code"],
                _("one code for %(n)s different indicators: %(names)s") % {"n": row["n"], "names": " | ".join(n for n in names)},
            )
        )
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
                findings.append(
                    Finding(
                        "reference", link.project.name,
                        _("refers to %(printed)s, but no indicator has code %(code)s (linked to %(indicator)s)")
                        % {"printed": link.printed, "code": code, "indicator": str(link.indicator)},
                    )
                )
    for link in KeyResultLink.objects.filter(plan=plan, project__isnull=True):
        findings.append(
            Finding("reference", _("table ง row %(n)s") % {"n": link.order},
                    _("project «%(text)s» is not in the plan") % {"text": link.project_text})
        )
    return findings


def _check_divisions(plan: Plan) -> list[Finding]:
    findings = []
    projects = Project.objects.filter(plan=plan, division__isnull=False).exclude(division_text="").select_related("division")
    for project in projects:
        div = project.division
        known = {div.name, div.short_name, *div.aliases}
        printed = re.sub(r"\s+", "", project.division_text)
        if not any(printed == re.sub(r"\s+", "", k) for k in known if k):
            findings.append(
                Finding("division", project.name,
                        _("division printed as «%(printed)s»; the plan has no such division (stored as %(division)s)")
                        % {"printed": project.division_text, "division": div.name})
            )
    ct = ContentType.objects.get_for_model(Project)
    seen = set()
    division_variants = list(Variant.objects.filter(plan=plan, content_type=ct, field="division_text"))
    by_pk = Project.objects.in_bulk([v.object_id for v in division_variants])
    for v in division_variants:
        project = by_pk[v.object_id]
        if (project.pk, v.value) in seen:
            continue
        seen.add((project.pk, v.value))
        findings.append(
            Finding("division", project.name,
                    _("division printed as «%(a)s» here and «%(b)s» in %(source)s")
                    % {"a": project.division_text, "b": v.value, "source": v.source})
        )
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
        where = str(ind)
        if ind.n_levels != 5:
            findings.append(Finding("rubric", where, _("the rubric has %(n)s levels, not 5") % {"n": ind.n_levels}))
        if ind.weight is None:
            findings.append(Finding("rubric", where, _("no weight is given")))
            continue
        for level in ind.rubric.levels.all():
            expected = ind.weight * level.level / 5
            if level.points is None:
                findings.append(Finding("rubric", where, _("level %(level)s has no points") % {"level": level.level}))
            elif level.points != expected:
                findings.append(
                    Finding("rubric", where, _("level %(level)s gives %(points)s points; weight %(weight)s implies %(expected)s")
                            % {"level": level.level, "points": format_number(level.points),
                               "weight": format_number(ind.weight), "expected": format_number(expected)})
                )
    return findings


def _check_work_steps(plan: Plan) -> list[Finding]:
    findings = []
    rows = (
        WorkStep.objects.filter(project__plan=plan).values("project", "project__name")
        .annotate(total=Sum("weight"), n=Count("id"), missing=Count("id", filter=Q(weight__isnull=True)))
    )
    for row in rows:
        total = row["total"] or Decimal(0)
        if total != 100 or row["missing"]:
            findings.append(
                Finding("work-steps", row["project__name"],
                        _("%(n)s steps with weights adding up to %(total)s%% (%(missing)s without a weight); they must add up to 100%%")
                        % {"n": row["n"], "total": format_number(total), "missing": row["missing"]})
            )
    return findings


def _check_spelling(plan: Plan) -> list[Finding]:
    findings = []
    skip = {"code", "budget", "division_text"}
    variants = Variant.objects.filter(plan=plan).exclude(field__in=skip).select_related("content_type")
    by_type = defaultdict(list)
    for v in variants:
        by_type[v.content_type].append(v)
    for ct, items in by_type.items():
        objects = ct.model_class().objects.in_bulk([v.object_id for v in items])
        for v in items:
            obj = objects.get(v.object_id)
            current = getattr(obj, v.field, "") if obj is not None else ""
            findings.append(
                Finding("spelling", str(obj),
                        _("%(field)s «%(current)s» is printed «%(value)s» in %(source)s")
                        % {"field": v.field, "current": str(current), "value": v.value, "source": v.source})
            )
    return findings
