"""Builders for the live tests: snapshot rows as the pipeline sends them, and streams stored directly."""

import datetime as dt
from decimal import Decimal

from core.dates import SHANGHAI
from live.models import COUNT_FIELDS, MONEY_FIELDS

ZERO_FIGURES = {name: 0 for name in COUNT_FIELDS} | {name: "0.00" for name in MONEY_FIELDS} | {"online_viewers": 0}


def today_start(days_ago: int = 0, hour: int = 10) -> dt.datetime:
    """A whole minute of a recent Shanghai day (well inside the retention window)."""
    today = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(today, dt.time(hour, 0), tzinfo=SHANGHAI)


def row(external_id, merchant, started_at, minute, operator=None, **figures) -> dict:
    at = started_at.replace(second=0, microsecond=0) + dt.timedelta(minutes=minute)
    body = {
        "external_id": external_id,
        "merchant": merchant,
        "operator": operator,
        "started_at": started_at.isoformat(),
        "at": at.isoformat(),
        **ZERO_FIGURES,
    }
    for name, value in figures.items():
        body[name] = str(value) if isinstance(value, Decimal) else value
    return body


def snapshot_state(stream_external_id):
    """The stored snapshots of a stream as {minute: {field: value}} (for before/after comparisons)."""
    from live.models import FIGURE_FIELDS, LiveSnapshot

    return {
        s.k: {name: getattr(s, name) for name in FIGURE_FIELDS}
        for s in LiveSnapshot.objects.filter(stream__external_id=stream_external_id).order_by("at")
    }
