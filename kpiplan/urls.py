from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views
from plandoc import import_views as plan_import_views
from plandoc import views as plan_views
from progress import views as progress_views
from traffy import import_views as traffy_import_views

admin.site.site_header = _("kpiplan — action plans")
admin.site.site_title = _("kpiplan")
admin.site.index_title = _("Plan data")

urlpatterns = [
    path("", progress_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("people/", account_views.people_add, name="people-add"),
    path("plans/<int:plan_id>/check/", plan_views.plan_check, name="plan-check"),
    path("plans/<int:plan_id>/workbook.xlsx", plan_import_views.plan_workbook, name="plan-workbook"),
    path("plans/workbook-template.xlsx", plan_import_views.workbook_template, name="plan-workbook-template"),
    path("plans/import/", plan_import_views.import_plan, name="plan-import"),
    path("traffy/import/", traffy_import_views.import_tickets, name="traffy-import"),
    path("", include("progress.urls")),
    path("", include("progress.project_urls")),
    path("", include("reports.urls")),
    path("", include("notices.urls")),
    path("", include("traffy.urls")),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
