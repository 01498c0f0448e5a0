"""Pages that cost many queries to build but change only when their data does (the
dashboard) are kept as HTML, keyed on the plan's data version (progress.versions), the
period, the language and the day (what is overdue changes at midnight). A change to
the plan's data or reports makes a new key, so a cached part is never older than the
data; old keys simply expire.

The cache is Django's default (settings.CACHES: memory of each server process unless
a deployment configures a shared one); a part is the same for every reader of the
plan, so the caller must leave out anything that depends on who is looking."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from progress.versions import plan_version

SECONDS = 6 * 60 * 60


def cached_part(name: str, plan, period, build: Callable[[], str]) -> SafeString:
    key = ":".join(["kpiplan", name, str(period.pk), get_language() or "", timezone.localdate().isoformat(),
                    plan_version(plan)])
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, str(html), SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own template with autoescape
