"""Server-side SVG charts: the same markup works in a page and in a WeasyPrint PDF."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import get_language

from kpiplan.lib.thai import format_number_in, localize_digits

# The PDF's own font family first (reports.pdf.FONT_FAMILY, defined there by @font-face);
# a browser, which does not know it, takes the next.
CHART_FONTS = "kpiplan-report, Sarabun, Laksaman, sans-serif"
PLANNED_COLOUR = "#17365d"
ACTUAL_COLOUR = "#d9480f"


def _digits(value) -> str:
    """Counts and axis labels in the digits of the active language (Thai in a PDF)."""
    return localize_digits(value, get_language())


def _number(value, places: int | None = None) -> str:
    return format_number_in(value, get_language(), places=places)


S_CURVE_LEFT, S_CURVE_RIGHT = 44, 16  # px: room for the % axis on the left, the last point on the right


def s_curve_month_x(month_index: int, months: int, width: int) -> float:
    """Where month `month_index` (0-based) of `months` is drawn across an S-curve `width`
    px wide: a PDF sets the month names in HTML at these points."""
    plot_w = width - S_CURVE_LEFT - S_CURVE_RIGHT
    return S_CURVE_LEFT + plot_w * (month_index + 0.5) / max(months, 1)


def s_curve_svg(planned: Sequence[Decimal], actual: Sequence[Decimal | None], labels: Sequence[str], *,
                width: int = 640, height: int = 280, title: str = "", planned_label: str = "", actual_label: str = "",
                text_below: bool = True, font_size: float = 11) -> str:
    """Planned (solid) and actual (dashed, gaps where not reported) cumulative % by month.
    text_below=False leaves out the month labels and the legend (a PDF sets them in HTML).
    No planned points: no planned line (a project without work steps has no plan to draw)."""
    left, right, top, bottom = S_CURVE_LEFT, S_CURVE_RIGHT, 28 if title else 12, 40 if text_below else 8
    plot_h = height - top - bottom
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return s_curve_month_x(i, n, width)

    def y(value: Decimal) -> float:
        return top + plot_h * (1 - float(min(max(value, Decimal(0)), Decimal(100))) / 100)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'{_named(title)} class="s-curve" font-family="{CHART_FONTS}" font-size="{font_size:g}">']
    if title:
        parts.append(f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>')
    for pct in (0, 25, 50, 75, 100):
        yy = y(Decimal(pct))
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#dde3ea"/>')
        parts.append(f'<text x="{left - 6}" y="{yy + font_size * 4 / 11:.1f}" text-anchor="end">{_digits(pct)}%</text>')
    for i, label in enumerate(labels if text_below else []):
        parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">{escape(label)}</text>')
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(planned))
    if points:
        parts.append(f'<polyline class="planned" points="{points}" fill="none" stroke="{PLANNED_COLOUR}" stroke-width="2"/>')
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, v in enumerate(actual):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y(v):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline class="actual" points="{" ".join(seg)}" fill="none" stroke="{ACTUAL_COLOUR}" '
                     'stroke-width="2" stroke-dasharray="5,3"/>')
        for pt in seg:
            cx, cy = pt.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{ACTUAL_COLOUR}"/>')
    ly = height - 8
    if not text_below:
        return "".join([*parts, "</svg>"])
    parts.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 24}" y2="{ly - 4}" stroke="{PLANNED_COLOUR}" stroke-width="2"/>'
                 f'<text x="{left + 30}" y="{ly}">{escape(planned_label)}</text>')
    parts.append(f'<line x1="{left + 160}" y1="{ly - 4}" x2="{left + 184}" y2="{ly - 4}" stroke="{ACTUAL_COLOUR}" '
                 f'stroke-width="2" stroke-dasharray="5,3"/><text x="{left + 190}" y="{ly}">{escape(actual_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)



# WeasyPrint (70) draws SVG text code point by code point (Kozea/WeasyPrint#2249), which
# breaks Thai vowel and tone marks into dotted circles. So the PDF charts keep words in
# HTML beside them and draw only shapes and digits (each a code point of its own).
STATUS_COLOURS = {"on_track": "#2f9e44", "at_risk": "#f08c00", "off_track": "#e03131", "not_reported": "#adb5bd",
                 "no_target": "#74a9cf"}
ALLOCATED_COLOUR = "#d0dbe8"
DISBURSED_COLOUR = "#17365d"


def _named(label: str) -> str:
    """A chart with a name is an image to a screen reader; one without is drawn beside
    words that say the same (a bar's counts, a project's name in its link): hidden, not
    announced as an image without a name (axe: svg-img-alt)."""
    return f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true"'


def _svg_open(width: int, height: int, css_class: str, label: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'{_named(label)} class="{css_class}" font-family="{CHART_FONTS}" font-size="11">')


def stacked_bar_svg(segments: Sequence[tuple[str, int]], largest: int, *, width: int = 420, height: int = 16) -> str:
    """One row of a horizontal stacked bar chart: a segment per (status, count) in the
    given order, scaled so that `largest` fills the width less room for the total, which
    is written after the bar in the language's digits (and each count inside a wide enough segment)."""
    right = 24
    plot_w = width - right
    parts = [_svg_open(width, height, "stacked-bar")]
    x, total = 0.0, 0
    for key, n in segments:
        if n <= 0:
            continue
        w = plot_w * n / max(largest, 1)
        colour = STATUS_COLOURS.get(key, "#888")
        parts.append(f'<rect class="{escape(key)}" x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colour}"/>')
        if w >= 12:
            ink = "#222" if key == "not_reported" else "#fff"
            parts.append(f'<text x="{x + w / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="{ink}">{_digits(n)}</text>')
        x += w
        total += n
    parts.append(f'<text x="{x + 4:.1f}" y="{height - 4}" font-weight="bold">{_digits(total)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def budget_bar_svg(allocated: Decimal, disbursed: Decimal, percent: Decimal | None, largest: Decimal, *,
                   width: int = 420, height: int = 16) -> str:
    """One row of a budget chart: the allocation (light) with the disbursement drawn over it
    (dark), scaled so that `largest` fills the width less room for the disbursed %."""
    right = 70
    plot_w = width - right

    def w(value: Decimal) -> float:
        return plot_w * float(max(value, Decimal(0)) / largest) if largest > 0 else 0.0

    text = "-" if percent is None else f"{_number(percent)}%"
    return "".join([
        _svg_open(width, height, "budget-bar"),
        f'<rect class="allocated" x="0" y="0" width="{w(allocated):.1f}" height="{height}" fill="{ALLOCATED_COLOUR}"/>',
        f'<rect class="disbursed" x="0" y="3" width="{w(disbursed):.1f}" height="{height - 6}" fill="{DISBURSED_COLOUR}"/>',
        f'<text x="{max(w(allocated), w(disbursed)) + 4:.1f}" y="{height - 4}">{text}</text>',
        "</svg>",
    ])


def swatch_svg(colour: str, *, size: int = 10, dashed: bool = False, line: bool = False) -> str:
    """A legend key: a filled square, or a (dashed) line sample for curves."""
    if line:
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 {size}" width="24" height="{size}" class="swatch">'
                f'<line x1="0" y1="{size / 2}" x2="24" y2="{size / 2}" stroke="{colour}" stroke-width="2"{dash}/></svg>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" class="swatch">'
            f'<rect width="{size}" height="{size}" fill="{colour}"/></svg>')


def _svg_titled(width: int, height: int, css_class: str, label: str, font_size: int = 13) -> str:
    """An SVG that scales to its container (viewBox), named for screen readers by its
    <title> and aria-label."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{escape(label)}" class="{css_class}" font-family="{CHART_FONTS}" font-size="{font_size}">'
            f'<title>{escape(label)}</title>')


def status_columns_svg(columns: Sequence[tuple[str, Sequence[tuple[str, int]]]], *, width: int = 480, height: int = 240,
                       label: str = "") -> str:
    """A vertical stacked column per (label, [(status, count), ...]) — a month's indicator
    statuses — in the given order from the bottom, all on one scale: each count written
    in its segment when it is tall enough, the column's total above it, the label below.
    Digits are Thai."""
    left, right, top, bottom = 4, 4, 18, 22
    plot_h = height - top - bottom
    n = max(len(columns), 1)
    slot = (width - left - right) / n
    bar_w = min(slot * 0.8, 56)
    largest = max((sum(c for _k, c in segs) for _l, segs in columns), default=0) or 1
    parts = [_svg_titled(width, height, "status-columns", label)]
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#888"/>')
    for i, (name, segments) in enumerate(columns):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        total = 0
        for key, count in segments:
            if count <= 0:
                continue
            h = plot_h * count / largest
            y -= h
            parts.append(f'<rect class="{escape(key)}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{STATUS_COLOURS.get(key, "#888")}"/>')
            if h >= 15:
                ink = "#222" if key == "not_reported" else "#fff"
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y + h / 2 + 5:.1f}" text-anchor="middle" fill="{ink}">'
                             f'{_digits(count)}</text>')
            total += count
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-weight="bold">'
                     f'{_digits(total)}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def disbursement_columns_svg(months: Sequence[tuple[str, Decimal | None, Decimal | None]], *, width: int = 480,
                             height: int = 240, label: str = "") -> str:
    """Cumulative budget disbursement by month on a 0-100 % scale: per (label, disbursed %,
    planned %) a column of the disbursed share with its % above it, and the planned share
    as a line joining the months (a planned point is a short bar across its column)."""
    left, right, top, bottom = 40, 4, 20, 22
    plot_h = height - top - bottom
    n = max(len(months), 1)
    slot = (width - left - right) / n
    bar_w = min(slot * 0.7, 48)

    def y(value: Decimal | None) -> float:
        return top + plot_h * (1 - float(min(max(value or Decimal(0), Decimal(0)), Decimal(100))) / 100)

    parts = [_svg_titled(width, height, "disbursement-columns", label)]
    for pct in (0, 50, 100):
        parts.append(f'<line x1="{left}" y1="{y(Decimal(pct)):.1f}" x2="{width - right}" y2="{y(Decimal(pct)):.1f}" stroke="#dde3ea"/>'
                     f'<text x="{left - 4}" y="{y(Decimal(pct)) + 4:.1f}" text-anchor="end">{_digits(pct)}%</text>')
    planned_points = []
    for i, (name, disbursed, planned) in enumerate(months):
        cx = left + slot * i + slot / 2
        x = cx - bar_w / 2
        if disbursed is not None:
            parts.append(f'<rect class="disbursed" x="{x:.1f}" y="{y(disbursed):.1f}" width="{bar_w:.1f}" '
                         f'height="{top + plot_h - y(disbursed):.1f}" fill="{DISBURSED_COLOUR}"/>')
        text = "-" if disbursed is None else f"{_number(disbursed, places=0)}%"
        above = y(disbursed)
        if planned is not None and 0 <= above - y(planned) < 16:  # clear of the planned mark just above the column
            above = y(planned)
        parts.append(f'<text x="{cx:.1f}" y="{above - 5:.1f}" text-anchor="middle" font-weight="bold">{text}</text>')
        parts.append(f'<text x="{cx:.1f}" y="{height - 6}" text-anchor="middle">{escape(name)}</text>')
        if planned is not None:
            planned_points.append(f"{cx:.1f},{y(planned):.1f}")
            parts.append(f'<line class="planned" x1="{x - 3:.1f}" y1="{y(planned):.1f}" x2="{x + bar_w + 3:.1f}" '
                         f'y2="{y(planned):.1f}" stroke="{ACTUAL_COLOUR}" stroke-width="3"/>')
    if len(planned_points) > 1:
        parts.append(f'<polyline class="planned" points="{" ".join(planned_points)}" fill="none" stroke="{ACTUAL_COLOUR}" '
                     'stroke-width="1.5" stroke-dasharray="5,3"/>')
    parts.append("</svg>")
    return "".join(parts)


def pace_chart_svg(expected: Sequence[Decimal | None], actual: Sequence[Decimal | None], labels: Sequence[str], *,
                   title: str, expected_label: str = "", actual_label: str = "", target: Decimal | None = None, target_label: str = "",
                   width: int = 640, height: int = 260, font_size: float = 11) -> str:
    """An indicator's results (dashed, a point with its number per reported period, gaps
    where none) against the value the planned pace expects by each period's end (solid),
    on a value axis from 0 to the largest of them and the target. Numbers in the language's digits."""
    left, right, top, bottom = 12, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    numbers = [v for v in (*expected, *actual, target) if v is not None]
    top_value = max([*numbers, Decimal(0)])
    scale = float(top_value) if top_value > 0 else 1.0

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / n

    def y(value: Decimal) -> float:
        return top + plot_h * (1 - max(float(value), 0.0) / scale)

    parts = [_svg_open(width, height, "pace-chart", title).replace(' font-size="11"', f' font-size="{font_size:g}"'),
             f"<title>{escape(title)}</title>",
             f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{y(Decimal(0)):.1f}" x2="{width - right}" y2="{y(Decimal(0)):.1f}" stroke="#adb5bd"/>']
    if target is not None:
        yy = y(target)
        parts.append(f'<line class="target" x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#adb5bd" '
                     'stroke-dasharray="2,2"/>'
                     f'<text class="target" x="{width - right}" y="{yy - 4:.1f}" text-anchor="end" fill="#4a5560">'
                     f"{escape(target_label)} {_number(target)}</text>")
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">{escape(label)}</text>')
    planned = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(expected) if v is not None]
    if planned:
        parts.append(f'<polyline class="planned" points="{" ".join(planned)}" fill="none" stroke="{PLANNED_COLOUR}" stroke-width="2"/>')
    segments: list[list[tuple[int, Decimal]]] = [[]]
    for i, v in enumerate(actual):
        if v is None:
            segments.append([])
        else:
            segments[-1].append((i, v))
    last = max((i for i, v in enumerate(actual) if v is not None), default=-1)
    for seg in (s for s in segments if s):
        if len(seg) > 1:
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in seg)
            parts.append(f'<polyline class="actual" points="{points}" fill="none" stroke="{ACTUAL_COLOUR}" '
                         'stroke-width="2" stroke-dasharray="5,3"/>')
        for i, v in seg:
            cy = y(v)
            parts.append(f'<circle class="result" cx="{x(i):.1f}" cy="{cy:.1f}" r="3" fill="{ACTUAL_COLOUR}"/>')
            # A number beside each point where the result moved, and at the latest one: the
            # same figure repeated month after month would crowd the line.
            if i == last or i == 0 or actual[i - 1] != v:
                ty = cy - 6 if cy - 6 > top else cy + font_size + 4
                parts.append(f'<text class="value" x="{x(i):.1f}" y="{ty:.1f}" text-anchor="middle" fill="{ACTUAL_COLOUR}">'
                             f"{_number(v)}</text>")
    ly = height - 8
    parts.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 24}" y2="{ly - 4}" stroke="{PLANNED_COLOUR}" stroke-width="2"/>'
                 f'<text x="{left + 30}" y="{ly}">{escape(expected_label)}</text>')
    parts.append(f'<line x1="{left + 220}" y1="{ly - 4}" x2="{left + 244}" y2="{ly - 4}" stroke="{ACTUAL_COLOUR}" '
                 f'stroke-width="2" stroke-dasharray="5,3"/><text x="{left + 250}" y="{ly}">{escape(actual_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
