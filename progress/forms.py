from django import forms
from django.utils.translation import gettext_lazy as _

from kpiplan.forms import ThaiDecimalField

# What the evidence file chooser offers: the types progress.services.ALLOWED_EVIDENCE
# accepts (it checks the bytes; this only filters the chooser). "image/*" lets a phone
# offer its gallery and camera and hand over a camera photo as JPEG.
EVIDENCE_ACCEPT = "image/*,application/pdf,.pdf,.png,.jpg,.jpeg"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    value = ThaiDecimalField(label=_("Result"), required=False, max_digits=18, decimal_places=4)
    value_is_cumulative = forms.BooleanField(label=_("The result is the total to date (cumulative)"), required=False)
    percent_complete = ThaiDecimalField(label=_("Percent complete"), required=False, min_value=0, max_value=100,
                                        max_digits=5, decimal_places=2)
    disbursed = ThaiDecimalField(label=_("Budget disbursed to date (baht)"), required=False, min_value=0,
                                 max_digits=16, decimal_places=2)
    steps_done = forms.ModelMultipleChoiceField(label=_("Work steps done"), queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple)
    narrative = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    obstacles = forms.CharField(label=_("Obstacles"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    suggestions = forms.CharField(label=_("Suggestions"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleFileField(label=_("Evidence files (PDF, PNG, JPEG)"), required=False,
                                 widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
    # On a phone this input opens the camera (capture) rather than the file chooser;
    # what it takes joins `evidence` in clean().
    evidence_photo = forms.FileField(
        label=_("Take a photo"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("Opens the phone's camera. A large photo is made smaller when it is saved; the date it was "
                    "taken is kept."))
    # Shown with the warning about an unusual result (progress.plausibility); the service
    # decides whether they are needed. `implausible_seen` is the warning the user was
    # shown: the box confirms that one, not a warning for a value typed afterwards.
    implausible_confirmed = forms.BooleanField(label=_("I have checked this result and it is correct"), required=False)
    implausible_note = forms.CharField(
        label=_("Explanation of the unusual result"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the result is correct (e.g. the target counts only part of the work). The planner sees it "
                    "with the report."))
    implausible_seen = forms.CharField(widget=forms.HiddenInput, required=False)
    # Shown with Traffy's proposal (indicator 1.2, traffy.proposal); the service asks for
    # it only when the result differs from the proposal.
    proposal_note = forms.CharField(
        label=_("Reason for differing from Traffy"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the result is not the value Traffy proposes (e.g. tickets forwarded to "
                    "another agency)."))

    UNUSUAL_FIELDS = ("implausible_confirmed", "implausible_note")
    PROPOSAL_FIELDS = ("proposal_note",)

    def __init__(self, *args, item, steps=None, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        if item.kind == "indicator":
            for name in ("percent_complete", "disbursed", "steps_done"):
                del self.fields[name]
            unit = item.obj.unit
            if unit:
                self.fields["value"].label = _("Result (%(unit)s)") % {"unit": unit}
            if self.measures:
                # One box per measure (OKR 1.4.07: dredging and clearing), each judged
                # against its own target; they take the place of the single result.
                fields = {}
                for name, field in self.fields.items():
                    if name == "value":
                        for index, measure in enumerate(self.measures):
                            fields[self.measure_field(index)] = ThaiDecimalField(
                                label=_("Result: %(measure)s (%(unit)s)") % {"measure": measure.label,
                                                                             "unit": measure.unit},
                                required=False, max_digits=18, decimal_places=4)
                    else:
                        fields[name] = field
                self.fields = fields
        else:
            del self.fields["value"], self.fields["value_is_cumulative"]
            for name in ("implausible_confirmed", "implausible_note", "implausible_seen", "proposal_note"):
                del self.fields[name]
            self.fields["steps_done"].queryset = steps
            if not steps.exists():
                del self.fields["steps_done"]


    @staticmethod
    def measure_field(index: int) -> str:
        return f"measure_{index}"

    def clean(self):
        data = super().clean()
        if self.measures:
            data["measures"] = {m.label: data.get(self.measure_field(i)) for i, m in enumerate(self.measures)}
        photo = data.pop("evidence_photo", None)
        if photo:
            data["evidence"] = [*(data.get("evidence") or []), photo]
        return data


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(label=_("Reason for return"), widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    verified_value = ThaiDecimalField(label=_("Verified result"), required=False, max_digits=18, decimal_places=4)
    evaluation_comment = forms.CharField(label=_("Evaluation comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        if self.measures:  # verified per measure; the verified result is their total
            del self.fields["verified_value"]
            for index, measure in enumerate(self.measures):
                self.fields[f"verified_measure_{index}"] = ThaiDecimalField(
                    label=_("Verified result: %(measure)s (%(unit)s)") % {"measure": measure.label, "unit": measure.unit},
                    required=False, max_digits=18, decimal_places=4)
            self.order_fields(["version"] + [f"verified_measure_{i}" for i in range(len(self.measures))])

    def clean(self):
        data = super().clean()
        if self.measures:
            data["verified_value"] = None
            data["verified_measures"] = {m.label: data.get(f"verified_measure_{i}") for i, m in enumerate(self.measures)}
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 2}))


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(label=_("Why must the period be reopened?"), widget=forms.Textarea(attrs={"rows": 2}))


class VerifyRowForm(forms.Form):
    """One endorsed report in the planner's bulk verification: chosen or not, and its
    verified result (prefilled with the reported result)."""

    entry = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    selected = forms.BooleanField(label=_("Verify"), required=False)
    verified_value = ThaiDecimalField(label=_("Verified result"), required=False, max_digits=18, decimal_places=4)


class BaseVerifyRowFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(f.cleaned_data.get("selected") for f in self.forms):
            raise forms.ValidationError(_("Choose at least one report to verify."))


VerifyRowFormSet = forms.formset_factory(VerifyRowForm, formset=BaseVerifyRowFormSet, extra=0, max_num=2000,
                                         validate_max=True)


class BulkVerifyCommentForm(forms.Form):
    evaluation_comment = forms.CharField(label=_("Evaluation comment (for every chosen report, optional)"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
