from django import template
from django.utils.translation import get_language

from kpiplan.lib.thai import format_number_in

register = template.Library()


@register.filter
def places(value, count: int):
    """A number with a fixed count of decimals (a rate 69.90 stays "69.90", a median 4.0
    stays "4.0", so a column lines up), digits of the active language, "-" for none."""
    if value is None or value == "":
        return "-"
    return format_number_in(value, get_language(), places=int(count))
