"""Server-side SVG charts: the same markup works in a page and in a WeasyPrint PDF."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from kpiplan.lib.thai import to_thai_digits

PLANNED_COLOUR = "#17365d"
ACTUAL_COLOUR = "#d9480f"


def s_curve_svg(planned: Sequence[Decimal], actual: Sequence[Decimal | None], labels: Sequence[str], *,
                width: int = 640, height: int = 280, title: str = "", planned_label: str = "", actual_label: str = "") -> str:
    """Planned (solid) and actual (dashed, gaps where not reported) cumulative % by month."""
    left, right, top, bottom = 44, 16, 28 if title else 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / n

    def y(value: Decimal) -> float:
        return top + plot_h * (1 - float(min(max(value, Decimal(0)), Decimal(100))) / 100)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" class="s-curve" font-family="Sarabun, Laksaman, sans-serif" font-size="11">']
    if title:
        parts.append(f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>')
    for pct in (0, 25, 50, 75, 100):
        yy = y(Decimal(pct))
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#dde3ea"/>')
        parts.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{to_thai_digits(pct)}%</text>')
    for i, label in enumerate(labels):
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
    parts.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 24}" y2="{ly - 4}" stroke="{PLANNED_COLOUR}" stroke-width="2"/>'
                 f'<text x="{left + 30}" y="{ly}">{escape(planned_label)}</text>')
    parts.append(f'<line x1="{left + 160}" y1="{ly - 4}" x2="{left + 184}" y2="{ly - 4}" stroke="{ACTUAL_COLOUR}" '
                 f'stroke-width="2" stroke-dasharray="5,3"/><text x="{left + 190}" y="{ly}">{escape(actual_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
