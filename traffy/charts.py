"""The Traffy page's two drawings, server-side SVG like the dashboard's charts
(kpiplan.lib.charts): the months' received, resolved and open tickets, and a map of open
tickets over each sub-district's outline. No tile service is reachable, so the map is the
points themselves on a plain ground."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from kpiplan.lib.charts import ACTUAL_COLOUR, PLANNED_COLOUR, _digits, _svg_titled

RECEIVED_COLOUR = PLANNED_COLOUR
RESOLVED_COLOUR = "#2b8a3e"
OPEN_COLOUR = ACTUAL_COLOUR
OUTLINE_COLOURS = ("#e7f0fa", "#eef6ee", "#fff4e6", "#f3f0ff", "#fff0f6", "#e6fcf5", "#f8f9fa", "#fff9db")


def monthly_svg(months: Sequence[tuple[str, int, int, int]], *, label: str, width: int = 480, height: int = 240) -> str:
    """Per (month label, received, resolved in the month, open at its end): two columns side
    by side with their counts above, and the open tickets as a line across the months."""
    left, right, top, bottom = 8, 8, 20, 22
    plot_h = height - top - bottom
    n = max(len(months), 1)
    slot = (width - left - right) / n
    bar_w = min(slot * 0.36, 22)
    largest = max((max(r, s, o) for _l, r, s, o in months), default=0) or 1

    def y(value: int) -> float:
        return top + plot_h * (1 - value / largest)

    parts = [_svg_titled(width, height, "traffy-months", label, font_size=11)]
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#888"/>')
    open_points = []
    for i, (name, received, resolved, open_) in enumerate(months):
        cx = left + slot * i + slot / 2
        for x, value, colour, css in ((cx - bar_w - 1, received, RECEIVED_COLOUR, "received"),
                                      (cx + 1, resolved, RESOLVED_COLOUR, "resolved")):
            parts.append(f'<rect class="{css}" x="{x:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                         f'height="{top + plot_h - y(value):.1f}" fill="{colour}"/>')
            if value:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y(value) - 3:.1f}" text-anchor="middle" '
                             f'font-size="9">{_digits(value)}</text>')
        open_points.append(f"{cx:.1f},{y(open_):.1f}")
        parts.append(f'<circle class="open" cx="{cx:.1f}" cy="{y(open_):.1f}" r="3" fill="{OPEN_COLOUR}"/>')
        parts.append(f'<text x="{cx:.1f}" y="{height - 6}" text-anchor="middle">{escape(name)}</text>')
    if len(open_points) > 1:
        parts.append(f'<polyline class="open" points="{" ".join(open_points)}" fill="none" stroke="{OPEN_COLOUR}" '
                     'stroke-width="1.5" stroke-dasharray="5,3"/>')
    parts.append("</svg>")
    return "".join(parts)


def map_svg(points: Sequence[tuple[float, float, str]], outlines: dict[str, list[tuple[float, float]]], *,
            label: str, width: int = 640, height: int = 480) -> str:
    """Open tickets (lon, lat, sub-district) as dots over each sub-district's outline
    (a polygon of (lon, lat)), north up, one scale for both axes (degrees of longitude
    shortened by the latitude's cosine, near enough for a district)."""
    import math

    every = [(x, y) for x, y, _s in points] + [p for poly in outlines.values() for p in poly]
    parts = [_svg_titled(width, height, "traffy-map", label, font_size=11)]
    parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfcfd" stroke="#dde3ea"/>')
    if not every:
        parts.append("</svg>")
        return "".join(parts)
    min_x, max_x = min(p[0] for p in every), max(p[0] for p in every)
    min_y, max_y = min(p[1] for p in every), max(p[1] for p in every)
    shrink = math.cos(math.radians((min_y + max_y) / 2))
    span_x, span_y = max((max_x - min_x) * shrink, 1e-4), max(max_y - min_y, 1e-4)
    pad = 16
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2

    def px(lon: float, lat: float) -> tuple[float, float]:
        return off_x + (lon - min_x) * shrink * scale, height - off_y - (lat - min_y) * scale

    for i, (name, poly) in enumerate(sorted(outlines.items())):
        if len(poly) < 3:
            continue
        xy = [px(*p) for p in poly]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polygon class="outline" points="{pts}" fill="{OUTLINE_COLOURS[i % len(OUTLINE_COLOURS)]}" '
                     f'stroke="#8a99a8" stroke-width="1"><title>{escape(name)}</title></polygon>')
    for lon, lat, _sub in points:
        x, y = px(lon, lat)
        parts.append(f'<circle class="ticket" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{OPEN_COLOUR}" fill-opacity=".75"/>')
    for name, poly in sorted(outlines.items()):
        if len(poly) < 3 or not name:
            continue
        xy = [px(*p) for p in poly]
        cx, cy = sum(x for x, _ in xy) / len(xy), sum(y for _, y in xy) / len(xy)
        parts.append(f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" fill="#1f2a35" stroke="#fff" stroke-width="3" '
                     f'paint-order="stroke" font-weight="bold">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
