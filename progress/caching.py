"""Pages that cost many queries to build but change only when their data does (the
dashboard, the city view) are kept as HTML, keyed on their data's version
(progress.versions), what was asked (period, scope), the language and the day (what is
overdue changes at midnight). A change to the data makes a new key, so a cached part is
never older than the data it shows; old keys simply expire.

The cache is Django's default (settings.CACHES: memory of each server process, emptied
when it restarts; a deployment that shares a cache across releases sets a new
CACHES KEY_PREFIX or VERSION per release, since the keys do not know the templates). A part is the same for everyone who may read it,
so the caller leaves out of it anything that depends on who is looking (the period
picker, the header) and puts the reader's scope in `parts`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

SECONDS = 6 * 60 * 60


def cached_html(name: str, parts: tuple, version: str, build: Callable[[], str]) -> SafeString:
    digest = hashlib.blake2b(version.encode(), digest_size=16).hexdigest()  # any version text, a safe key
    key = ":".join(["kpiplan", name, *map(str, parts), get_language() or "", timezone.localdate().isoformat(), digest])
    html = cache.get(key)
    if html is None:
        html = str(build())
        cache.set(key, html, SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own templates with autoescape
