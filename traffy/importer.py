"""STUB written by helper "traffy-fetch" only so that the fetch command's tests can run
before helper "traffy-import" delivers the real module. It follows the contract of
issue 16 exactly (TicketRow, RowError, row_from_feature, district_matches, import_rows)
and nothing more; on merge the lead keeps traffy-import's version of this file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import Batch, Ticket, TicketState


class RowError(ValueError):
    """One ticket that cannot be read; the message is for the person importing."""


@dataclass
class TicketRow:
    ticket_id: str
    problem_types: list[str]
    description: str
    photo_url: str
    after_photo_url: str
    org_text: str
    org_action: str
    district: str
    subdistrict: str
    state: str
    reported_at: datetime
    last_activity_at: datetime | None
    in_progress_at: datetime | None
    finished_at: datetime | None
    count_reopen: int
    star: Decimal | None
    latitude: Decimal | None
    longitude: Decimal | None


def _when(value, field: str, *, required: bool = False) -> datetime | None:
    if value in (None, ""):
        if required:
            raise RowError(_("%(field)s is missing.") % {"field": field})
        return None
    text = str(value).strip().replace("T", " ")
    # "+00" (no minutes) is how Traffy writes UTC; Python wants "+00:00".
    text = re.sub(r"([+-]\d\d)$", r"\1:00", text)
    parsed = parse_datetime(text)
    if parsed is None:
        raise RowError(_("%(field)s is not a date and time: %(value)s") % {"field": field, "value": value})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RowError(_("%(field)s is not a number: %(value)s") % {"field": field, "value": value}) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def row_from_feature(feature: dict) -> TicketRow:
    props = feature.get("properties") or {}
    ticket_id = _text(props.get("ticket_id")).strip()
    if not ticket_id:
        raise RowError(_("ticket_id is missing."))
    coords = (feature.get("geometry") or {}).get("coordinates") or [None, None]
    types = props.get("problem_type_fondue") or []
    return TicketRow(
        ticket_id=ticket_id,
        problem_types=[str(t) for t in (types if isinstance(types, list) else [types])],
        description=_text(props.get("description")),
        photo_url=_text(props.get("photo_url")),
        after_photo_url=_text(props.get("after_photo")),
        org_text=_text(props.get("org")),
        org_action=_text(props.get("org_action")),
        district=_text(props.get("district")),
        subdistrict=_text(props.get("subdistrict")),
        state=_text(props.get("state")),
        reported_at=_when(props.get("timestamp"), "timestamp", required=True),
        last_activity_at=_when(props.get("last_activity"), "last_activity"),
        in_progress_at=_when(props.get("timestamp_inprogress"), "timestamp_inprogress"),
        finished_at=_when(props.get("timestamp_finished"), "timestamp_finished"),
        count_reopen=int(props.get("count_reopen") or 0),
        star=_decimal(props.get("star"), "star"),
        latitude=_decimal(coords[1], "latitude"),
        longitude=_decimal(coords[0], "longitude"),
    )


_ROMAN = {"ภาษีเจริญ": "phasicharoen", "บางแค": "bangkhae"}


def _core(text: str) -> str:
    text = re.sub(r"\s+", "", text or "").lower()
    for prefix in ("สำนักงานเขต", "สนข.", "เขต", "district"):
        text = text.replace(prefix, "")
    return text


def district_matches(organization, district_text: str) -> bool:
    ours = _core(organization.name)
    given = _core(district_text)
    return bool(given) and (given == ours or given == _ROMAN.get(ours))


_FIELDS = [f.name for f in fields(TicketRow) if f.name != "ticket_id"]


def import_rows(organization, rows: Iterable[TicketRow], *, batch: Batch) -> Batch:
    counts = dict(read=0, created=0, updated=0, unchanged=0, other_districts=0)
    with transaction.atomic():
        for row in rows:
            counts["read"] += 1
            if not district_matches(organization, row.district):
                counts["other_districts"] += 1
                continue
            values = {name: getattr(row, name) for name in _FIELDS}
            ticket = Ticket.objects.filter(organization=organization, ticket_id=row.ticket_id).first()
            at = row.last_activity_at or row.reported_at
            if ticket is None:
                ticket = Ticket.objects.create(organization=organization, ticket_id=row.ticket_id, batch=batch, **values)
                TicketState.objects.create(ticket=ticket, state=row.state, at=at, batch=batch)
                counts["created"] += 1
                continue
            if ticket.last_activity_at and row.last_activity_at and row.last_activity_at < ticket.last_activity_at:
                counts["unchanged"] += 1
                continue
            if all(getattr(ticket, name) == value for name, value in values.items()):
                counts["unchanged"] += 1
                continue
            if ticket.state != row.state:
                TicketState.objects.create(ticket=ticket, state=row.state, at=at, batch=batch)
            for name, value in values.items():
                setattr(ticket, name, value)
            ticket.batch = batch
            ticket.save()
            counts["updated"] += 1
        for name, value in counts.items():
            setattr(batch, name, value)
        batch.finished_at = timezone.now()
        batch.save()
    return batch
