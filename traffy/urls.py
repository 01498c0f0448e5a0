from django.urls import path

from . import views

app_name = "traffy"

urlpatterns = [
    path("traffy/", views.index, name="index"),
    path("traffy/<int:organization_id>/", views.organization_page, name="organization"),
]
