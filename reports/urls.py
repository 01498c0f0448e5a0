from django.urls import path

from . import file_views, views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/book.pdf", views.pdf_now, {"kind": "book"}, name="book-pdf"),
    path("reports/scorecard.pdf", views.pdf_now, {"kind": "scorecard"}, name="scorecard-pdf"),
    path("reports/quarterly.pdf", views.pdf_now, {"kind": "quarterly"}, name="quarterly-pdf"),
    path("reports/summary.pdf", views.pdf_now, {"kind": "summary"}, name="summary-pdf"),
    path("reports/scorecard.xlsx", views.scorecard_xlsx, name="scorecard-xlsx"),
    path("reports/quarterly.xlsx", views.quarterly_xlsx, name="quarterly-xlsx"),
    path("reports/request/<str:kind>/", file_views.request_report, name="request"),
    path("reports/files/", file_views.my_reports, name="files"),
    path("reports/files/<int:report_file_id>/", file_views.report_file, name="file"),
    path("reports/files/<int:report_file_id>/download", file_views.report_file_download, name="file-download"),
]
