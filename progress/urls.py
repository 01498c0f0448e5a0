from django.urls import path

from . import indicator_views, scorecard_views, search_views, views

app_name = "progress"

urlpatterns = [
    path("work/", views.my_work, name="my-work"),
    path("work/<int:period_id>/<str:kind>/<int:item_id>/", views.entry, name="entry"),
    path("work/<int:period_id>/submit-all/", views.submit_all, name="submit-all"),
    path("work/<int:period_id>/approve-all/", views.approve_all, name="approve-all"),
    path("work/<int:period_id>/reopen-request/", views.reopen_request, name="reopen-request"),
    path("work/sheet/", views.progress_sheet, name="sheet"),
    path("work/import/", views.import_sheet, name="import"),
    path("review/", views.review, name="review"),
    path("review/<int:period_id>/lock/", views.lock, name="lock"),
    path("review/<int:period_id>/verify/", views.verify_all, name="verify-all"),
    path("review/<int:period_id>/reopen/", views.reopen, name="reopen"),
    path("completeness/", views.completeness, name="completeness"),
    path("scorecard/", scorecard_views.scorecard, name="scorecard"),
    path("status/", views.status_overview, name="status"),
    path("search/", search_views.search_page, name="search"),
    path("indicators/<int:indicator_id>/", indicator_views.indicator_detail, name="indicator"),
    path("scorecard/<int:period_id>/<int:indicator_id>/", scorecard_views.assessment, name="assessment"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/thumbnail/", views.evidence_thumbnail, name="evidence-thumbnail"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence-delete"),
]
