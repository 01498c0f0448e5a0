import datetime

from django import template
from django.utils import timezone

from kpiplan.lib.thai import format_be_date, format_number, to_thai_digits

register = template.Library()


@register.filter
def thai_digits(value):
    return to_thai_digits(value)


@register.filter
def baht(value, thai: bool = False):
    """Thousands separators, '-' for nothing; `|baht:1` writes Thai digits."""
    if value is None or value == "":
        return "-"
    return format_number(value, places=None, thai=bool(thai))


@register.filter
def be_date(value):
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_be_date(value)


@register.filter
def op_symbol(operator):
    return {">=": "≥", "<=": "≤", ">": ">", "<": "<"}.get(operator, operator)
