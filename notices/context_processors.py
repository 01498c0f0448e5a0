"""The header's bell: how many of the user's notices are unread."""

from __future__ import annotations

from django.utils.functional import cached_property

from .services import unread_count

SHOWN_AT_MOST = 99


class Bell:
    """Counted when the template first asks (one indexed query), not for a response that
    never shows the header."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)

    @property
    def shown(self) -> str:
        return f"{SHOWN_AT_MOST}+" if self.count > SHOWN_AT_MOST else str(self.count)


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user)}
