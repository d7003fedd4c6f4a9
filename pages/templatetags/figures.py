"""Template filters for published figures: percentages, ratios (×), yuan and counts with thousands separators
(the same in both languages: ¥1,234,567.00), months."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register.filter
def percent(value, places: int = 1) -> str:
    """0.2885 → 28.9% (half up); no value → an en dash."""
    d = _decimal(value)
    if d is None:
        return "–"
    q = (d * 100).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{q:,}%"


@register.filter
def times(value) -> str:
    """A year-on-year ratio: 12.8×; no value (the earlier count was 0) → an en dash."""
    d = _decimal(value)
    if d is None:
        return "–"
    return f"{d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}×"


@register.filter
def yuan(value) -> str:
    d = _decimal(value)
    if d is None:
        return "–"
    return f"¥{d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def whole(value) -> str:
    return "–" if value is None else f"{int(value):,}"


@register.filter
def month_label(value) -> str:
    """2025-03-01 (date or ISO text) → 2025-03."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%Y-%m}" if value else _("no month")
