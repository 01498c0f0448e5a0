from django.urls import path

from . import project_views as views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/<int:project_id>/", views.project_detail, name="detail"),
    path("budget/", views.budget, name="budget"),
    path("city/", views.city, name="city"),
]
