"""Calendar helpers: certificate and employment dates are Asia/Shanghai calendar dates."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def add_years(day: dt.date, years: int) -> dt.date:
    """Same calendar day ``years`` later (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
