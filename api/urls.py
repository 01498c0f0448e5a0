from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("progress", views.ProgressEntryViewSet, basename="progress")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("scorecard/", views.ScorecardView.as_view(), name="scorecard"),
    path("", include(router.urls)),
]
