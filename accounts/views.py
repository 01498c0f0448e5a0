from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import views as auth_views


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
