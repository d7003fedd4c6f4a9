"""Template filters of every page ({% load pages %}): a cycle's label in Shanghai calendar dates, the domain's
reasons and admission checks as sentences in the reader's language."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from admission import checks as admission_checks
from certification import reasons
from core.dates import SHANGHAI

register = template.Library()


@register.filter
def cycle_label(cycle) -> str:
    """'月度 2026-09-01 – 2026-09-30': the window's Shanghai dates, last day inclusive."""
    start = cycle.window_start.astimezone(SHANGHAI).date()
    last = (cycle.window_end.astimezone(SHANGHAI) - dt.timedelta(microseconds=1)).date()
    return f"{cycle.get_kind_display()} {start:%Y-%m-%d} – {last:%Y-%m-%d}"


@register.filter
def reasons_text(value) -> str:
    """Stored reasons ({code, params} each) as sentences in the reader's language, one after another."""
    return " ".join(reasons.sentences(value))


@register.filter
def reason_text(value) -> str:
    """One reason ({code, params}) as a sentence in the reader's language."""
    return reasons.sentence(value)


@register.filter
def decision_reason(decision) -> str:
    """A decision's reason as sentences in the reader's language (certification.reasons.decision_sentences)."""
    return " ".join(reasons.decision_sentences(decision))


@register.filter
def check_label(result) -> str:
    """A stored admission check's label in the active language."""
    return admission_checks.check_label(result)


@register.filter
def check_error(result) -> str:
    """Why a stored admission check failed, in the active language ("" when it recorded no error)."""
    return admission_checks.evidence_error_text(result.get("evidence") or {})


# --- figures of the playbook pages (plans, reviews, the operator record) ------------------------


@register.filter
def percent(value, places: int = 1) -> str:
    """A ratio as a percent with ``places`` decimals, rounded half-up (0.931 → "93.1%"); "—" for no value."""
    if value is None or value == "":
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    return f"{(Decimal(str(value)) * 100).quantize(quantum, rounding=ROUND_HALF_UP)}%"


@register.filter
def yuan(value) -> str:
    """Money as ¥ with thousands separators and 2 decimals; "—" for no value."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def item_title(item) -> str:
    """A playbook item's title in the reader's language (items are staff-written data in both languages)."""
    title_zh = item.get("title_zh") if isinstance(item, dict) else item.title_zh
    title = item.get("title") if isinstance(item, dict) else item.title
    return title_zh if (get_language() or "").startswith("zh") else title


CURVE_WIDTH, CURVE_HEIGHT = 600, 120


@register.filter
def curve_svg(curves: dict, key: str) -> str:
    """One minute curve of a review (``curves["series"][key]`` over ``curves["minutes"]``) as an inline SVG
    polyline scaled to its own maximum, with the review's events as ticks; "" when the series is absent."""
    minutes = (curves or {}).get("minutes") or []
    values = ((curves or {}).get("series") or {}).get(key) or []
    points = [(k, float(v)) for k, v in zip(minutes, values, strict=False) if v is not None]
    if len(points) < 2:
        return ""
    last = max(k for k, _ in points) or 1
    top = max(v for _, v in points) or 1.0

    def x(k) -> float:
        return CURVE_WIDTH * k / last

    line = " ".join(f"{x(k):.1f},{CURVE_HEIGHT - CURVE_HEIGHT * v / top:.1f}" for k, v in points)
    ticks = "".join(
        f'<line class="event" x1="{x(e["minute"]):.1f}" x2="{x(e["minute"]):.1f}" y1="0" y2="{CURVE_HEIGHT}" '
        f'stroke="#c2410c" stroke-dasharray="2 3"><title>{escape(str(e.get("kind", "")))} '
        f"{escape(str(e.get('label', '')))}</title></line>"
        for e in curves.get("events") or []
        if isinstance(e.get("minute"), int)
    )
    return mark_safe(  # noqa: S308 - numbers formatted here and escaped labels only
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CURVE_WIDTH} {CURVE_HEIGHT}" width="100%" '
        f'preserveAspectRatio="none" class="curve" data-series="{escape(key)}" role="img" aria-label="{escape(key)}">'
        f'{ticks}<polyline fill="none" stroke="#1d4ed8" stroke-width="1.5" points="{line}"/></svg>'
    )
