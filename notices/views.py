"""The list under the header's bell: one's own notices, newest first; opening it or a
notice marks it read. The daily e-mail's on/off switch is on the same page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy

from . import services
from .models import Notice

LIST_LENGTH = 100  # the newest; older notices are history nobody scrolls to


def _get_notice_for_user(user, notice_id: int) -> Notice:
    """The notice if it is the user's; 404 otherwise, so others' notices do not even
    reveal that they exist."""
    notice = get_object_or_404(Notice, pk=notice_id)
    if not policy.allowed(user, "notices.read", notice):
        raise Http404
    return notice


@login_required
@require_GET
def notice_list(request):
    notices = list(policy.own_notices(Notice.objects.all(), request.user)[:LIST_LENGTH])
    rows = [{"notice": n, "unread": n.read_at is None} for n in notices]
    # Shown now, so read: the bell counts only what has not been seen yet.
    newly_read = [n for n in notices if n.read_at is None]
    if newly_read:
        services.mark_read(user=request.user, notices=newly_read)
    return render(request, "notices/list.html", {
        "rows": rows, "email_on": services.wants_email(request.user), "has_address": bool(request.user.email),
    })


@login_required
@require_GET
def notice_open(request, notice_id: int):
    notice = _get_notice_for_user(request.user, notice_id)
    services.mark_read(user=request.user, notices=[notice])
    if notice.link and url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()}):
        return redirect(notice.link)
    return redirect("notices:list")


@login_required
@require_POST
def read_all(request):
    services.mark_read(user=request.user)
    return redirect("notices:list")


@login_required
@require_POST
def email_setting(request):
    choice = request.POST.get("email")
    if choice not in ("on", "off"):
        messages.error(request, _("E-mail notices: choose on or off."))
        return redirect("notices:list")
    services.set_email(user=request.user, on=choice == "on")
    messages.success(request, _("E-mail notices are on: new notices come in one e-mail a day.") if choice == "on"
                     else _("E-mail notices are off: your notices are only here."))
    return redirect("notices:list")
