"""The API's JSON bodies (explain, preview, operation effect, diagnosis) write decimals in fixed notation."""

from decimal import Decimal

import pytest

from scoring.api.views import jsonable


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0E-10"), "0.0000000000"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-2.5E-7"), "-0.00000025"),
        (Decimal("12.50"), "12.50"),
    ],
)
def test_decimals_are_never_in_exponent_form(value, text):
    assert jsonable({"a": [value, {"b": value}]}) == {"a": [text, {"b": text}]}


def test_times_are_in_shanghai():
    import datetime as dt

    utc = dt.datetime(2025, 8, 31, 16, 0, tzinfo=dt.UTC)
    assert jsonable({"fix_by": utc}) == {"fix_by": "2025-09-01T00:00:00+08:00"}
