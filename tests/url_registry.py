"""The site's URLs generated from the URL registry, so that a test over "every page"
covers a new view without being told: the routes, and each route with its parameters
filled in from values the test chooses (tests/test_url_matrix.py points them at another
organization's secrets, tests/browser/test_accessibility.py at the role's own work)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable

from django.urls import URLPattern, URLResolver, get_resolver


def site_urls() -> list[str]:
    """The route of every URL pattern but the admin's, with its parameters' names."""
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)
    return sorted(set(walk(get_resolver().url_patterns)))


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def concrete_paths(route: str, values: Callable[[str, str], list], items: Iterable[dict]) -> list[str]:
    """The route with every combination of parameter values filled in: `values(route, name)`
    gives one parameter's values; an entry's kind and item_id go together, from `items`."""
    names = [m.group("name") or m.group("rname") for m in PARAM.finditer(route)]
    if "item_id" in names:
        others = [n for n in names if n not in ("kind", "item_id")]
        combos = [{**c, **dict(zip(others, vals, strict=True))}
                  for c in items for vals in itertools.product(*[values(route, n) for n in others])]
    else:
        combos = [dict(zip(names, vals, strict=True)) for vals in itertools.product(*[values(route, n) for n in names])]
    paths = []
    for combo in combos:
        def fill(m, combo=combo):
            return str(combo[m.group("name") or m.group("rname")])
        path = PARAM.sub(fill, route)
        path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "")
        paths.append("/" + path)
    return paths
