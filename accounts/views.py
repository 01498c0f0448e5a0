from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kpiplan.lib.thai import localize_digits
from plans.models import Division

from . import people, policy
from .models import Profile
from .roles import user_organization


class PasswordResetView(auth_views.PasswordResetView):
    """Mails a one-time link to the account's address. The link is built on
    KPIPLAN_BASE_URL, never on the request's Host header (which a requester chooses)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_extra_email_context(self):
        return {"base_url": settings.KPIPLAN_BASE_URL}

    def form_valid(self, form):
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever proved they read the account's mailbox may log in again at once: the
        # account's failed logins are forgotten (an address's are not).
        axes_reset(username=form.user.get_username())
        return response


@login_required
def people_add(request):
    """A planner adds divisions and their staff and heads to their own organization, on
    one page, saved together or not at all (accounts.people.add_people)."""
    if not policy.allowed(request.user, "accounts.add_people"):
        raise PermissionDenied
    organization = user_organization(request.user)
    data = request.POST if request.method == "POST" else None
    divisions = people.NewDivisionFormSet(data, prefix="divisions")
    persons = people.StaffPersonFormSet(data, prefix="people")
    existing = list(Division.objects.filter(organization=organization).order_by("order", "name"))
    # every check runs, so that one page shows every mistake at once
    valid = data is not None and all([divisions.is_valid(), persons.is_valid()])
    if data is not None and divisions.is_valid():
        valid = people.check_new_divisions(divisions, organization) and valid
        valid = people.check_people_against_divisions(divisions, persons, {d.name for d in existing}) and valid
    if valid:
        made, added = people.add_people(organization, divisions, persons,
                                        reason=_("Added by the planner on the people page"))
        messages.success(request, _("%(divisions)s new divisions and %(people)s people were added to %(organization)s; "
                                    "each person was mailed a link to choose their password.") % {
            "divisions": localize_digits(len(made), get_language()),
            "people": localize_digits(len(added), get_language()), "organization": organization.name})
        return redirect("people-add")
    return render(request, "accounts/people.html", {
        "organization": organization, "existing": existing, "divisions": divisions, "persons": persons,
        "has_errors": data is not None,
        "members": Profile.objects.filter(organization=organization, division__isnull=False)
        .select_related("user", "division").order_by("division__order", "division__name", "user__username"),
    }, status=400 if data is not None else 200)
