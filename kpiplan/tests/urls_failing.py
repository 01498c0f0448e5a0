"""The site's URLs plus a view that fails, for the error-page tests (ROOT_URLCONF)."""

from django.urls import path

from kpiplan.urls import urlpatterns as site


def server_error(request):
    raise RuntimeError("a bug")


urlpatterns = [path("test-500/", server_error), *site]
