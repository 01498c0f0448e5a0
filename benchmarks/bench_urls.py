"""URLs for benchmarks/bench_pages.py only: the real site plus an empty view, the floor
every page is measured against."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


def empty(request):
    """Passes the same middleware (session, user, locale, CSP …) and does nothing else."""
    return HttpResponse(b"", content_type="text/plain")


@login_required
def empty_signed_in(request):
    """The same, for a signed-in user (reads the user, as every page of ours must)."""
    return HttpResponse(b"", content_type="text/plain")


urlpatterns = [path("bench/empty/", empty), path("bench/empty-signed-in/", empty_signed_in), path("", include("kpiplan.urls"))]
