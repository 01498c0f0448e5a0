"""The executive dashboard: the executive summary (reports.builders.executive_summary, the
same numbers as the summary PDF) on one screen, with the divisions' own words beside what
is behind or missing, and a link down from every figure. A quarter or the year is judged
at its end, as the status page judges it."""

from __future__ import annotations

from dataclasses import dataclass

from progress.models import ProgressEntry
from progress.status import is_overdue

from .builders import STATUS_ORDER, AttentionLine, executive_summary


@dataclass
class AttentionRow:
    line: AttentionLine
    entry: ProgressEntry | None  # the latest submitted-or-later report up to the period's end

    @property
    def status(self):
        return self.line.status


def _latest_reports(indicators, month) -> dict[int, ProgressEntry]:
    """Each indicator's latest submitted-or-later report of the year up to `month`'s end,
    at the indicator's own reporting frequency. One query."""
    latest: dict[int, ProgressEntry] = {}
    entries = (ProgressEntry.objects.filter(indicator__in=indicators, period__fiscal_year_id=month.fiscal_year_id,
                                            period__end__lte=month.end).official()
               .select_related("period", "indicator").order_by("period__end", "period__kind"))
    for entry in entries:
        if entry.period.kind == entry.indicator.reporting_frequency:
            latest[entry.indicator_id] = entry
    return latest


def executive_dashboard(plan, period) -> dict:
    """Everything the dashboard shows for `plan` at the end of `period` (a month, quarter
    or the year). The queries do not grow with the data."""
    summary = executive_summary(plan, period.last_month, list_limit=10_000)
    month = summary["month"]
    lines = summary["attention"]
    latest = _latest_reports([line.status.indicator for line in lines], month)
    counts = summary["status_counts"]
    total = summary["indicator_count"]
    reported = total - counts.get("not_reported", 0)
    return {
        **summary,
        "period": period,
        "reported_count": reported,
        "reported_percent": round(reported * 100 / total) if total else 0,
        "overdue": is_overdue(plan, month),
        "attention_rows": [AttentionRow(line, latest.get(line.status.indicator.pk)) for line in lines],
        "legend": [(key, summary["swatches"][key]) for key in STATUS_ORDER],
    }
