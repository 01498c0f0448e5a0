"""Filters of the list of one's own reports (kind, state)."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import ReportFile

EXPIRED = "expired"


class ReportFileFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=[(k, v.label) for k, v in registry.KINDS.items()], label=_("Report"),
                                       empty_label=_("Any report"))
    state = django_filters.ChoiceFilter(choices=[*ReportFile.Status.choices, (EXPIRED, _("Expired"))], label=_("State"),
                                        empty_label=_("Any state"), method="in_state")

    class Meta:
        model = ReportFile
        fields = ["kind"]

    def in_state(self, queryset, name, value):
        """The state the list shows: a file past its time is expired whatever it was."""
        now = timezone.now()
        if value == EXPIRED:
            return queryset.filter(expires_at__lte=now)
        return queryset.filter(status=value, expires_at__gt=now)
