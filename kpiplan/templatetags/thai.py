from django import template

from kpiplan.lib.thai import format_be_date, format_number, to_thai_digits

register = template.Library()


@register.filter
def thai_digits(value):
    return to_thai_digits(value)


@register.filter
def baht(value, thai: bool = False):
    return format_number(value, places=None, thai=bool(thai))


@register.filter
def be_date(value):
    return format_be_date(value) if value else ""
