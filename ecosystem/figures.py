"""Stored figures as JSON and back: Decimals are kept as strings in the JSON columns and revived on reading."""

import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

# Keys whose stored JSON strings are Decimals again when read (ratios, shares, money).
DECIMAL_KEYS = frozenset(
    {
        "ratio",
        "share",
        "gmv",
        "operated_gmv",
        "average_uplift",
        "follow_on_growth",
        "follow_on_gmv_before",
        "follow_on_gmv_after",
        "year_earlier",
        "on_track_bar",
    }
)


def jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def revive(value, key=None):
    """Stored JSON back into the shapes the selectors give (Decimal for money, ratios and shares)."""
    if isinstance(value, dict):
        return {k: revive(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [revive(v, key) for v in value]
    if key in DECIMAL_KEYS and isinstance(value, str):
        return Decimal(value)
    return value
