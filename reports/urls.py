from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/book.pdf", views.book_pdf, name="book-pdf"),
    path("reports/scorecard.pdf", views.scorecard_pdf, name="scorecard-pdf"),
    path("reports/quarterly.pdf", views.quarterly_pdf, name="quarterly-pdf"),
    path("reports/summary.pdf", views.summary_pdf, name="summary-pdf"),
    path("reports/scorecard.xlsx", views.scorecard_pdf, {"fmt": "xlsx"}, name="scorecard-xlsx"),
    path("reports/quarterly.xlsx", views.quarterly_pdf, {"fmt": "xlsx"}, name="quarterly-xlsx"),
]
