"""Form fields shared by the admin and the pages."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kpiplan.lib.thai import NumberParseError, format_number_in, parse_decimal, to_ascii_digits


class ThaiDecimalField(forms.DecimalField):
    """A decimal typed the way Thai offices type it: ๑,๒๕๐.๕๐ or 1,250.50.

    A text input, not <input type=number>: browsers refuse Thai digits and separators
    in number inputs and would silently drop what the user typed.
    """

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Enter a number, e.g. 1,250 or ๑,๒๕๐."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value):
        if value in (None, ""):
            return value
        try:
            number = parse_decimal(value)
        except NumberParseError:
            return value  # keep what the user typed on a redisplayed invalid form
        # Shown back in the page's digits (๑,๒๕๐ in Thai); either kind is read back.
        return format_number_in(number, get_language())

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_decimal(str(value))
        except NumberParseError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number is None:
            return None
        return super().to_python(str(number))

    def widget_attrs(self, widget):
        # DecimalField would add step/min attributes meant for number inputs.
        return {}


class ChangeReasonFormMixin(forms.Form):
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=200,
        help_text=_("Kept in the history with your name and the time."),
    )


class DepartmentCodeField(forms.CharField):
    """The city's department code (Organization.code): exactly 8 digits, typed in Thai
    or Arabic digits, stored in Arabic ones; the error names the field."""

    def to_python(self, value):
        return to_ascii_digits(super().to_python(value)).replace(" ", "")

    def validate(self, value):
        super().validate(value)
        if value and not re.fullmatch(r"[0-9]{8}", value):
            raise forms.ValidationError(
                _("%(field)s: write exactly 8 digits, e.g. 50400000 or ๕๐๔๐๐๐๐๐ (you wrote «%(value)s»)."),
                code="invalid", params={"field": self.label, "value": value})
