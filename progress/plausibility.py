"""Whether a reported result can be true: the rules every write path applies (the entry
form through services.entry_save, the progress sheet import, any future API write).

Seen on the real plan before these rules: 1,250 km against a 123.598 km target accepted
and shown as 970.89 % "on track", 999,999 flood points against 112, -5 lamps. Two kinds
of problem:

- IMPOSSIBLE values cannot be true whatever the explanation (a negative count or
  amount, a share over 100 %): refused.
- UNLIKELY values may be true (a target set too low, a correction of an earlier month)
  but are far from what the plan suggests: kept only with a written explanation from the
  person who enters them, and flagged for the planner until verified.

check_value is pure: the caller gives the target the status pages judge against and the
result to date before this period; nothing here reads the database. describe() turns a
problem into the sentence shown to the user (gettext, numbers in Thai digits in Thai).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

IMPOSSIBLE: Literal["impossible"] = "impossible"
UNLIKELY: Literal["unlikely"] = "unlikely"

NEGATIVE = "negative"
SHARE_OVER_100 = "share_over_100"
OVER_TARGET = "over_target"
CUMULATIVE_DOWN = "cumulative_down"

HUNDRED = Decimal(100)

# Units of a share of a whole; the plan writes "ร้อยละ", staff type "%" too.
SHARE_UNITS = {"ร้อยละ", "%", "เปอร์เซ็นต์", "เปอร์เซนต์", "percent", "per cent"}


@dataclass(frozen=True)
class Problem:
    kind: Literal["impossible", "unlikely"]
    rule: str  # NEGATIVE | SHARE_OVER_100 | OVER_TARGET | CUMULATIVE_DOWN
    value: Decimal  # the typed value (OVER_TARGET: the result to date it makes)
    limit: Decimal | None = None  # 100, the target, or the earlier total
    multiple: Decimal | None = None  # OVER_TARGET: how many times the target is allowed
    cumulative: bool = True  # OVER_TARGET: the value is the total to date itself


def is_share(unit: str | None) -> bool:
    text = (unit or "").strip().casefold()
    return text in SHARE_UNITS or text.startswith("ร้อยละ")


def check_value(*, value: Decimal | None, unit: str | None, target: Decimal | None, previous: Decimal | None,
                cumulative: bool, multiple: Decimal) -> list[Problem]:
    """What is wrong with `value`, reported for one period.

    `previous` is the result to date before this period: the latest earlier total for a
    cumulative measure, the sum of the earlier periods for a per-period one (None when
    nothing was reported before). `target` is the year's target (None or 0: no scale to
    compare with). `multiple`: how many times the target a result to date may reach
    before it needs an explanation (settings.PROGRESS_PLAUSIBLE_MULTIPLE)."""
    if value is None:
        return []
    problems: list[Problem] = []
    if value < 0:
        problems.append(Problem(IMPOSSIBLE, NEGATIVE, value))
    if is_share(unit) and value > HUNDRED:
        problems.append(Problem(IMPOSSIBLE, SHARE_OVER_100, value, HUNDRED))
    if problems:
        return problems  # refused anyway: asking for an explanation as well would confuse
    to_date = value if cumulative else (previous or Decimal(0)) + value
    if target is not None and target > 0 and to_date > multiple * target:
        problems.append(Problem(UNLIKELY, OVER_TARGET, to_date, target, multiple, cumulative))
    if cumulative and previous is not None and value < previous:
        problems.append(Problem(UNLIKELY, CUMULATIVE_DOWN, value, previous))
    return problems


def impossible(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.kind == IMPOSSIBLE]


def unlikely(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.kind == UNLIKELY]


# -- the sentences ----------------------------------------------------------------------

def _number(value: Decimal) -> str:
    from django.utils.translation import get_language

    from kpiplan.lib.thai import format_number_in

    return format_number_in(value, get_language())


def format_amount(number: Decimal, unit: str | None) -> str:
    """A value with its unit as the user reads it, in the active language's digits."""
    unit = (unit or "").strip()
    if unit == "%":
        return f"{_number(number)}%"
    if unit.startswith("ร้อยละ"):
        return f"{unit} {_number(number)}"  # Thai writes "ร้อยละ ๘๐", not "๘๐ ร้อยละ"
    return f"{_number(number)} {unit}".strip()


def describe(problem: Problem, *, unit: str = "", field: str | None = None) -> str:
    """The sentence for the user, in the active language; `field` (the form's label)
    starts it when the message is not already shown under a named column."""
    from django.utils.translation import gettext as _

    def amount(number: Decimal) -> str:
        return format_amount(number, unit)

    numbers = {"value": amount(problem.value),
               "limit": amount(problem.limit) if problem.limit is not None else "",
               "multiple": _number(problem.multiple) if problem.multiple is not None else ""}
    if problem.rule == NEGATIVE:
        text = _("%(value)s is less than zero; a count or an amount cannot be negative. Enter the result "
                 "(0 or more).") % numbers
    elif problem.rule == SHARE_OVER_100:
        numbers["hundred"] = _number(HUNDRED)
        text = _("%(value)s is more than %(hundred)s; a share of a whole cannot be more than %(hundred)s.") % numbers
    elif problem.rule == OVER_TARGET:
        numbers["percent"] = _number((problem.value / problem.limit * HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP))
        if problem.cumulative:
            text = _("The result to date, %(value)s, is more than %(multiple)s times the year's target of "
                     "%(limit)s (%(percent)s%% of the target).") % numbers
        else:
            text = _("With the earlier periods the result to date is %(value)s, more than %(multiple)s times "
                     "the year's target of %(limit)s (%(percent)s%% of the target).") % numbers
    elif problem.rule == CUMULATIVE_DOWN:
        text = _("The result to date, %(value)s, is less than the %(limit)s reported for an earlier period; "
                 "a result to date does not normally go down.") % numbers
    else:  # pragma: no cover - every rule above
        raise ValueError(problem.rule)
    return f"{field}: {text}" if field else text


def reason(problems: list[Problem], *, unit: str = "") -> str:
    """Why the unlikely problems look wrong, as one text: stored with the report and
    shown to the planner next to the explanation."""
    return " ".join(describe(p, unit=unit) for p in unlikely(problems))
