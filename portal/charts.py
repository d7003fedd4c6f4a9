"""Server-side SVG charts: the five-capability radar and score trend lines (no JavaScript)."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape

from pages.formats import score


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | Decimal | None]
    css_class: str


def _point(cx: float, cy: float, radius: float, index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * max(0.0, min(100.0, value)) / 100
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def radar_svg(axes: list[str], series: list[Series], *, size: int = 320, title: str = "") -> str:
    """A radar chart of 0–100 scores, one polygon per series; missing values are drawn at 0."""
    cx = cy = size / 2
    radius = size / 2 - 56
    n = len(axes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="100%" '
        f'style="max-width:{size}px" role="img" aria-label="{escape(title)}" class="radar">',
        f"<title>{escape(title)}</title>",
    ]
    for ring in (25, 50, 75, 100):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(cx, cy, radius, i, n, ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#dde2ea"/>')
    for i, label in enumerate(axes):
        x, y = _point(cx, cy, radius, i, n, 100)
        lx, ly = _point(cx, cy, radius + 30, i, n, 100)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#dde2ea"/>')
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" dominant-baseline="middle" '
            f'font-size="13">{escape(label)}</text>'
        )
    styles = {"own": ("#c2410c", "0.25"), "median": ("#1d4ed8", "0.08")}
    for s in series:
        stroke, opacity = styles.get(s.css_class, ("#334155", "0.1"))
        values = [float(v) if v is not None else 0.0 for v in s.values]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(cx, cy, radius, i, n, v) for i, v in enumerate(values)))
        dash = ' stroke-dasharray="5 4"' if s.css_class == "median" else ""
        parts.append(
            f'<polygon class="series-{escape(s.css_class)}" points="{pts}" fill="{stroke}" fill-opacity="{opacity}" '
            f'stroke="{stroke}" stroke-width="2"{dash}><title>{escape(s.label)}</title></polygon>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(labels: list[str], series: list[Series], *, width: int = 560, height: int = 220, title: str = "") -> str:
    """Score lines (0–100) over cycles; a gap where a cycle has no score."""
    per_row = 3
    legend_rows = (len(series) + per_row - 1) // per_row
    height += 20 * legend_rows  # legend under the axis: colour swatch and label per series
    left, right, top, bottom = 36, 36, 12, 36 + 20 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)

    def x(i):
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v):
        return top + plot_h * (1 - float(v) / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img" aria-label="{escape(title)}" class="trend">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eef1f5"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>')
    step = 1 if n <= 6 else 2  # month labels must not run into each other
    for i, label in enumerate(labels):
        if (n - 1 - i) % step:
            continue
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" font-size="11" text-anchor="middle">{escape(label)}</text>'
        )
    palette = ["#c2410c", "#1d4ed8", "#15803d", "#7c3aed", "#b45309", "#0e7490"]
    for k, s in enumerate(series):
        color = palette[k % len(palette)]
        runs, run = [], []
        for i, v in enumerate(s.values):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(f"{x(i):.1f},{y(v):.1f}")
        if run:
            runs.append(run)
        width_px = 3 if k == 0 else 1.5
        for r in runs:
            parts.append(
                f'<polyline points="{" ".join(r)}" fill="none" stroke="{color}" stroke-width="{width_px}">'
                f"<title>{escape(s.label)}</title></polyline>"
            )
        # A dot per cycle with its value on hover; the first series (the overall score) also printed by the dot.
        for i, v in enumerate(s.values):
            if v is None:
                continue
            text = score(v, suffix=False)
            parts.append(
                f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" r="{3.5 if k == 0 else 2.5}" fill="{color}">'
                f"<title>{escape(s.label)} {escape(labels[i])}: {text}</title></circle>"
            )
            if k == 0:
                parts.append(
                    f'<text class="point-label" x="{x(i):.1f}" y="{y(v) - 8:.1f}" font-size="11" '
                    f'font-weight="700" text-anchor="middle" fill="{color}">{text}</text>'
                )
    column = (width - left) / per_row
    for k, s in enumerate(series):
        lx = left + column * (k % per_row)
        ly = top + plot_h + 36 + 20 * (k // per_row)
        color = palette[k % len(palette)]
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="{4 if k else 6}" fill="{color}"/>')
        parts.append(f'<text x="{lx + 18:.1f}" y="{ly - 3}" font-size="12">{escape(s.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
