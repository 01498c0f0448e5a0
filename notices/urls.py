from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/<int:notice_id>/", views.notice_open, name="open"),
    path("notices/read-all/", views.read_all, name="read-all"),
    path("notices/email/", views.email_setting, name="email"),
]
