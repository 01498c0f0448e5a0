"""Work-step schedules (the S-curve) and budget execution: pure, typed functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
MONTHS = 12


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Step:
    weight: Decimal
    months: tuple[int, ...]  # fiscal months 1 = Oct ... 12 = Sep


def weights_problem(weights: Iterable[Decimal | None]) -> str | None:
    """Why a set of step weights cannot make a schedule, or None when it can."""
    weights = list(weights)
    if not weights:
        return None
    if any(w is None for w in weights):
        return "missing"
    total = sum(weights, Decimal(0))
    if total != HUNDRED:
        return f"total {total.normalize():f}"
    return None


def planned_cumulative(steps: Sequence[Step]) -> list[Decimal]:
    """Planned cumulative % at the end of each fiscal month: each step's weight is spread
    evenly over its planned months; a step without months counts in the last month.
    Non-decreasing; ends at the total weight (100 when the weights are complete)."""
    per_month = [Decimal(0)] * MONTHS
    for step in steps:
        months = sorted({m for m in step.months if 1 <= m <= MONTHS}) or [MONTHS]
        share = step.weight / len(months)
        for m in months:
            per_month[m - 1] += share
    result, running = [], Decimal(0)
    for value in per_month:
        running += value
        result.append(_q(running))
    if steps:
        result[-1] = _q(sum((s.weight for s in steps), Decimal(0)))  # no rounding drift at the end
    return result


def actual_cumulative(done_weight_by_month: Sequence[Decimal | None]) -> list[Decimal | None]:
    """Actual cumulative % by month from the weight of steps reported done up to each month;
    None for months not reported yet (a gap, not a zero)."""
    result, best = [], Decimal(0)
    for value in done_weight_by_month:
        if value is None:
            result.append(None)
            continue
        best = max(best, value)  # a step once reported done stays done
        result.append(_q(best))
    return result


def reported_curve(percent_by_month: Sequence[Decimal | None]) -> list[Decimal | None]:
    """Actual % by month of a project without work steps: the percent complete each
    month's report gives, as reported (a correction downwards stays), None where none."""
    return [None if v is None else _q(min(max(v, Decimal(0)), HUNDRED)) for v in percent_by_month]


def slippage(planned: Sequence[Decimal], actual: Sequence[Decimal | None], tolerance: Decimal = Decimal(10)) -> list[int]:
    """Fiscal months in which the actual curve is behind the plan by more than `tolerance` points."""
    return [i + 1 for i, (p, a) in enumerate(zip(planned, actual, strict=False)) if a is not None and p - a > tolerance]


@dataclass(frozen=True)
class Execution:
    allocated: Decimal
    disbursed: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.allocated:
            return None
        return _q(self.disbursed / self.allocated * HUNDRED)


def execution(pairs: Iterable[tuple[Decimal | None, Decimal | None]]) -> Execution:
    """Allocated and disbursed over (budget, disbursed to date) pairs; a project without
    a budget allocates nothing."""
    allocated = disbursed = Decimal(0)
    for budget, spent in pairs:
        allocated += budget or Decimal(0)
        disbursed += spent or Decimal(0)
    return Execution(allocated, disbursed)


def planned_disbursement(budget: Decimal | None, planned_pct: Sequence[Decimal]) -> list[Decimal]:
    """Baht planned to be paid by the end of each month when payment follows the work
    plan: the budget times the S-curve's planned cumulative %. Nothing without a budget."""
    return [_q((budget or Decimal(0)) * pct / HUNDRED) for pct in planned_pct]


def disbursed_to_date(reported: Sequence[Decimal | None]) -> list[Decimal | None]:
    """Baht paid to date at each month's end from the disbursement each month's report
    gives (None where none): a month without a report carries the latest amount before
    it; months before the first report and after the last are None (not known yet)."""
    last_reported = max((i for i, v in enumerate(reported) if v is not None), default=-1)
    result: list[Decimal | None] = []
    latest: Decimal | None = None
    for i, value in enumerate(reported):
        if value is not None:
            latest = value
        result.append(latest if i <= last_reported else None)
    return result


def repeated_lines(lines: Iterable[tuple[int, int | None]]) -> dict[int, int]:
    """Budget lines that repeat another listed line: the plan may list the same project in
    two sections, each row with its own amount (`same_as`). A total counts the project
    once, on the row the repeat points to. (line, same_as) pairs in, {repeat: counted} out;
    a repeat of a line not listed, or of a line itself left out, is counted."""
    lines = list(lines)
    listed = {pk for pk, _ in lines}
    repeats: dict[int, int] = {}
    for pk, same_as in lines:
        if same_as is not None and same_as != pk and same_as in listed and same_as not in repeats:
            repeats[pk] = same_as
    return repeats
