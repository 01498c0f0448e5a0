"""What a plan check reports: one shape for a disagreement the document prints (plandoc)
and for a data-quality problem in reported progress (progress), so the planner's page
lists, groups and filters both the same way. Lives here, the lowest domain app, because
both apps that produce findings depend on plans."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Disagreements of the document with itself, in the order the page shows them.
DOCUMENT_CATEGORIES = {
    "total": _("Totals"),
    "count": _("Counts"),
    "amount": _("Amounts"),
    "code": _("Codes"),
    "target": _("Targets"),
    "unit": _("Units"),
    "name": _("Names"),
    "schedule": _("Schedules"),
    "formula": _("Formulas and scoring"),
    "date": _("Dates"),
    "reference": _("References"),
}

# Problems in reported progress.
PROGRESS_CATEGORIES = {
    "implausible": _("Implausible values"),
    "decreasing": _("Cumulative values that go down"),
    "over-budget": _("Disbursement above budget"),
    "completion": _("Percent complete above 100 or going down"),
    "evidence": _("Evidence missing"),
}

CATEGORIES = {**DOCUMENT_CATEGORIES, **PROGRESS_CATEGORIES}

ERROR = "error"  # a number that changes a total, a target, a score or a payment
WARNING = "warning"  # the same thing written two ways; nothing computed changes
SEVERITIES = {ERROR: _("Error"), WARNING: _("Warning")}


@dataclass(frozen=True)
class Place:
    """One place the document (or a report) prints a value: "ส่วนที่ ๒, row 7.1" → "๓๒,๙๐๐"."""

    where: str
    value: str


@dataclass(frozen=True)
class Link:
    """A record the finding involves, for the page to link to."""

    label: str
    url: str


@dataclass(frozen=True)
class Finding:
    category: str  # a key of CATEGORIES
    severity: str  # ERROR or WARNING
    subject: str  # the record the finding is about, as the planner knows it
    message: str  # one sentence, in the active language
    places: tuple[Place, ...] = ()
    links: tuple[Link, ...] = ()
    recorded: bool = field(default=False)  # True: a disagreement stored with the plan, not computed

    def __post_init__(self):
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown finding category {self.category!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown finding severity {self.severity!r}")

    @property
    def category_label(self) -> str:
        return str(CATEGORIES[self.category])

    def __str__(self) -> str:
        values = "; ".join(f"{p.where}: {p.value}" for p in self.places)
        return f"[{self.category}] {self.subject}: {self.message}" + (f" ({values})" if values else "")
