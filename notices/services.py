"""Writing notices (called by the code path of each state change: progress.services,
reports.tasks, the daily send_reminders) and reading them off. Who gets one is the
caller's business; this app knows users only as the auth model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from .models import MailSetting, Notice


def notify(*, recipients: Iterable, kind: str, key: str, params: dict, link: str = "", mailed: bool = False) -> int:
    """One notice of the event `key` for each recipient who has none yet; how many were
    new. `mailed`: the caller has just e-mailed them, so the daily mail leaves them out.
    Inside the caller's transaction: a refused change leaves no notice."""
    users = {u.pk: u for u in recipients if u is not None}
    if not users:
        return 0
    had = set(Notice.objects.filter(key=key, recipient_id__in=users).values_list("recipient_id", flat=True))
    now = timezone.now()
    new = [Notice(recipient_id=pk, kind=kind, key=key, params=params, link=link, mail_done_at=now if mailed else None)
           for pk in users if pk not in had]
    # ignore_conflicts: the same event written at the same moment by another process.
    Notice.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def settle(*, keys: Iterable[str] = (), prefixes: Iterable[str] = ()) -> int:
    """Events that are over (the report was sent, approved, returned) are read for
    everyone they were told to: the bell counts what still needs its reader, and the list
    keeps them as history."""
    match = Q(key__in=list(keys))
    for prefix in prefixes:
        match |= Q(key__startswith=prefix)
    return Notice.objects.unread().filter(match).update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notice.objects.for_recipient(user).unread().count()


def mark_read(*, user, notices: Iterable[Notice] | None = None) -> int:
    """The user's notices (these, or all) are read; never anyone else's."""
    rows = Notice.objects.for_recipient(user).unread()
    if notices is not None:
        rows = rows.filter(pk__in=[n.pk for n in notices])
    return rows.update(read_at=timezone.now())


def wants_email(user) -> bool:
    setting = MailSetting.objects.filter(user_id=user.pk).first()
    return setting.email if setting else True


def set_email(*, user, on: bool) -> None:
    MailSetting.objects.update_or_create(user_id=user.pk, defaults={"email": on})


def mail_recipients(users: Iterable) -> list:
    """Those of `users` who want e-mail and have an address (one query for the settings)."""
    users = list(users)
    off = set(MailSetting.objects.filter(user_id__in=[u.pk for u in users], email=False).values_list("user_id", flat=True))
    return [u for u in users if u.pk not in off and u.email]


@dataclass
class Digest:
    """One person's new notices for the daily mail."""

    user: object
    notices: list[Notice] = field(default_factory=list)


def pending_digests() -> tuple[list[Digest], list[int]]:
    """Unread notices not yet mailed, grouped by person, for those who want e-mail and
    have an address; and the ids of every pending notice (to be marked done once the
    mail is sent, including those of people who get no mail)."""
    pending = list(Notice.objects.mail_pending().order_by("recipient_id", "created_at", "pk"))
    if not pending:
        return [], []
    users = get_user_model().objects.in_bulk({n.recipient_id for n in pending})
    mailable = {u.pk for u in mail_recipients(u for u in users.values() if u.is_active)}
    digests: dict[int, Digest] = {}
    for notice in pending:
        if notice.recipient_id in mailable and notice.read_at is None:
            digests.setdefault(notice.recipient_id, Digest(users[notice.recipient_id])).notices.append(notice)
    return list(digests.values()), [n.pk for n in pending]


def mark_mailed(ids: list[int]) -> None:
    Notice.objects.filter(pk__in=ids, mail_done_at__isnull=True).update(mail_done_at=timezone.now())
