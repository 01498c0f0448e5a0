from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/scorecard.pdf", views.scorecard_pdf, name="scorecard-pdf"),
]
