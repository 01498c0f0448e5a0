from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraffyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "traffy"
    verbose_name = _("Traffy Fondue complaints")
