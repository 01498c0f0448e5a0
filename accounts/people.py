"""An organization with its divisions and its people, created on one admin page
(accounts.admin.UserAdmin.new_organization_view) by an administrator; and more divisions
and people of their own organization, added by its planner (accounts.views.people_add).

The people get no password from the administrator: each account is created without a
usable one and its owner receives a one-time link to choose it (the password-reset
link, built on KPIPLAN_BASE_URL), so no password is ever typed, shown or sent by
someone other than its owner."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpiplan.forms import DepartmentCodeField
from plans.models import Division, Organization

from .models import Profile
from .roles import ADMINISTRATOR, DIVISION_HEAD, DIVISION_STAFF, PLANNER, ROLE_LABELS

# Roles whose work is a division's reports: they need a division.
DIVISION_ROLES = (DIVISION_STAFF, DIVISION_HEAD)
# Roles that work in the admin (plan data, reference data), as tests.factories.make_user.
ADMIN_SITE_ROLES = (PLANNER, ADMINISTRATOR)


def _named(field, message, **params):
    """A message that starts with the field's label, as every Thai error here does."""
    return forms.ValidationError("%(field)s: " + message, params={"field": field.label, **params})


class OrganizationForm(forms.ModelForm):
    code = DepartmentCodeField(label=gettext_lazy("department code"), max_length=20,
                               help_text=gettext_lazy("The city's 8-digit department code, e.g. 50400000 for Bang Khae."))

    class Meta:
        model = Organization
        fields = ["name", "short_name", "code", "kind", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = Organization.Kind.DISTRICT
        self.fields["parent"].queryset = Organization.objects.order_by("kind", "short_name")

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code and Organization.objects.filter(code=code).exists():
            raise _named(self.fields["code"], _("«%(value)s» is already the code of %(other)s."),
                         value=code, other=Organization.objects.get(code=code))
        return code


class DivisionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("division"), max_length=200, required=False)
    short_name = forms.CharField(label=gettext_lazy("short name"), max_length=100, required=False)


class PersonForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("username"), max_length=150, required=False)
    first_name = forms.CharField(label=gettext_lazy("first name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("last name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("email address"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("role"), required=False,
                             choices=[("", "—"), *ROLE_LABELS.items()])
    division = forms.CharField(label=gettext_lazy("division"), max_length=200, required=False,
                               help_text=gettext_lazy("As written in the divisions above."))

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(k) for k in ("username", "first_name", "last_name", "email", "division")):
            return cleaned  # an empty row
        username = cleaned.get("username", "")
        if not username:
            self.add_error("username", _named(self.fields["username"], _("required for each person.")))
        elif User.objects.filter(username__iexact=username).exists():
            self.add_error("username", _named(self.fields["username"], _("«%(value)s» is taken; choose another."),
                                              value=username))
        if not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", _named(self.fields["email"], _("required: the link to choose a password is "
                                                                   "sent there.")))
        if not cleaned.get("role"):
            self.add_error("role", _named(self.fields["role"], _("choose one.")))
        elif cleaned["role"] in DIVISION_ROLES and not cleaned.get("division"):
            self.add_error("division", _named(self.fields["division"], _("required for division staff and heads.")))
        return cleaned


class StaffPersonForm(PersonForm):
    """A person a planner adds: division staff or a division head."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *((r, ROLE_LABELS[r]) for r in DIVISION_ROLES)]
        self.fields["division"].help_text = gettext_lazy("One of the organization's divisions, or one written above.")


DivisionFormSet = forms.formset_factory(DivisionForm, extra=8)
PersonFormSet = forms.formset_factory(PersonForm, extra=8)
# A planner adds a few at a time, on the site's own pages (a phone too).
NewDivisionFormSet = forms.formset_factory(DivisionForm, extra=2)
StaffPersonFormSet = forms.formset_factory(StaffPersonForm, extra=5)


def check_new_divisions(division_formset, organization) -> bool:
    """A division added to an organization must not repeat one it has."""
    have = set(Division.objects.filter(organization=organization).values_list("name", flat=True))
    ok = True
    for form in division_formset:
        name = (getattr(form, "cleaned_data", {}).get("name") or "").strip()
        if name in have:
            form.add_error("name", _named(form.fields["name"], _("«%(value)s» is already a division of %(other)s."),
                                          value=name, other=organization.name))
            ok = False
    return ok


def check_people_against_divisions(division_formset, person_formset, existing: set[str] = frozenset()) -> bool:
    """Each person's division must be one typed above (or, `existing`, one the
    organization has), and usernames must differ between rows; errors go on the row's
    field. Returns whether all is well."""
    names = {f.cleaned_data["name"].strip() for f in division_formset if f.cleaned_data.get("name", "").strip()}
    names |= set(existing)
    seen = set()
    ok = True
    for form in person_formset:
        data = getattr(form, "cleaned_data", {})  # a row with errors has the fields that were fine
        division = (data.get("division") or "").strip()
        if division and division not in names:
            form.add_error("division", _named(form.fields["division"], _("«%(value)s» is not one of the divisions "
                                                                         "written above."), value=division))
            ok = False
        username = (data.get("username") or "").lower()
        if username and username in seen:
            form.add_error("username", _named(form.fields["username"], _("«%(value)s» is written twice."),
                                              value=data["username"]))
            ok = False
        seen.add(username)
    return ok


def _password_link_mail(user) -> None:
    context = {"user": user, "base_url": settings.KPIPLAN_BASE_URL, "organization": user.profile.organization,
               "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}
    send_mail(_("Your kpiplan account: choose your password"),
              render_to_string("registration/new_account_email.txt", context),
              None, [user.email])


@transaction.atomic
def create_organization_with_people(org_form, division_formset, person_formset, *, reason: str) -> tuple:
    """Saves the organization, its divisions and its people (role, division), and mails
    each person their link once the transaction has committed."""
    organization = org_form.save(commit=False)
    organization._change_reason = reason
    organization.save()
    divisions, people = add_people(organization, division_formset, person_formset, reason=reason)
    return organization, divisions, people


@transaction.atomic
def add_people(organization, division_formset, person_formset, *, reason: str) -> tuple[list, list]:
    """Saves new divisions of `organization` and its new people (role, division: a new
    one or one it has), and mails each person their link once the transaction has
    committed. The forms have been checked (check_people_against_divisions)."""
    divisions = {d.name: d for d in Division.objects.filter(organization=organization)}
    order = max((d.order for d in divisions.values()), default=0)
    made = []
    for form in division_formset:
        name = form.cleaned_data.get("name", "").strip()
        if name and name not in divisions:
            order += 1
            division = Division(organization=organization, name=name, short_name=form.cleaned_data.get("short_name", ""),
                                order=order)
            division._change_reason = reason
            division.save()
            divisions[name] = division
            made.append(division)
    people = []
    for form in person_formset:
        data = form.cleaned_data
        if not data.get("username"):
            continue
        user = User(username=data["username"], first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
                    email=data["email"], is_staff=data["role"] in ADMIN_SITE_ROLES)
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=data["role"]))
        Profile.objects.create(user=user, organization=organization,
                               division=divisions.get((data.get("division") or "").strip()))
        people.append(user)
    for user in people:
        transaction.on_commit(lambda user=user: _password_link_mail(user))
    return made, people
