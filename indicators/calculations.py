"""Achievement, status and rubric scores: pure, typed functions used by every page,
PDF and API response (no second implementation in a view or template)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from os.path import commonprefix

HUNDRED = Decimal(100)


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# -- result to date ------------------------------------------------------------------

@dataclass(frozen=True)
class Reported:
    """One period's reported result and how it was reported: cumulative (the total to
    date, as ProgressEntry.value_is_cumulative says) or for that period alone."""
    value: Decimal
    cumulative: bool = True


def combined_result(reports: Iterable[Reported | None]) -> Decimal | None:
    """The one rule that turns reports (in period order, None where nothing was
    reported) into a result: a cumulative report restates the total so far, so it
    replaces what came before; a per-period report adds its own period to it.
    None when nothing was reported (a real zero stays a zero)."""
    total: Decimal | None = None
    for report in reports:
        if report is None:
            continue
        total = report.value if report.cumulative else (total or Decimal(0)) + report.value
    return total


def result_to_date(values: Sequence[Decimal | None], cumulative: bool) -> Decimal | None:
    """The result so far from the values reported period by period (in order).

    A cumulative measure reports the total to date, so the latest reported value counts;
    a per-period measure reports each period alone, so the reported values add up.
    None when nothing has been reported (a real zero stays a zero)."""
    return combined_result(None if v is None else Reported(v, cumulative) for v in values)


def period_result(reports: Mapping[int, Reported], numbers: Iterable[int]) -> Decimal | None:
    """The result of a longer period (a quarter, the year) from the reports of the
    shorter periods it holds (`numbers`, e.g. fiscal months 1-3 for quarter 1; see
    kpiplan.lib.fiscal.periods_within).

    Cumulative values: the value at the last period reported within it (a quarter whose
    December is missing shows November's total). Per-period values: the sum of its
    periods' values. Reports outside `numbers` do not count; None when none of its
    periods was reported."""
    return combined_result(reports.get(n) for n in numbers)


def measures_total(values: Iterable[Decimal | None]) -> Decimal | None:
    """The total of a result reported by measure (OKR 1.4.07's km dredged and km cleared):
    None until every measure has a value, so a half-filled report is not a result."""
    total = Decimal(0)
    for value in values:
        if value is None:
            return None
        total += value
    return total


# -- whose target ------------------------------------------------------------------------

def district_target(*, city_target: Decimal | None, city_wide: bool, share: bool,
                    table_d_targets: Sequence[Decimal] = ()) -> Decimal | None:
    """The target a district is judged against for one indicator.

    - Table ง gives the district's own target for a city-wide key result (the project KPI
      target of each of its rows for that key result, e.g. 70 lamps of the city's 10,500;
      several rows add up, e.g. 13 schools of one each): that is the district's target.
    - An indicator of the district's own (its plan's, led by one of its divisions) is
      judged against its own target.
    - A city-wide key result given as a share (a percentage) applies to every district
      as it stands.
    - A city-wide count with no district figure has no target the district can be judged
      against: None (the city's target is shown beside, never used as the district's)."""
    if table_d_targets:
        return sum(table_d_targets, Decimal(0))
    if not city_wide or share:
        return city_target
    return None


_NUMBERING = re.compile(r"^[\s0-9\u0E50-\u0E59.)]+")


def measure_of(text: str, labels: Sequence[str], *, least: int = 4) -> str | None:
    """Which measure of a key result with several (OKR 1.4.07: ขุดลอกคลอง 150 km,
    เปิดทางน้ำไหล 1,500 km) a row of table ง counts toward, from the row's project text:
    the label it starts most like, once its printed numbering is dropped
    ("๓. ขุดลอกคลองครุสม" -> ขุดลอกคลอง, "๗. เปิดทางน้ำไหล คลอง (กม.)" -> เปิดทางน้ำไหล).
    None when no label shares at least `least` leading characters with it."""
    body = _NUMBERING.sub("", text or "")
    best, best_length = None, least - 1
    for label in labels:
        length = len(commonprefix([body, label.strip()]))
        if length > best_length:
            best, best_length = label, length
    return best


# -- achievement ------------------------------------------------------------------------

def achievement(result: Decimal | None, target: Decimal | None, *, lower_is_better: bool = False,
                baseline: Decimal | None = None) -> Decimal | None:
    """Achievement in % of the target (not capped, so over-achievement shows).

    Higher is better: result / target.
    Lower is better with a baseline (a count to reduce from the baseline to the target):
      share of the planned reduction achieved, (baseline - result) / (baseline - target).
    Lower is better without a baseline (a ceiling such as a disease rate that must stay
      under a limit): 100 % while the result is at or under the target, else target / result.
    None when there is no result or no usable target."""
    if result is None or target is None:
        return None
    if not lower_is_better:
        if target == 0:
            return None
        return _q(result / target * HUNDRED)
    if baseline is not None and baseline != target:
        return _q((baseline - result) / (baseline - target) * HUNDRED)
    if result <= target:
        return _q(HUNDRED)
    if result == 0:
        return None
    return _q(target / result * HUNDRED)


# -- status -----------------------------------------------------------------------------

class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_REPORTED = "not_reported"
    # Reported, but the plan gives no number to judge the result against (a target in
    # words, or none): neither on track nor missing.
    NO_TARGET = "no_target"


DEFAULT_TOLERANCE = Decimal(10)


def planned_pace(period_number: int, periods_in_year: int = 12) -> Decimal:
    """Share of the annual target planned by the end of a period, when the plan gives no
    schedule of its own: an even pace (month 3 of 12 -> 25 %)."""
    return _q(Decimal(period_number) / Decimal(periods_in_year) * HUNDRED)


def status(achievement_pct: Decimal | None, planned_pct: Decimal, tolerance: Decimal = DEFAULT_TOLERANCE, *,
           reported: bool | None = None) -> Status:
    """On track when achievement has reached the planned pace; at risk when it is behind
    by no more than `tolerance` percentage points; off track when further behind;
    not reported when there is no result; no target when there is a result (`reported`)
    but no achievement, because the plan has no number to measure it against."""
    if achievement_pct is None:
        return Status.NO_TARGET if reported else Status.NOT_REPORTED
    if achievement_pct >= planned_pct:
        return Status.ON_TRACK
    if achievement_pct >= planned_pct - tolerance:
        return Status.AT_RISK
    return Status.OFF_TRACK


def expected_value(target: Decimal | None, planned_pct: Decimal) -> Decimal | None:
    """The result the planned pace expects by a period's end (what status() compares the
    achievement with, as a value in the indicator's unit): the target times the planned
    share; for a ceiling (planned 100 %) the target itself. None without a target."""
    if target is None:
        return None
    return _q(target * planned_pct / HUNDRED)


# A group's statuses from good to bad. A missing report ranks below any reported result
# short of off track: a group with an unreported item cannot read as on track or at risk.
# An item with no measurable target says nothing about its group's pace.
GROUP_SEVERITY = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.NOT_REPORTED: 2, Status.OFF_TRACK: 3}


def roll_up(statuses: Iterable[Status], *, overdue: bool = False) -> Status:
    """The status of an objective, development area or the plan from its due items (the
    rule the status page states in words):

    - an item off track makes the group off track;
    - so does a missing report once the period's deadline has passed (`overdue`): a
      report that should be in and is not is a problem, not a gap to look past;
    - a missing report before the deadline makes the group "not reported" (incomplete),
      never on track or at risk;
    - otherwise the worse of at risk and on track.
    Items reported without a measurable target do not count either way; a group of
    only those is "no target". A group with no items is not reported. Adding a missing
    item never improves a group."""
    worst, unmeasured = None, False
    for s in statuses:
        if s == Status.NO_TARGET:
            unmeasured = True
            continue
        if s == Status.NOT_REPORTED and overdue:
            s = Status.OFF_TRACK
        if worst is None or GROUP_SEVERITY[s] > GROUP_SEVERITY[worst]:
            worst = s
    return worst or (Status.NO_TARGET if unmeasured else Status.NOT_REPORTED)


# -- rubric engine ------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    kind: str  # "threshold" | "checklist"
    measure: str = ""
    operator: str = ""
    value: Decimal | None = None
    key: str = ""  # checklist: what must be confirmed
    text: str = ""  # as the rubric prints it


@dataclass(frozen=True)
class Level:
    level: int
    points: Decimal
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Score:
    level: int  # 0 = no level reached
    points: Decimal
    met: tuple[tuple[int, bool], ...] = ()  # (level, all conditions held) for explanation


_OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}


def condition_holds(condition: Condition, measures: Mapping[str, Decimal | None], confirmed: set[str]) -> bool:
    if condition.kind == "checklist":
        return condition.key in confirmed
    value = measures.get(condition.measure)
    if value is None or condition.value is None:
        return False
    return _OPS[condition.operator](value, condition.value)


def score(levels: Sequence[Level], measures: Mapping[str, Decimal | None], confirmed: set[str] = frozenset()) -> Score:
    """The highest level whose every condition holds, and that level's points.

    A level with no conditions never counts as reached by itself (the document always
    states what a level needs)."""
    met = []
    best: Level | None = None
    for level in sorted(levels, key=lambda lv: lv.level):
        ok = bool(level.conditions) and all(condition_holds(c, measures, confirmed) for c in level.conditions)
        met.append((level.level, ok))
        if ok and (best is None or level.level > best.level):
            best = level
    if best is None:
        return Score(0, Decimal(0), tuple(met))
    return Score(best.level, best.points, tuple(met))


def weighted_total(scores: Iterable[Score]) -> Decimal:
    """Points of a performance agreement: each level's points already carry the weight
    (weight 10 -> 2/4/6/8/10; weight 20 -> 4/8/12/16/20), so they add up."""
    return sum((s.points for s in scores), Decimal(0))


@dataclass(frozen=True)
class LevelExplanation:
    level: int
    points: Decimal
    reached: bool  # every condition holds
    conditions: tuple[tuple[Condition, bool], ...]


def explain(levels: Sequence[Level], measures: Mapping[str, Decimal | None], confirmed: set[str] = frozenset()) -> list[LevelExplanation]:
    """Each level from the top with which of its conditions hold, so a planner can say
    why a score is what it is."""
    result = []
    for level in sorted(levels, key=lambda lv: -lv.level):
        held = tuple((c, condition_holds(c, measures, confirmed)) for c in level.conditions)
        result.append(LevelExplanation(level.level, level.points, bool(held) and all(h for _, h in held), held))
    return result
