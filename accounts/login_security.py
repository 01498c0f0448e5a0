"""Failed logins: the log line, the client's address, and the lockout answer.

django-axes does the counting and the refusing (settings: AXES_*). The login form and the
admin's login call authenticate(request=...) with Django's request; the API's HTTP Basic
calls it with DRF's Request, on which axes sets its lockout flag where AxesMiddleware
(which sees Django's request) cannot find it, so `_flag_api_lockout` copies it across.
"""

import logging

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kpiplan.lib.thai import format_number_in

log = logging.getLogger("kpiplan.login")


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind KPIPLAN_PROXY_COUNT reverse proxies
    the entry of X-Forwarded-For that the outermost trusted proxy appended (entries to its
    left are the client's to forge)."""
    proxies = settings.KPIPLAN_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


@receiver(user_logged_in)
def _stamp_activity(sender, request=None, **kwargs):
    """A new session starts active (kpiplan.middleware.SessionIdleMiddleware), so the first
    page after logging in does not write the session again."""
    if request is not None and hasattr(request, "session"):
        import time

        request.session["_last_activity"] = int(time.time())


@receiver(user_login_failed)
def log_failed_login(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    address = client_address(request) if request is not None else None
    path = getattr(request, "path", "")
    log.warning("login failed: username=%r address=%s path=%s", username, address, path)


@receiver(user_locked_out)
def _flag_api_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    log.warning("login locked out: username=%r address=%s", username, ip_address)
    django_request = getattr(request, "_request", None)
    if django_request is not None:  # a DRF Request (HTTP Basic on the API)
        django_request.axes_locked_out = True
        django_request.axes_credentials = getattr(request, "axes_credentials", None)
        django_request.kpiplan_api_login = True


def lockout_message(request) -> str:
    minutes = int(get_cool_off(request).total_seconds() // 60)
    return _(
        "Too many failed logins for this account or from this address. "
        "Logging in is refused for %(minutes)s minutes after the last attempt; "
        "if you forgot your password, reset it from the login page."
    ) % {"minutes": format_number_in(minutes, get_language())}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: HTTP 429 with the Thai message, as JSON for the API."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    retry_after = str(int(get_cool_off(request).total_seconds()))
    if getattr(request, "kpiplan_api_login", False):
        response = JsonResponse({"detail": lockout_message(request)}, status=status)
    else:
        response = render(request, "registration/locked_out.html", {"message": lockout_message(request)}, status=status)
    response["Retry-After"] = retry_after
    return response
