from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("progress", views.ProgressEntryViewSet, basename="progress")

# Swagger UI's settings come as a script of their own (the CSP refuses inline scripts).
# ReDoc writes its styles into <style> elements and runs its search in a blob: worker,
# which this page alone allows.
redoc = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
    SpectacularRedocView.as_view(url_name="api:schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", redoc, name="redoc"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("", include(router.urls)),
]
