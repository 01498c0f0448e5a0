"""Traffy Fondue tickets into kpiplan: readers for a CSV export (Thai or English headers,
UTF-8 with or without BOM) and a GeoJSON file of the statistics API's shape, each giving
TicketRow values already parsed, and import_rows, which writes them for one organization
all-or-nothing, the last activity winning and every state change kept (issue 16).

A bad cell raises RowError naming the row (or feature), the column and the problem; the
preview collects them all instead (pass `errors=`), so the planner fixes the file once."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpiplan.lib.thai import NumberParseError, parse_decimal, to_ascii_digits
from plans.models import Organization

from .districts import district_key
from .models import Batch, Ticket, TicketState

CHUNK = 1000  # tickets written per round trip: memory stays flat however long the file


class RowError(ValueError):
    """One bad value: where it is (row of a CSV, feature of a GeoJSON file), which column
    and what is wrong, in the user's language."""

    def __init__(self, column: str, problem: str, row: int | None = None, *, feature: bool = False):
        self.column, self.problem, self.row, self.feature = column, problem, row, feature
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.row is None:
            return _("Column «%(column)s»: %(problem)s") % {"column": self.column, "problem": self.problem}
        if self.feature:
            return _("Feature %(row)s, field «%(column)s»: %(problem)s") % {
                "row": self.row, "column": self.column, "problem": self.problem}
        return _("Row %(row)s, column «%(column)s»: %(problem)s") % {
            "row": self.row, "column": self.column, "problem": self.problem}


class FileError(ValueError):
    """The file as a whole cannot be read (unreadable characters, not JSON, a required column missing)."""


@dataclass
class TicketRow:
    """One ticket as read from any source, values already parsed."""

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
    # Where the row came from (the CSV row or GeoJSON feature number), for messages.
    source_row: int = field(default=0, compare=False)

    @property
    def activity_at(self) -> datetime:
        """The ticket's latest known moment: which of two sightings is the newer."""
        return self.last_activity_at or self.finished_at or self.in_progress_at or self.reported_at


# -- reading values ---------------------------------------------------------------------

# Traffy's state_type codes, for files that give them instead of the Thai state.
STATE_CODES = {"finish": "เสร็จสิ้น", "inprogress": "กำลังดำเนินการ", "start": "รอรับเรื่อง", "forward": "ส่งต่อ",
               "irrelevant": "ไม่เกี่ยวข้อง", "follow": "กำลังดำเนินการ"}
FINISHED = "เสร็จสิ้น"
BANGKOK_PROVINCE = ("กรุงเทพมหานคร", "กรุงเทพฯ", "กรุงเทพ", "bangkok", "กทม.", "กทม")

_OFFSET_HOURS = re.compile(r"([+-]\d{2})$")  # "+00" at the end: Python wants "+00:00"
_BE_YEAR = re.compile(r"^(2[45]\d\d)(?=-)")


def parse_datetime(value, column: str, row: int | None = None, *, feature: bool = False) -> datetime | None:
    """Traffy's ISO timestamps with or without an offset ("2024-01-05 09:12:33.123+00");
    without one, Bangkok time. Thai digits and a B.E. year are read too."""
    text = to_ascii_digits(str(value)).strip() if value is not None else ""
    if text.lower() in ("", "nan", "null", "none"):
        return None
    text = _OFFSET_HOURS.sub(r"\1:00", text.replace("/", "-"))
    be = _BE_YEAR.match(text)
    if be:
        text = str(int(be.group(1)) - 543) + text[4:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(column, _("«%(value)s» is not a date and time (expected e.g. 2024-01-05 09:12:33+07:00).")
                       % {"value": value}, row, feature=feature) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment


def _number(value, column, row, feature, *, places: int | None = None, low=None, high=None) -> Decimal | None:
    if isinstance(value, str) and value.strip().lower() in ("nan", "null", "none"):
        return None
    try:
        number = parse_decimal(value if not isinstance(value, float) else repr(value))
    except NumberParseError:
        raise RowError(column, _("«%(value)s» is not a number (Thai or Arabic digits).") % {"value": value},
                       row, feature=feature) from None
    if number is None:
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        raise RowError(column, _("%(value)s is outside %(low)s–%(high)s.") % {"value": value, "low": low, "high": high},
                       row, feature=feature)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number


def _count(value, column, row, feature) -> int:
    number = _number(value, column, row, feature, low=0, high=100000)
    if number is None:
        return 0
    if number != number.to_integral_value():
        raise RowError(column, _("«%(value)s» must be a whole number.") % {"value": value}, row, feature=feature)
    return int(number)


def _text(value) -> str:
    """A cell or property as text: lists (the API's org, org_action) joined by commas."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value if v not in (None, ""))
    text = str(value).strip()
    return "" if text.lower() in ("nan", "null", "none") else text


def _types(value) -> list[str]:
    """problem_type_fondue as a list, or the export's "{ถนน,ทางเท้า}" / "ถนน, ทางเท้า"."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = _text(value).strip("{}[]")
    return [part.strip().strip("'\"") for part in text.split(",") if part.strip().strip("'\"")]


def _state(value, column, row, feature) -> str:
    text = _text(value)
    if not text:
        raise RowError(column, _("The state is empty."), row, feature=feature)
    text = STATE_CODES.get(text.lower(), text)
    if len(text) > 40:
        raise RowError(column, _("«%(value)s» is too long for a state.") % {"value": text[:50]}, row, feature=feature)
    return text


def _url(value, column, row, feature) -> str:
    text = _text(value)
    if text and not text.lower().startswith(("http://", "https://")):
        raise RowError(column, _("«%(value)s» is not a web address.") % {"value": text[:80]}, row, feature=feature)
    return text[:500]


def _clip(text: str, limit: int) -> str:
    return text[:limit]


def build_row(get, *, row: int, feature: bool, coordinates: tuple | None = None) -> TicketRow:
    """A TicketRow from a source's values: `get(field)` returns (column name as the user
    sees it, raw value) for one of our fields. Every parse error names that column."""
    def val(name):
        return get(name)

    def column(name):
        return val(name)[0]

    column_id, raw_id = val("ticket_id")
    ticket_id = _text(raw_id)
    if not ticket_id:
        raise RowError(column_id, _("The ticket number is empty."), row, feature=feature)
    if len(ticket_id) > 40:
        raise RowError(column_id, _("«%(value)s» is too long for a ticket number.") % {"value": ticket_id[:50]}, row,
                       feature=feature)
    reported_at = parse_datetime(val("reported_at")[1], column("reported_at"), row, feature=feature)
    if reported_at is None:
        raise RowError(column("reported_at"), _("The time the ticket was reported is empty."), row, feature=feature)
    state = _state(val("state")[1], column("state"), row, feature)
    last_activity_at = parse_datetime(val("last_activity_at")[1], column("last_activity_at"), row, feature=feature)
    finished_at = parse_datetime(val("finished_at")[1], column("finished_at"), row, feature=feature)
    if finished_at is None and state == FINISHED:
        # The web export has no finishing time: a finished ticket's last activity is its finishing.
        finished_at = last_activity_at
    if coordinates is not None:
        coord_column, (lon, lat) = column("coordinates"), coordinates
        latitude = _number(lat, coord_column, row, feature, places=6, low=-90, high=90)
        longitude = _number(lon, coord_column, row, feature, places=6, low=-180, high=180)
    else:
        latitude = _number(val("latitude")[1], column("latitude"), row, feature, places=6, low=-90, high=90)
        longitude = _number(val("longitude")[1], column("longitude"), row, feature, places=6, low=-180, high=180)
    return TicketRow(
        ticket_id=ticket_id,
        problem_types=_types(val("problem_types")[1]),
        description=_text(val("description")[1]),
        photo_url=_url(val("photo_url")[1], column("photo_url"), row, feature),
        after_photo_url=_url(val("after_photo_url")[1], column("after_photo_url"), row, feature),
        org_text=_text(val("org_text")[1]),
        org_action=_text(val("org_action")[1]),
        district=_clip(_text(val("district")[1]), 100),
        subdistrict=_clip(_text(val("subdistrict")[1]), 100),
        state=state,
        reported_at=reported_at,
        last_activity_at=last_activity_at,
        in_progress_at=parse_datetime(val("in_progress_at")[1], column("in_progress_at"), row, feature=feature),
        finished_at=finished_at,
        count_reopen=_count(val("count_reopen")[1], column("count_reopen"), row, feature),
        star=_number(val("star")[1], column("star"), row, feature, places=1, low=0, high=5),
        latitude=latitude,
        longitude=longitude,
        source_row=row,
    )


# -- CSV ----------------------------------------------------------------------------------

# Our field: the headers it goes by, the API's and the web export's English names first,
# then the Thai headers of the export and those people type. Compared without case and spaces.
HEADERS: dict[str, tuple[str, ...]] = {
    "ticket_id": ("ticket_id", "ticket", "ticket id", "เลขที่เรื่อง", "รหัสเรื่อง", "หมายเลขเรื่อง", "เลขเรื่อง"),
    "problem_types": ("problem_type_fondue", "type", "problem_type", "ประเภทปัญหา", "ประเภท"),
    "description": ("description", "comment", "รายละเอียด", "รายละเอียดปัญหา", "ข้อความ"),
    "photo_url": ("photo_url", "photo", "รูปภาพ", "รูปก่อนแก้ไข", "ภาพก่อนแก้ไข"),
    "after_photo_url": ("after_photo", "photo_after", "after_photo_url", "รูปหลังแก้ไข", "ภาพหลังแก้ไข"),
    "org_text": ("org", "organization", "หน่วยงาน", "หน่วยงานที่เกี่ยวข้อง"),
    "org_action": ("org_action", "หน่วยงานที่ดำเนินการ", "หน่วยงานที่รับผิดชอบ"),
    "district": ("district", "เขต"),
    "subdistrict": ("subdistrict", "แขวง"),
    "province": ("province", "จังหวัด"),
    "state": ("state", "สถานะ"),
    "reported_at": ("timestamp", "reported_at", "วันที่แจ้ง", "เวลาที่แจ้ง", "วันเวลาที่แจ้ง"),
    "last_activity_at": ("last_activity", "last_activity_at", "อัปเดตล่าสุด", "วันที่อัปเดตล่าสุด", "ความเคลื่อนไหวล่าสุด"),
    "in_progress_at": ("timestamp_inprogress", "in_progress_at", "วันที่เริ่มดำเนินการ", "เริ่มดำเนินการ"),
    "finished_at": ("timestamp_finished", "finished_at", "วันที่เสร็จสิ้น", "เวลาที่เสร็จสิ้น"),
    "count_reopen": ("count_reopen", "จำนวนครั้งที่เปิดเรื่องใหม่", "เปิดเรื่องใหม่", "จำนวนครั้งที่เปิดใหม่"),
    "star": ("star", "คะแนน", "คะแนนความพึงพอใจ", "ความพึงพอใจ", "ดาว"),
    "coordinates": ("coords", "coordinates", "พิกัด"),
    "latitude": ("latitude", "lat", "ละติจูด"),
    "longitude": ("longitude", "lon", "lng", "ลองจิจูด"),
}
REQUIRED = ("ticket_id", "state", "reported_at")


def _header_key(text: str) -> str:
    return re.sub(r"[\s_]+", "", (text or "").strip().lstrip("\ufeff").lower())


_BY_HEADER = {_header_key(h): name for name, headers in HEADERS.items() for h in headers}


def csv_encoding(data: bytes) -> str:
    """UTF-8 (with or without a BOM) if the bytes are UTF-8, else TIS-620/Windows-874, as
    Thai Excel saves a CSV: the other imports read both (kpiplan.lib.spreadsheets).
    Checked piece by piece, so the file is never held twice as text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 16):
            decoder.decode(data[start:start + (1 << 16)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp874"
    return "utf-8-sig"


def read_csv(file, *, errors: list[RowError] | None = None, encoding: str = "utf-8-sig") -> Iterator[TicketRow]:
    """The tickets of a CSV export, one at a time (a binary or text file). Row numbers
    are as a spreadsheet shows them (the header is row 1). With `errors`, bad rows are
    collected there and skipped; without, the first one raises RowError."""
    text = io.TextIOWrapper(file, encoding=encoding, newline="") if not isinstance(file, io.TextIOBase) else file
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except UnicodeDecodeError:
        raise FileError(_("The characters of this CSV file cannot be read; please save it as UTF-8 or TIS-620.")) from None
    if not header:
        raise FileError(_("The file is empty."))
    columns: dict[str, tuple[int, str]] = {}
    for index, name in enumerate(header):
        ours = _BY_HEADER.get(_header_key(name))
        if ours and ours not in columns:
            columns[ours] = (index, name.strip().lstrip("\ufeff"))
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileError(_("The file has no column for %(fields)s (accepted headers: %(headers)s).") % {
            "fields": ", ".join(missing),
            "headers": "; ".join(" / ".join(HEADERS[m][:3]) for m in missing)})
    number = 1
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue
            row = _csv_row(cells, columns, number)
            if isinstance(row, RowError):
                if errors is None:
                    raise row
                errors.append(row)
                continue
            if row is not None:
                yield row
    except UnicodeDecodeError:
        raise FileError(_("The characters of this CSV file cannot be read; please save it as UTF-8 or TIS-620.")) from None


def _csv_row(cells: list[str], columns: dict[str, tuple[int, str]], number: int) -> TicketRow | RowError:
    def get(name):
        if name not in columns:
            return HEADERS[name][0], None
        index, header = columns[name]
        return header, cells[index] if index < len(cells) else None

    coordinates = None
    coord_header, coords = get("coordinates")
    if coords and coords.strip() and get("latitude")[1] in (None, ""):
        parts = coords.replace(" ", "").split(",")  # the export writes "lon,lat"
        if len(parts) != 2:
            return RowError(coord_header, _("«%(value)s» is not «longitude,latitude».") % {"value": coords}, number)
        coordinates = (parts[0], parts[1])
    try:
        row = build_row(get, row=number, feature=False, coordinates=coordinates)
    except RowError as exc:
        return exc
    province = _text(get("province")[1])
    if province and province.lower() not in BANGKOK_PROVINCE:
        row.district = ""  # a district of another province: never ours
    return row


# -- GeoJSON ---------------------------------------------------------------------------------

_FEATURE_FIELDS = {
    "ticket_id": "ticket_id", "problem_types": "problem_type_fondue", "description": "description",
    "photo_url": "photo_url", "after_photo_url": "after_photo", "org_text": "org", "org_action": "org_action",
    "district": "district", "subdistrict": "subdistrict", "state": "state", "reported_at": "timestamp",
    "last_activity_at": "last_activity", "in_progress_at": "timestamp_inprogress",
    "finished_at": "timestamp_finished", "count_reopen": "count_reopen", "star": "star",
    "latitude": "latitude", "longitude": "longitude", "coordinates": "coordinates",
}


def row_from_feature(feature: dict, number: int | None = None) -> TicketRow:
    """One GeoJSON feature of the statistics API's shape; RowError names the field."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise RowError("properties", _("The feature has no properties."), number, feature=True)
    props = feature["properties"]

    def get(name):
        key = _FEATURE_FIELDS[name]
        value = props.get(key)
        if value is None and name == "state":
            value = props.get("state_type_latest")
        if value is None and name == "after_photo_url":
            value = props.get("after_photo_url")
        return key, value

    coordinates = None
    geometry = feature.get("geometry")
    if isinstance(geometry, dict) and geometry.get("coordinates") is not None:
        point = geometry["coordinates"]
        if not (isinstance(point, list) and len(point) >= 2):
            raise RowError("coordinates", _("«%(value)s» is not [longitude, latitude].") % {"value": point}, number,
                           feature=True)
        coordinates = (point[0], point[1])
    row = build_row(get, row=number or 0, feature=True, coordinates=coordinates)
    if number is None:
        row.source_row = 0
    province = _text(props.get("province"))
    if province and province.lower() not in BANGKOK_PROVINCE:
        row.district = ""
    return row


def read_geojson(file, *, errors: list[RowError] | None = None) -> Iterator[TicketRow]:
    """The tickets of a GeoJSON FeatureCollection (an API page saved to a file), feature
    numbers from 1. The file is parsed whole: an API page holds at most 1,000 features,
    and the upload limit bounds the rest."""
    try:
        data = json.load(io.TextIOWrapper(file, encoding="utf-8-sig") if not isinstance(file, io.TextIOBase) else file)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileError(_("The file is not GeoJSON (%(problem)s).") % {"problem": exc}) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise FileError(_("The file is not a GeoJSON FeatureCollection: it has no «features» list."))
    for number, feature in enumerate(features, start=1):
        try:
            yield row_from_feature(feature, number)
        except RowError as exc:
            if errors is None:
                raise
            errors.append(exc)


def read_file(data: bytes, filename: str, *, errors: list[RowError] | None = None) -> tuple[str, Iterator[TicketRow]]:
    """(Batch kind, rows) for an uploaded file, by its name's ending."""
    if filename.lower().endswith((".geojson", ".json")):
        return Batch.Kind.GEOJSON, read_geojson(io.BytesIO(data), errors=errors)
    return Batch.Kind.CSV, read_csv(io.BytesIO(data), errors=errors, encoding=csv_encoding(data))


# -- districts -------------------------------------------------------------------------------

def organization_districts(organization) -> set[str]:
    """The district names an organization answers to: from its name, short name and aliases
    (kept on the instance: the fetch command asks once per feature)."""
    cached = getattr(organization, "_traffy_districts", None)
    if cached is None:
        names = {organization.name, organization.short_name}
        names.update(alias.alias for alias in organization.aliases.all())
        cached = organization._traffy_districts = frozenset({district_key(n) for n in names if n} - {""})
    return cached


def district_matches(organization, district_text: str) -> bool:
    """Whether a ticket's district text is the organization's district, however typed."""
    key = district_key(district_text)
    return bool(key) and key in organization_districts(organization)


# -- writing ------------------------------------------------------------------------------------

_FIELDS = ("problem_types", "description", "photo_url", "after_photo_url", "org_text", "org_action", "district",
           "subdistrict", "state", "reported_at", "last_activity_at", "in_progress_at", "finished_at", "count_reopen",
           "star", "latitude", "longitude")


def _values(row: TicketRow) -> dict:
    return {name: getattr(row, name) for name in _FIELDS}


def lock_organization(organization) -> None:
    """One import of an organization's tickets at a time (as plandoc.workbook does): a second
    import of the same new tickets (a double click, two tabs, the fetch command meanwhile)
    waits for the first to commit and then finds them, instead of inserting them again and
    failing on the unique ticket number. Held until the caller's transaction ends; take it
    before writing any row that refers to the organization (a Batch): such a row takes a
    share lock on it, and two transactions each holding one would deadlock here."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()


def import_rows(organization, rows: Iterable[TicketRow], *, batch: Batch, chunk_size: int = CHUNK) -> Batch:
    """Write the tickets of the organization's district, in one transaction: a bad row
    (a RowError from the reader) undoes everything. Tickets of other districts are
    counted and skipped. A ticket seen again (later in the file, or in a later import)
    takes the sighting with the latest activity; each change of state is kept in
    TicketState. Counts are of distinct tickets: a ticket new in this batch and updated
    by a later row of it stays "new"."""
    ours = organization_districts(organization)
    seen: dict[str, str] = {}  # ticket id → what this batch did to it (ids only: small)
    counts = {"read": 0, "created": 0, "updated": 0, "unchanged": 0, "other_districts": 0}
    with transaction.atomic():
        lock_organization(organization)
        if batch.pk is None:
            batch.organization = organization
            batch.save()
        chunk: list[TicketRow] = []
        for row in rows:
            counts["read"] += 1
            if district_key(row.district) not in ours:
                if row.ticket_id not in seen:
                    seen[row.ticket_id] = "other_districts"
                    counts["other_districts"] += 1
                continue
            chunk.append(row)
            if len(chunk) >= chunk_size:
                _write_chunk(organization, chunk, batch, seen, counts)
                chunk = []
        if chunk:
            _write_chunk(organization, chunk, batch, seen, counts)
        for name, value in counts.items():
            setattr(batch, name, value)
        batch.finished_at = timezone.now()
        batch.save()
    return batch


def _count_as(seen: dict, counts: dict, ticket_id: str, outcome: str) -> None:
    before = seen.get(ticket_id)
    if before == outcome or before == "created" or (before == "updated" and outcome == "unchanged"):
        return
    if before is not None:
        counts[before] -= 1
    seen[ticket_id] = outcome
    counts[outcome] += 1


def _write_chunk(organization, chunk: list[TicketRow], batch: Batch, seen: dict, counts: dict) -> None:
    # The rows of one ticket in the order they happened: the last one wins, each state change is kept.
    chunk.sort(key=lambda r: r.activity_at)
    ids = {r.ticket_id for r in chunk}
    stored = {t.ticket_id: t for t in Ticket.objects.select_for_update().filter(organization=organization,
                                                                              ticket_id__in=ids)}
    new: dict[str, Ticket] = {}
    changed: dict[str, Ticket] = {}
    states: list[tuple[str, str, datetime]] = []  # (ticket id, state, at)
    for row in chunk:
        ticket = stored.get(row.ticket_id) or new.get(row.ticket_id)
        if ticket is None:
            ticket = Ticket(organization=organization, ticket_id=row.ticket_id, batch=batch, **_values(row))
            new[row.ticket_id] = ticket
            states.append((row.ticket_id, row.state, row.activity_at))
            _count_as(seen, counts, row.ticket_id, "created")
            continue
        known_at = ticket.last_activity_at or ticket.finished_at or ticket.in_progress_at or ticket.reported_at
        values = _values(row)
        if row.activity_at < known_at or all(getattr(ticket, k) == v for k, v in values.items()):
            if ticket.ticket_id not in new:
                _count_as(seen, counts, row.ticket_id, "unchanged")
            continue
        if row.state != ticket.state:
            states.append((row.ticket_id, row.state, row.activity_at))
        for name, value in values.items():
            setattr(ticket, name, value)
        ticket.batch = batch
        if ticket.pk is not None:
            changed[row.ticket_id] = ticket
            _count_as(seen, counts, row.ticket_id, "updated")
    Ticket.objects.bulk_create(list(new.values()))
    if changed:
        Ticket.objects.bulk_update(list(changed.values()), [*_FIELDS, "batch"])
    by_id = {**stored, **new}
    TicketState.objects.bulk_create([TicketState(ticket=by_id[tid], state=state, at=at, batch=batch)
                                     for tid, state, at in states])


# -- the import page's service ------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class _Rollback(Exception):
    pass


@dataclass
class ImportResult:
    """What an import did (or, for a preview, would do)."""

    filename: str
    batch: Batch | None = None
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""
    more_errors: int = 0  # bad rows beyond those listed

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.file_error)


def import_file(*, organization, user, data: bytes, filename: str, dry_run: bool, max_errors: int = 200,
                chunk_size: int = CHUNK) -> ImportResult:
    """Check (dry_run: the same writes, rolled back, so the counts are exact) or import
    an uploaded file for the organization. A preview collects every bad row; an import
    stops at the first and writes nothing."""
    result = ImportResult(filename=filename)
    errors: list[RowError] | None = [] if dry_run else None
    try:
        with transaction.atomic():
            kind, rows = read_file(data, filename, errors=errors)
            batch = Batch(organization=organization, kind=kind, source=filename[:500], by=user)
            result.batch = import_rows(organization, rows, batch=batch, chunk_size=chunk_size)
            if dry_run:
                raise _Rollback
    except _Rollback:
        result.batch.pk = None
    except FileError as exc:
        result.file_error = str(exc)
    except RowError as exc:
        result.errors = [exc]
    if errors:
        result.errors = errors[:max_errors]
        result.more_errors = max(len(errors) - max_errors, 0)
    return result

