"""The plan's strategy framework as a tree for the plan's admin page: each element with
a link to its own change page and links to add the elements it may hold. Read in one
query; the admin page shows this instead of an inline row (a form) per element, which
made the page half a megabyte."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from .models import StrategyNode

Level = StrategyNode.Level

# What an element holds, as the document nests it (StrategyNode's docstring).
CHILD_LEVELS = {
    Level.DIMENSION: [Level.STRATEGY],
    Level.STRATEGY: [Level.SUB_STRATEGY],
    Level.SUB_STRATEGY: [Level.OBJECTIVE],
    Level.DEVELOPMENT_AREA: [Level.OBJECTIVE],
    Level.OBJECTIVE: [Level.TACTIC],
    Level.TACTIC: [],
}
ROOT_LEVELS = [Level.DIMENSION, Level.DEVELOPMENT_AREA]


@dataclass
class AddLink:
    label: str
    url: str


@dataclass
class Branch:
    node: StrategyNode
    change_url: str
    add_links: list[AddLink] = field(default_factory=list)
    children: list[Branch] = field(default_factory=list)


def _add_links(plan, parent, levels, may_add: bool) -> list[AddLink]:
    if not may_add:
        return []
    base = reverse("admin:plans_strategynode_add")
    links = []
    for level in levels:
        params = {"plan": plan.pk, "level": level.value}
        if parent is not None:
            params["parent"] = parent.pk
        links.append(AddLink(str(level.label), f"{base}?{urlencode(params)}"))
    return links


def plan_tree(plan, *, may_add: bool) -> tuple[list[Branch], list[AddLink]]:
    """The plan's elements nested under their parents in the document's order, and the
    links to add a top-level element (`may_add`: the user may add elements)."""
    nodes = list(StrategyNode.objects.filter(plan=plan).only("pk", "parent_id", "level", "code", "title", "order")
                 .order_by("order", "pk"))
    branches = {n.pk: Branch(n, reverse("admin:plans_strategynode_change", args=[n.pk]),
                             _add_links(plan, n, CHILD_LEVELS.get(n.level, []), may_add)) for n in nodes}
    roots = []
    for n in nodes:
        parent = branches.get(n.parent_id)
        (parent.children if parent else roots).append(branches[n.pk])
    return roots, _add_links(plan, None, ROOT_LEVELS, may_add)
