"""Third-party apps under a name people read: the admin index lists an app by its
AppConfig.verbose_name, which django-axes and django-tasks-db leave in English (axes
without a translation at all). The labels (and so the tables and migrations) are theirs."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class LoginAttemptsConfig(AxesConfig):
    verbose_name = _("Login attempts")


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
