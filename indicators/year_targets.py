"""The targets an indicator prints per fiscal year (Indicator.target_year_text, a JSON
object "B.E. year" → the cell as printed), edited as one input per year.

The cells are printed text, not bare numbers: the plan has «ร้อยละ ๑๐๐», «-» and whole
sentences. So an input takes words as they are, and a number typed alone (Thai or
Arabic digits, thousands separators) is checked as a number: «๑๒,๕๐» or «1.2.3» is a
typing slip the planner hears about, named by its year, rather than a printed target."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kpiplan.lib.thai import to_ascii_digits, to_thai_digits

FIELD_PREFIX = "target_year_"
# Only digits, separators, a sign, a point and spaces: meant as a number.
_NUMBER_LIKE = re.compile(r"^[\s+\-0-9.,]+$")
_WELL_FORMED = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def years_offered(indicator, fallback_year: int | None) -> list[int]:
    """The years already printed, and the plan's year with the one before (the book's
    Part 1 prints both)."""
    years = {int(k) for k in (indicator.target_year_text or {}) if str(k).isdigit()}
    plan_year = indicator.plan.fiscal_year_id if indicator.plan_id else fallback_year
    if plan_year:
        years |= {plan_year - 1, plan_year}
    return sorted(years)


def field_name(year: int) -> str:
    return f"{FIELD_PREFIX}{year}"


def _year_label(year: int) -> str:
    shown = to_thai_digits(year) if (get_language() or "").startswith("th") else str(year)
    return _("Target for B.E. %(year)s") % {"year": shown}


class YearTargetField(forms.CharField):
    def __init__(self, year: int, **kwargs):
        self.year = year
        # a text area: a printed target is often a sentence, sometimes on two lines
        # (the workbook's "year: target" cell continues a year on the next line)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "cols": 60}))
        super().__init__(required=False, max_length=1000, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        digits = to_ascii_digits(value or "")
        # «-» alone is how the plan prints "no target that year": not a number typed.
        if value and _NUMBER_LIKE.match(digits) and re.search(r"[0-9]", digits):
            if not _WELL_FORMED.match(digits.replace(" ", "")):
                raise forms.ValidationError(
                    _("%(field)s: «%(value)s» is not a number as written; write e.g. 1,250 or ๑,๒๕๐, "
                      "or the target in words as printed."),
                    code="invalid", params={"field": self.label, "value": value})
        return value


def year_targets_form(base: type[forms.ModelForm], years: list[int]) -> type[forms.ModelForm]:
    """`base` with one input per year in place of the JSON field. What is typed is kept
    as typed (it is what the book prints); an empty input drops that year."""
    fields = {field_name(y): YearTargetField(y, label=_year_label(y),
                                             help_text=_("As printed; empty: not printed for that year."))
              for y in years}

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)
        stored = self.instance.target_year_text or {}
        for year in years:
            self.fields[field_name(year)].initial = stored.get(str(year), "")

    def clean(self):
        cleaned = base.clean(self)
        stored = dict(self.instance.target_year_text or {})
        for year in years:
            if field_name(year) in self.errors:
                continue
            value = (self.cleaned_data.get(field_name(year)) or "").strip()
            if value:
                stored[str(year)] = value
            else:
                stored.pop(str(year), None)
        self.instance.target_year_text = dict(sorted(stored.items()))
        return cleaned

    return type(base.__name__, (base,), {**fields, "__init__": __init__, "clean": clean})
