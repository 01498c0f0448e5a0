"""Settings for benchmarks/bench_pages.py only: the real site with benchmarks/bench_urls.py
(plus an empty view) and a Server-Timing header with the time the
request spent inside Django. Nothing in production imports this module."""

import os
import time

from kpiplan.settings import *  # noqa: F403
from kpiplan.settings import MIDDLEWARE

ROOT_URLCONF = "benchmarks.bench_urls"
if os.environ.get("KPIPLAN_BENCH_NO_CACHE"):  # measure what building the pages costs
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
MIDDLEWARE = ["benchmarks.bench_site.ServerTiming", *MIDDLEWARE]


class ServerTiming:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        return response
