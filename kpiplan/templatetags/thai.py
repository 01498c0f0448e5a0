import datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from kpiplan.lib.thai import format_date_in, format_number_in, localize_digits

register = template.Library()

# The filters keep their names from when the UI was Thai only; each now follows the
# active language (kpiplan.lib.thai, docs/vocabulary.md): Thai digits in Thai, Arabic
# digits and English month names in English. PDFs are built with Thai active.


@register.filter
def thai_digits(value):
    return localize_digits(value, get_language())


@register.filter
def baht(value, thai: bool = False):
    """Thousands separators, '-' for nothing, digits of the active language. The old
    `|baht:1` argument is accepted and no longer needed."""
    if value is None or value == "":
        return "-"
    return format_number_in(value, get_language())


@register.filter
def be_date(value):
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date_in(value, get_language())


@register.filter
def op_symbol(operator):
    return {">=": "≥", "<=": "≤", ">": ">", "<": "<"}.get(operator, operator)
