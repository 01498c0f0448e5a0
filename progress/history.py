"""A report's history as people read it: per version who, when, why and what changed,
each field by its label with its old and new value (kpiplan.lib.changes formats them).
Four queries whatever the number of versions: the versions, their work steps, their
evidence's versions, and the names of changed foreign keys (only when one changed)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kpiplan.lib.changes import Change, field_specs, format_when, set_change, version_changes
from kpiplan.lib.thai import to_thai_digits, uses_thai

from .models import ProgressEntry, State

# What the report is about: shown on the page, not repeated as "initial values".
_IDENTITY = ["plan", "period", "indicator", "project", "division"]
_MEASURES = ["measure_values", "verified_measure_values"]


@dataclass
class Version:
    when: datetime.datetime
    when_text: str
    who: str
    reason: str
    state: str = ""
    created: bool = False
    changes: list[Change] = field(default_factory=list)
    evidence: str = ""  # the file name, for a version of the report's evidence


def is_thai() -> bool:
    return uses_thai(get_language())


def person(user) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()


def _local(value):
    """Stored date-times are UTC; people read them in the site's time zone."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _reason(stored: str | None) -> str:
    """The stored reason in the reader's language where it is one of the services' own
    (stored in the language of whoever saved, a return with the head's words after
    it); a person's own words as they typed them."""
    if not stored:
        return ""
    from django.utils import translation

    returned = "Returned: %(comment)s"
    for language in ("en", "th"):
        with translation.override(language):
            prefix = _(returned).split("%(comment)s")[0]
        if stored.startswith(prefix):
            return _(returned) % {"comment": stored[len(prefix):]}
    return _(stored)


def _step_name(number: int, name: str, thai: bool) -> str:
    return f"{to_thai_digits(number) if thai else number}. {name}"


def versions_for(entries) -> dict[int, list[Version]]:
    """Every version of each report, newest first."""
    from .models import Evidence

    thai = is_thai()
    ids = [e.pk for e in entries]
    result: dict[int, list[Version]] = {pk: [] for pk in ids}
    if not ids:
        return result
    specs = field_specs(ProgressEntry, measures=_MEASURES)
    records = list(ProgressEntry.history.filter(id__in=ids).select_related("history_user")
                   .order_by("id", "history_date", "history_id"))
    # The work steps of every version in one query (simple-history's own m2m diff asks
    # the database twice per version).
    steps: dict[int, list[str]] = defaultdict(list)
    through = apps.get_model("progress", "HistoricalProgressEntry_steps_done")
    for history_id, number, name in (through.objects.filter(history_id__in=[r.history_id for r in records])
                                     .order_by("workstep__number", "workstep_id")
                                     .values_list("history_id", "workstep__number", "workstep__name")):
        steps[history_id].append(_step_name(number, name, thai))

    values = [{s.name: _local(getattr(r, s.name + "_id" if s.kind == "fk" else s.name)) for s in specs} for r in records]
    names = _foreign_key_names(specs, records, values)
    steps_label = str(ProgressEntry._meta.get_field("steps_done").verbose_name)
    yes, no = _("yes"), _("no")

    # One save is one version: setting the work steps writes further history rows
    # (simple-history's m2m signal) with the same report version; they are read as
    # part of the save they belong to, compared as a whole with the save before.
    groups: list[list[int]] = []
    for index, record in enumerate(records):
        last = records[groups[-1][-1]] if groups else None
        if last is not None and last.id == record.id and last.version == record.version:
            groups[-1].append(index)
        else:
            groups.append([index])
    previous: dict[int, int] = {}
    for group in groups:
        first, index = records[group[0]], group[-1]
        record = records[index]
        before = previous.get(record.id)
        changes = version_changes(specs, values[before] if before is not None else None, values[index], thai=thai,
                                  fk_names=lambda name, pk: names.get((name, pk), str(pk)), yes=yes, no=no,
                                  skip_on_create=_IDENTITY)
        step_change = set_change(steps_label, steps[records[before].history_id] if before is not None else [],
                                 steps[record.history_id])
        if step_change:
            changes.append(step_change)
        result[record.id].append(Version(
            when=first.history_date, when_text=format_when(timezone.localtime(first.history_date), thai=thai),
            who=person(first.history_user), reason=_reason(first.history_change_reason),
            state=str(State(record.state).label), created=before is None, changes=changes,
        ))
        previous[record.id] = index
    # Evidence added or removed is part of the report's story too.
    for record in Evidence.history.filter(entry_id__in=ids).select_related("history_user"):
        result[record.entry_id].append(Version(
            when=record.history_date, when_text=format_when(timezone.localtime(record.history_date), thai=thai),
            who=person(record.history_user), reason=record.history_change_reason or "", evidence=record.original_name,
        ))
    return {pk: sorted(rows, key=lambda v: v.when, reverse=True) for pk, rows in result.items()}


def _foreign_key_names(specs, records, values) -> dict[tuple[str, object], str]:
    """The names of the foreign keys that changed between versions, one query per
    kind of object that did (in practice none: a report keeps its item and period)."""
    wanted: dict[str, set] = defaultdict(set)
    last: dict[int, dict] = {}
    for record, row in zip(records, values, strict=True):
        before = last.get(record.id)
        for spec in specs:
            if spec.kind != "fk":
                continue
            if before is None:
                if spec.name not in _IDENTITY and row[spec.name] is not None:
                    wanted[spec.name].add(row[spec.name])
            elif before[spec.name] != row[spec.name]:
                wanted[spec.name].update(pk for pk in (before[spec.name], row[spec.name]) if pk is not None)
        last[record.id] = row
    names = {}
    for name, pks in wanted.items():
        model = ProgressEntry._meta.get_field(name).related_model
        for pk, obj in model._default_manager.in_bulk(pks).items():
            names[(name, pk)] = str(obj)
    return names
