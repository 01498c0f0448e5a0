from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiplanConfig(AppConfig):
    """The site itself (templates, admin base, shared library); it has no models, its name
    is what lists of the installed apps show."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "kpiplan"
    verbose_name = _("kpiplan site")
