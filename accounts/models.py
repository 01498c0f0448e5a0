from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Division, Organization


class Profile(models.Model):
    """Ties a login to the organization (and division) whose data it may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("division"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"
