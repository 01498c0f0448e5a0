"""A version's changes as people read them: each changed field by its label, old → new,
numbers with thousands separators, dates in the Buddhist Era, Thai digits in Thai mode.

Formatting is pure (tested without a database); `field_specs` reads a model's field
descriptions once, and `version_changes` compares two versions given as plain dicts of
stored values (foreign keys as ids, resolved by the caller to their names)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from kpiplan.lib.thai import format_date_in, format_number, to_thai_digits

# Bookkeeping every versioned row carries: never a change a person made.
INTERNAL_FIELDS = frozenset({"id", "version", "updated_at", "updated_by", "created_at", "created_by", "changed_at",
                             "changed_by", "edit_token"})

EMPTY = "-"


@dataclass(frozen=True)
class Change:
    """One field of a version: its label and the values before and after, as shown.

    `long` texts are shown in full, one under the other; a set of items (work steps)
    lists what was `added` and `removed`."""

    label: str
    old: str = EMPTY
    new: str = EMPTY
    long: bool = False
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def old_is_empty(self) -> bool:
        return self.old == EMPTY

    @property
    def new_is_empty(self) -> bool:
        return self.new == EMPTY

    @property
    def is_set(self) -> bool:
        return bool(self.added or self.removed)

    def __str__(self) -> str:
        if self.is_set:
            return f"{self.label}: " + ", ".join([*(f"+ {a}" for a in self.added), *(f"− {r}" for r in self.removed)])
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class FieldSpec:
    """What a field needs to be shown: its translated label, its kind, its choices."""

    name: str
    label: str
    kind: str  # "text", "long", "number", "bool", "date", "datetime", "fk", "choice", "measures", "other"
    choices: Mapping[str, str] = field(default_factory=dict)
    default: object = None


def field_specs(model, *, exclude: Iterable[str] = (), long: Iterable[str] = (), measures: Iterable[str] = ()) -> list[FieldSpec]:
    """The shown fields of a model (its concrete fields less the internal ones), labels
    translated in the active language, capitalised as the admin writes them."""
    from django.db import models
    from django.utils.text import capfirst

    excluded = INTERNAL_FIELDS | set(exclude)
    long, measures = set(long), set(measures)
    specs = []
    for f in model._meta.concrete_fields:
        if f.name in excluded or f.primary_key:
            continue
        if f.name in measures:
            kind = "measures"
        elif f.choices:
            kind = "choice"
        elif f.is_relation:
            kind = "fk"
        elif isinstance(f, models.BooleanField):
            kind = "bool"
        elif isinstance(f, models.DateTimeField):
            kind = "datetime"
        elif isinstance(f, models.DateField):
            kind = "date"
        elif isinstance(f, (models.DecimalField, models.IntegerField, models.FloatField)):
            kind = "number"
        elif f.name in long or isinstance(f, models.TextField):
            kind = "long"
        else:
            kind = "text"
        default = f.default if f.has_default() and not callable(f.default) else None
        specs.append(FieldSpec(f.name, capfirst(str(f.verbose_name)), kind, {str(k): str(v) for k, v in (f.choices or [])}, default))
    return specs


def is_empty(value) -> bool:
    return value is None or value == "" or value == {} or value == [] or value == ()


def format_date(value: datetime.date, *, thai: bool) -> str:
    """'3 ธันวาคม ๒๕๖๙' in Thai; '3 Dec 2569' (still the Buddhist Era) in English."""
    return format_date_in(value, "th" if thai else "en", abbr=not thai)


def format_when(value: datetime.datetime, *, thai: bool) -> str:
    """A local date-time: the B.E. date and hh:mm."""
    time = f"{value:%H:%M}"
    return f"{format_date(value.date(), thai=thai)} {to_thai_digits(time) if thai else time}"


def shown(value, *, kind: str = "other", thai: bool, choices: Mapping[str, str] | None = None,
          yes: str = "yes", no: str = "no") -> str:
    """One stored value as a reader sees it; '-' for nothing. Datetimes must be local."""
    if is_empty(value):
        return EMPTY
    if kind == "choice" and choices:
        return choices.get(str(value), str(value))
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, datetime.datetime):
        return format_when(value, thai=thai)
    if isinstance(value, datetime.date):
        return format_date(value, thai=thai)
    if isinstance(value, Decimal | int | float):
        return format_number(Decimal(str(value)), thai=thai)
    if kind == "number" and isinstance(value, str):
        return shown_number_text(value, thai=thai)
    return str(value)


def shown_number_text(value, *, thai: bool) -> str:
    """A number stored as text (JSON keeps decimals as text); text as is if it is not one."""
    if is_empty(value):
        return EMPTY
    try:
        return format_number(Decimal(str(value)), thai=thai)
    except (InvalidOperation, ValueError):
        return to_thai_digits(value) if thai else str(value)


def measure_changes(label: str, old: Mapping | None, new: Mapping | None, *, thai: bool) -> list[Change]:
    """A result per measure, one change per measure that changed: 'label — measure'.
    Measures in the order the newer version lists them, then the ones it dropped."""
    old, new = dict(old or {}), dict(new or {})
    names = list(new) + [name for name in old if name not in new]
    changes = []
    for name in names:
        before, after = shown_number_text(old.get(name), thai=thai), shown_number_text(new.get(name), thai=thai)
        if before != after:
            changes.append(Change(f"{label} — {name}", before, after))
    return changes


def set_change(label: str, old: Iterable[str], new: Iterable[str]) -> Change | None:
    """Items added and removed (in their order), or None when the set is the same."""
    old, new = list(old), list(new)
    added = tuple(item for item in new if item not in old)
    removed = tuple(item for item in old if item not in new)
    return Change(label, added=added, removed=removed) if added or removed else None


def version_changes(specs: list[FieldSpec], before: Mapping | None, after: Mapping, *, thai: bool,
                    fk_names: Callable[[str, object], str] = lambda name, pk: str(pk),
                    yes: str = "yes", no: str = "no", skip_on_create: Iterable[str] = ()) -> list[Change]:
    """The changes from `before` to `after` (stored values by field name; a foreign key
    by its id). With no `before` (the first version) the initial values that matter:
    every filled field other than `skip_on_create`, a boolean only where it is not its
    default."""
    skip = set(skip_on_create)
    changes: list[Change] = []
    for spec in specs:
        new = after.get(spec.name)
        if before is None:
            if spec.name in skip or is_empty(new) or (spec.kind == "bool" and new == spec.default):
                continue
            old = None
        else:
            old = before.get(spec.name)
            if old == new or (is_empty(old) and is_empty(new)):
                continue
        if spec.kind == "measures":
            changes.extend(measure_changes(spec.label, old, new, thai=thai))
            continue

        def one(value, spec=spec):
            if spec.kind == "fk":
                return EMPTY if value is None else fk_names(spec.name, value)
            return shown(value, kind=spec.kind, thai=thai, choices=spec.choices, yes=yes, no=no)

        old_text, new_text = one(old), one(new)
        if old_text != new_text:
            changes.append(Change(spec.label, old_text, new_text, long=spec.kind == "long"))
    return changes
