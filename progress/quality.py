"""Data-quality findings of reported progress, for the planner's plan-check page (issue 15
item 4): results that cannot or are unlikely to be true, totals to date that go down,
money paid beyond a project's budget, percent complete above 100 or going down, and
rubric conditions confirmed without any evidence file behind them.

Every saved report counts, whatever its state: a planner checking the data wants to see a
wrong number before it is submitted as much as after (the result that counts is the
verified one where the planner gave it, as on every page). A problem repeated period after
period (a result above the target all year) is one finding with one place per report, so
the list stays as long as the number of things to fix.

The rules are the ones the write paths apply (progress.plausibility through
services.value_checks); this module only reads what is stored. A fixed number of
queries, however many reports the plan has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.models import RubricCondition
from indicators.scoring import checklist_key
from kpiplan.lib.fiscal import period_short_name, periods_within
from kpiplan.lib.thai import format_number_in
from plans.findings import ERROR, WARNING, Finding, Link, Place

from .models import Assessment, Evidence, ProgressEntry, State
from .plausibility import CUMULATIVE_DOWN, HUNDRED, NEGATIVE, OVER_TARGET, SHARE_OVER_100, UNLIKELY, format_amount

CATEGORY_ORDER = ["implausible", "decreasing", "over-budget", "completion", "evidence"]
CONDITION_TEXT_MAX = 120  # a checklist condition prints a paragraph; the place needs its start


@dataclass
class _Group:
    """One finding being collected: its places and links in period order."""

    category: str
    severity: str
    subject: str
    message: str
    order: tuple
    places: list[Place] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def add(self, place: Place, link: Link | None = None) -> None:
        if place not in self.places:
            self.places.append(place)
        if link is not None and link not in self.links:
            self.links.append(link)

    def finding(self, item_link: Link) -> Finding:
        links = [item_link] + self.links
        return Finding(self.category, self.severity, self.subject, self.message, tuple(self.places), tuple(links))


class _Findings:
    """Findings keyed by what they are about, so a repeated problem is collected once."""

    def __init__(self):
        self.groups: dict[tuple, _Group] = {}

    def group(self, key: tuple, **kwargs) -> _Group:
        if key not in self.groups:
            self.groups[key] = _Group(**kwargs)
        return self.groups[key]

    def result(self) -> list[Finding]:
        groups = sorted(self.groups.items(), key=lambda kv: (CATEGORY_ORDER.index(kv[1].category), kv[1].order))
        return [g.finding(_item_link(*key[1:3])) for key, g in groups]


def _item_link(kind: str, pk: int) -> Link:
    """The page of the indicator or project, where all its reports are seen together."""
    if kind == "indicator":
        return Link(_("Indicator page"), reverse("progress:indicator", args=[pk]))
    return Link(_("Project page"), reverse("projects:detail", args=[pk]))


def _short(fiscal_year: int, kind: str, number: int, measure: str | None = None) -> str:
    text = period_short_name(fiscal_year, kind, number, get_language())
    return f"{text} — {measure}" if measure else text


def _at(entry: ProgressEntry) -> str:
    return _short(entry.period.fiscal_year_id, entry.period.kind, entry.period.number)


def _entry_link(entry: ProgressEntry) -> Link:
    kind = "indicator" if entry.indicator_id else "project"
    label = _("Report of %(period)s by %(division)s") % {"period": entry.period.short_name, "division": entry.division.name}
    return Link(label, reverse("progress:entry", args=[entry.period_id, kind, entry.item.pk]))


def _earlier(series: dict[int, Decimal | None], number: int) -> int | None:
    """The latest earlier period with a value: what a total to date is compared with."""
    return max((n for n, v in series.items() if n < number and v is not None), default=None)


def _accepted(entry: ProgressEntry) -> bool:
    """An unusual result the division explained and the planner then approved has been
    checked by the person this list is for; an impossible one never is."""
    return entry.state == State.APPROVED and bool(entry.implausible_note.strip())


def _has_content(entry: ProgressEntry) -> bool:
    return (entry.value is not None or entry.verified_value is not None or bool(entry.counted_measures)
            or entry.percent_complete is not None or entry.disbursed is not None)


# -- indicators ------------------------------------------------------------------------

def _indicator_findings(found: _Findings, entries: list[ProgressEntry]) -> None:
    from .services import _value_bases, value_checks

    indicators = list({e.indicator_id: e.indicator for e in entries}.values())
    if not indicators:
        return
    targets, series = _value_bases(indicators, list({e.period_id: e.period for e in entries}.values()))
    for entry in entries:
        ind, period = entry.indicator, entry.period
        checks = value_checks(indicator=ind, period=period, value=entry.counted_value, measures=entry.counted_measures,
                              cumulative=entry.value_is_cumulative, targets=targets, series=series)
        for check in checks:
            for problem in check.problems:
                if problem.kind == UNLIKELY and _accepted(entry):
                    continue
                _indicator_problem(found, entry, check, problem,
                                   series.get((ind.pk, period.kind, check.measure) if check.measure else (ind.pk, period.kind), {}))


def _indicator_problem(found: _Findings, entry: ProgressEntry, check, problem, series: dict) -> None:
    ind, period = entry.indicator, entry.period
    fy = period.fiscal_year_id
    link = _entry_link(entry)  # only reached for a report with a problem
    here = _short(fy, period.kind, period.number, check.measure)
    reported = problem.value
    base = dict(subject=ind.label, order=(0, ind.order, ind.pk, check.index))
    key = (problem.rule, "indicator", ind.pk, check.measure)
    if problem.rule == NEGATIVE:
        group = found.group(key, category="implausible", severity=ERROR, **base,
                            message=_("A result is less than zero; a count or an amount cannot be negative."))
        group.add(Place(here, format_amount(reported, check.unit)), link)
    elif problem.rule == SHARE_OVER_100:
        group = found.group(key, category="implausible", severity=ERROR, **base,
                            message=_("A result is more than %(hundred)s; a share of a whole cannot be more than "
                                      "%(hundred)s.") % {"hundred": format_number_in(HUNDRED, get_language())})
        group.add(Place(here, format_amount(reported, check.unit)), link)
    elif problem.rule == OVER_TARGET:
        # problem.value is the result to date the report makes (the sum, for a per-period result).
        group = found.group(key, category="implausible", severity=WARNING, **base,
                            message=_("The result to date is more than %(multiple)s times the year's target of "
                                      "%(target)s.") % {"multiple": format_number_in(problem.multiple, get_language()),
                                                         "target": format_amount(problem.limit, check.unit)})
        group.add(Place(here, format_amount(problem.value, check.unit)), link)
    elif problem.rule == CUMULATIVE_DOWN:
        group = found.group(("decreasing",) + key[1:], category="decreasing", severity=WARNING, **base,
                            message=_("The result to date goes down from one report to the next; a result to date "
                                      "does not normally go down."))
        before = _earlier(series, period.number)
        if before is not None:
            group.add(Place(_short(fy, period.kind, before, check.measure), format_amount(problem.limit, check.unit)))
        group.add(Place(here, format_amount(problem.value, check.unit)), link)


# -- projects --------------------------------------------------------------------------

def _project_findings(found: _Findings, entries: list[ProgressEntry]) -> None:
    """Disbursement and percent complete are totals to date, compared report by report
    within a kind of period (months with months)."""
    baht = _("baht")
    by_series: dict[tuple, list[ProgressEntry]] = defaultdict(list)
    for entry in entries:
        by_series[(entry.project_id, entry.period.kind)].append(entry)
    for reports in by_series.values():
        reports.sort(key=lambda e: e.period.number)
        project = reports[0].project
        base = dict(subject=str(project), order=(1, project.section, project.order, project.pk))
        last_paid = last_done = None  # the latest earlier report with the number
        for entry in reports:
            paid, done = entry.disbursed, entry.percent_complete
            if paid is not None:
                if project.budget is not None and paid > project.budget:
                    group = found.group(("over-budget", "project", project.pk), category="over-budget", severity=ERROR,
                                        **base, message=_("The budget disbursed to date is more than the project's "
                                                          "budget of %(budget)s.") % {"budget": format_amount(project.budget, baht)})
                    group.add(Place(_at(entry), format_amount(paid, baht)), _entry_link(entry))
                if last_paid is not None and paid < last_paid.disbursed:
                    group = found.group(("decreasing", "project", project.pk), category="decreasing", severity=WARNING,
                                        **base, message=_("The budget disbursed to date goes down from one report to "
                                                          "the next; money paid does not normally come back."))
                    group.add(Place(_at(last_paid), format_amount(last_paid.disbursed, baht)))
                    group.add(Place(_at(entry), format_amount(paid, baht)), _entry_link(entry))
                last_paid = entry
            if done is not None:
                if done > HUNDRED:  # the database refuses it today; an import or a changed rule must not hide it
                    group = found.group(("completion-over", "project", project.pk), category="completion", severity=ERROR,
                                        **base, message=_("Percent complete is more than %(hundred)s.")
                                        % {"hundred": format_number_in(HUNDRED, get_language())})
                    group.add(Place(_at(entry), format_amount(done, "%")), _entry_link(entry))
                if last_done is not None and done < last_done.percent_complete:
                    group = found.group(("completion-down", "project", project.pk), category="completion", severity=WARNING,
                                        **base, message=_("Percent complete goes down from one report to the next; "
                                                          "work done does not normally come undone."))
                    group.add(Place(_at(last_done), format_amount(last_done.percent_complete, "%")))
                    group.add(Place(_at(entry), format_amount(done, "%")), _entry_link(entry))
                last_done = entry


# -- rubric evidence -------------------------------------------------------------------

def _evidence_findings(found: _Findings, plan) -> None:
    """A checklist condition of a rubric holds only "with evidence": an assessment that
    confirms one needs a file attached to the indicator's report of the assessed period
    or of a period within it (a month of an assessed quarter). Files removed after the
    assessment, or assessments written around the service, leave the score unproven."""
    assessments = list(Assessment.objects.filter(indicator__plan=plan).exclude(confirmed=[])
                       .select_related("indicator", "period").order_by("indicator__order", "period__kind", "period__number", "kind"))
    if not assessments:
        return
    conditions = {checklist_key(c): c for c in RubricCondition.objects.filter(
        kind=RubricCondition.Kind.CHECKLIST, level__rubric__indicator__plan=plan).select_related("level")}
    with_files = set(Evidence.objects.filter(entry__plan=plan, entry__indicator__isnull=False).values_list(
        "entry__indicator_id", "entry__period__fiscal_year_id", "entry__period__kind", "entry__period__number").distinct())
    for a in assessments:
        period, ind = a.period, a.indicator
        fy = period.fiscal_year_id
        covered = {(period.kind, period.number)} | {(kind, n) for kind in ("month", "quarter")
                                                    for n in periods_within(period.kind, period.number, kind)}
        if any((ind.pk, fy, kind, n) in with_files for kind, n in covered):
            continue
        confirmed = [conditions[key] for key in a.confirmed if key in conditions]
        if not confirmed:
            continue
        group = found.group(
            ("evidence", "indicator", ind.pk, a.pk), category="evidence", severity=ERROR, subject=ind.label,
            order=(0, ind.order, ind.pk, period.kind, period.number, a.kind),
            message=(_("The self-assessment confirms conditions that need evidence, but no evidence file is attached "
                       "to the indicator's reports of %(period)s.") if a.kind == Assessment.Kind.SELF else
                     _("The evaluator confirms conditions that need evidence, but no evidence file is attached to the "
                       "indicator's reports of %(period)s.")) % {"period": period.short_name})
        link = Link(_("Assessment of %(period)s") % {"period": period.short_name},
                    reverse("progress:assessment", args=[period.pk, ind.pk]) + f"?kind={a.kind}")
        for condition in sorted(confirmed, key=lambda c: (-c.level.level, c.order, c.pk)):
            text = " ".join(condition.text.split())
            if len(text) > CONDITION_TEXT_MAX:
                text = text[:CONDITION_TEXT_MAX - 1] + "…"
            group.add(Place(_("%(period)s, level %(level)s") % {"period": period.short_name, "level": condition.level.level},
                            text), link)


def progress_findings(plan) -> list[Finding]:
    """The data-quality findings of the plan's saved progress reports, in the order of
    PROGRESS_CATEGORIES, each category in the plan's order of indicators and projects."""
    entries = [e for e in ProgressEntry.objects.filter(plan=plan)
               .select_related("period", "division", "indicator", "project")
               .order_by("period__kind", "period__number", "pk") if _has_content(e)]
    found = _Findings()
    _indicator_findings(found, [e for e in entries if e.indicator_id])
    _project_findings(found, [e for e in entries if e.project_id])
    _evidence_findings(found, plan)
    return found.result()
