"""Server-side SVG bar charts for the ecosystem report (no JavaScript)."""

from decimal import Decimal

from django.utils.html import escape


def bars_svg(
    labels: list[str],
    values: list[Decimal | int],
    *,
    width: int = 560,
    height: int = 200,
    title: str = "",
    value_label=str,
) -> str:
    """One bar per label (months), scaled to the largest value; each bar carries its value as a tooltip."""
    top = max([float(v) for v in values] + [0.0]) or 1.0
    n = max(1, len(values))
    left, bottom, plot_h = 8, 28, height - 44
    slot = (width - 2 * left) / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" class="bars"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="#94a3b8"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * float(value) / top
        x = left + i * slot + slot * 0.15
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="#1d4ed8">'
            f"<title>{escape(label)}: {escape(value_label(value))}</title></rect>"
        )
        if n <= 13 or i % 2 == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'font-size="11">{escape(label[2:] if len(label) == 7 else label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
