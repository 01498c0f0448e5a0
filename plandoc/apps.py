from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlandocConfig(AppConfig):
    """The whole plan as a document: the seed YAML loader, the Excel workbook (import and
    export, and the admin's import-export resources built from its sheets), the plan
    check and their pages. It sits above the domain apps, which never import it."""

    name = "plandoc"
    verbose_name = _("Plan document")
