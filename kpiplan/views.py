"""Site-wide views that belong to no app: the page of a form that Django's CSRF check
refused (CSRF_FAILURE_VIEW). The 400, 403, 404 and 500 pages are Django's default
views with our templates (templates/400.html …)."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

# Fields never shown back: the token itself, and the wiring of the forms (which button,
# the version a save is based on, where to go next, the management form of a formset) —
# nothing anybody typed. Passwords are left out by name, ticked boxes ("on") by value.
_NOT_SHOWN = {"csrfmiddlewaretoken", "next", "action", "version", "language"}
_NOT_SHOWN_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")


def _typed_values(request, reason):
    """What the user typed in the refused form, to copy into the form opened again.

    Only for a token problem: a form posted from another site (the origin or referer
    check failed) is not the user's own typing and is not shown."""
    if reason.startswith(("Origin checking failed", "Referer checking failed")):
        return []
    try:
        fields = list(request.POST.lists())
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent):
        return []
    typed = []
    for name, values in fields:
        if name in _NOT_SHOWN or name.endswith(_NOT_SHOWN_SUFFIXES) or "password" in name.lower():
            continue
        text = "\n".join(value for value in values if value.strip() and value != "on")
        if text:
            typed.append((name, text))
    return typed


def _form_page(request):
    """Where the form came from (the Referer, if it is this site), else None."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None


def csrf_failure(request, reason=""):
    context = {
        "typed": _typed_values(request, reason),
        "form_page": _form_page(request),
        "no_cookie": reason == REASON_NO_CSRF_COOKIE,
    }
    return render(request, "403_csrf.html", context, status=403)
