"""Search across one plan: indicators, projects and the strategy framework, ranked by
kpiplan.lib.search and filtered by the one access policy.

A plan holds a few hundred rows, so the rows' codes and names are read in one query per
kind and ranked in Python: the same pure rules (Thai digits, leading zeros, kind words,
thousands separators) for every field, and a query count that does not grow with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from accounts import policy
from indicators.models import Indicator
from kpiplan.lib.search import Query, Rank, parse_query, rank
from plans.models import Plan, StrategyNode
from projects.models import Project

GROUPS = ("indicators", "projects", "structure")
PER_GROUP = 10


@dataclass(frozen=True)
class Hit:
    rank: Rank
    order: tuple
    code: str
    name: str
    division: str
    url: str
    kind: str = ""


@dataclass
class Group:
    key: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.hits)


@dataclass
class Results:
    query: Query
    plan: Plan | None
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)


def _division_names(division) -> list[str]:
    if division is None:
        return []
    return [division.name, division.short_name, *(division.aliases or [])]


def _indicator_hits(user, plan: Plan, query: Query) -> list[Hit]:
    hits = []
    rows = Indicator.objects.filter(plan=plan).select_related("division").only(
        "plan_id", "kind", "code", "name", "order", "division_id",
        "division__name", "division__short_name", "division__aliases",
    )
    for indicator in rows:
        if not policy.can_view_item(user, indicator, plan):
            continue
        found = _rank(query, codes=[indicator.code], names=[indicator.name], division=indicator.division)
        if found is None:
            continue
        # the reader page (progress:indicator) is there only for an indicator a division
        # reports; the others (city-wide KRs, another agency's) are listed without a link
        reported = indicator.division_id is not None
        hits.append(Hit(
            rank=found, order=(indicator.order,), code=indicator.code_label, name=indicator.name,
            division=indicator.division.name if reported else "", kind=indicator.get_kind_display(),
            url=reverse("progress:indicator", args=[indicator.pk]) if reported else "",
        ))
    return hits


def _project_hits(user, plan: Plan, query: Query) -> list[Hit]:
    hits = []
    rows = Project.objects.filter(plan=plan).select_related("division").only(
        "plan_id", "section", "number", "sequence", "strategy_code", "name", "order",
        "division_id", "division__name", "division__short_name", "division__aliases", "division_text",
    )
    for project in rows:
        if not policy.can_view_item(user, project, plan):
            continue
        found = _rank(query, codes=[project.number, project.strategy_code], names=[project.name],
                      division=project.division)
        if found is None:
            continue
        hits.append(Hit(
            rank=found, order=(project.section, project.order), code=project.number or project.sequence, name=project.name,
            division=project.division.name if project.division else project.division_text,
            kind=project.get_section_display(), url=reverse("projects:detail", args=[project.pk]),
        ))
    return hits


def _node_hits(user, plan: Plan, query: Query, plan_chosen: bool) -> list[Hit]:
    # a strategy element opens the status page filtered by it, a page for readers only
    if not policy.can_oversee(user):
        return []
    hits = []
    status = reverse("progress:status")
    for node in StrategyNode.objects.filter(plan=plan).only("plan_id", "level", "code", "title", "order"):
        found = _rank(query, codes=[node.code], names=[node.title])
        if found is None:
            continue
        params = {"area": node.pk, **({"plan": plan.pk} if plan_chosen else {})}
        hits.append(Hit(
            rank=found, order=(node.order,), code=node.code, name=node.title, division="",
            kind=node.get_level_display(), url=f"{status}?{urlencode(params)}",
        ))
    return hits


def _rank(query: Query, *, codes, names, division=None) -> Rank | None:
    return rank(query, codes=[c for c in codes if c], names=names, divisions=_division_names(division))


def search(user, plan: Plan | None, raw_query: str | None, *, plan_chosen: bool = False) -> Results:
    """What `user` finds in `plan` for the typed query, best first in each group; only
    rows the user may open (staff and heads: their own division's items)."""
    query = parse_query(raw_query)
    if query.is_empty or plan is None or not policy.same_organization(user, plan):
        return Results(query, plan, [Group(key) for key in GROUPS])
    found = {
        "indicators": _indicator_hits(user, plan, query),
        "projects": _project_hits(user, plan, query),
        "structure": _node_hits(user, plan, query, plan_chosen),
    }
    return Results(query, plan, [
        Group(key, sorted(found[key], key=lambda h: (h.rank, h.order))) for key in GROUPS
    ])
