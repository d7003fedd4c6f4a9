"""Figures for people, formatted in one place for every page and every CSV export: rates as percentages, money
with ¥ and separators (万 in Chinese where large), whole counts, scores to one decimal "/100", Shanghai dates.

The domain returns exact Decimals; these functions only round for display (half up) and never print an
exponent (``5E+1``, ``0E-10``). ``None`` (no value) is shown as a dash.
"""

import datetime as dt
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation

from core.dates import SHANGHAI

DASH = "—"
# From this amount on, Chinese pages show money in 万 (ten thousand yuan): ¥1,023.06万.
WAN_FROM = Decimal("1000000")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _fixed(value: Decimal, places: int, *, grouping: bool = True, rounding=ROUND_HALF_UP) -> str:
    q = value.quantize(Decimal(1).scaleb(-places), rounding=rounding)
    if q == 0:
        q = abs(q)  # never "-0.0"
    return f"{q:,.{places}f}" if grouping else f"{q:.{places}f}"


def number(value, places: int = 2) -> str:
    """A plain number with thousands separators: ``2.3602`` → ``2.36``."""
    d = _decimal(value)
    return DASH if d is None else _fixed(d, places)


def percent(value, places: int = 1) -> str:
    """A fraction as a percentage: ``0.1429`` → ``14.3%``; an uplift of ``1.8631`` → ``186.3%``."""
    d = _decimal(value)
    return DASH if d is None else f"{_fixed(d * 100, places)}%"


def count(value) -> str:
    """A count as a whole number with separators (``2.0000`` → ``2``); a median of counts may end in ``.5``."""
    d = _decimal(value)
    if d is None:
        return DASH
    if d == d.to_integral_value():
        return _fixed(d, 0)
    return _fixed(d, 1)


def score(value, *, suffix: bool = True) -> str:
    """A 0–100 score to one decimal, rounded down as the reasons do (a 59.95 under a bar of 60 never reads 60.0):
    ``45.2500`` → ``45.2/100`` (``45.2`` in a column whose heading says /100)."""
    d = _decimal(value)
    if d is None:
        return DASH
    text = _fixed(d, 1, rounding=ROUND_FLOOR)
    return f"{text}/100" if suffix else text


def percentile(value) -> str:
    """A cohort percentile (a fraction) as a percentage to one decimal, rounded down like the reasons' (0.0999 under
    a bar of 10% reads 9.9%, never 10.0%)."""
    d = _decimal(value)
    return DASH if d is None else f"{_fixed(d * 100, 1, rounding=ROUND_FLOOR)}%"


def points(value) -> str:
    """Points of the overall score a capability or metric contributes: two decimals (they add up to the overall)."""
    return number(value, 2)


def money(value, *, exact: bool = False) -> str:
    """Yuan with ¥ and separators: ``¥10,230,624.55``; in Chinese, from ¥1,000,000 on, in 万: ``¥1,023.06万``
    (``exact=True`` always shows every fen, as exports do)."""
    d = _decimal(value)
    if d is None:
        return DASH
    sign = "-" if d < 0 else ""
    d = abs(d)
    if not exact and d >= WAN_FROM and (translation.get_language() or "").startswith("zh"):
        return f"{sign}¥{_fixed(d / 10000, 2)}万"
    return f"{sign}¥{_fixed(d, 2)}"


def day(value) -> str:
    """A date (or an instant, in Shanghai) as ``2026-12-02``."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):  # as stored in JSON evidence: an ISO date or instant
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value[:10]
    if isinstance(value, dt.datetime):
        value = value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
    return f"{value:%Y-%m-%d}"


def ratio(value) -> str:
    """A year-on-year ratio, two decimals: ``12.8`` → ``12.80×``; no value (the earlier count was 0) → a dash."""
    d = _decimal(value)
    return DASH if d is None else f"{_fixed(d, 2)}×"


def month(value) -> str:
    """A calendar month as ``2025-03`` (from a date or ISO text)."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%Y-%m}"


def moment(value) -> str:
    """An instant in Shanghai as ``2026-12-02 14:05``."""
    if value is None:
        return DASH
    return f"{value.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if value.tzinfo else f"{value:%Y-%m-%d %H:%M}"


# How each metric's value reads (DESIGN §3): shares as percentages, GPM in yuan, counts whole, the rest as numbers.
METRIC_FORMATS = {
    "gmv_uplift": percent,
    "leap_rate": percent,
    "merchant_retention": percent,
    "gpm": money,
    "followers_per_session": lambda v: number(v, 1),
    "live_hours_per_merchant_week": lambda v: number(v, 1),
    "paid_roi": lambda v: number(v, 2),
    "loss_session_rate": percent,
    "refund_rate": percent,
    "sell_through": percent,
    "orders_per_1k_viewers": lambda v: number(v, 1),
    "complaints_per_1k_orders": lambda v: number(v, 2),
    "violation_points": count,
    "certified_operator_ratio": percent,
}

# The merchant diagnosis's figures (scoring.selectors.DIAGNOSIS_FIGURES).
FIGURE_FORMATS = {
    "sessions": count,
    "gmv": money,
    "viewers": count,
    "gpm": money,
    "conversion": percent,
    "paid_roi": lambda v: number(v, 2),
    "refund_rate": percent,
}


def seconds(value) -> str:
    """A duration in seconds, one decimal: ``3.3333`` → ``3.3 s`` (``3.3 秒`` in Chinese)."""
    d = _decimal(value)
    if d is None:
        return DASH
    unit = translation.pgettext("unit of time", "s")
    return f"{_fixed(d, 1)} {unit}"


# How a live-wall dimension's value reads, by the registry's unit (live.dimensions): rates as percentages, yuan
# (per order, per thousand entries, per minute) with ¥, counts (and counts per minute) whole, seconds with their
# unit; a ROI is a multiple (2.50×), as in the operation-effect pages, though the registry files it under ratio.
DIMENSION_UNIT_FORMATS = {
    "ratio": percent,
    "yuan": money,
    "yuan/1k": money,
    "yuan/min": money,
    "count": count,
    "count/min": count,
    "s": seconds,
}
DIMENSION_CODE_FORMATS = {"paid_roi": ratio, "paid_roi_5m": ratio}


def dimension_value(value, unit: str, code: str = "") -> str:
    """A live-wall dimension's value as its kind reads (``DIMENSION_UNIT_FORMATS``); unknown units as numbers."""
    return DIMENSION_CODE_FORMATS.get(code, DIMENSION_UNIT_FORMATS.get(unit, number))(value)


def metric_value(value, key: str) -> str:
    return METRIC_FORMATS.get(key, number)(value)


def figure_value(value, key: str) -> str:
    return FIGURE_FORMATS.get(key, number)(value)
