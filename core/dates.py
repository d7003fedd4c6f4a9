"""Asia/Shanghai calendar plumbing: every calendar date of the platform is a Shanghai date."""

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The platform's data: no session, cycle window or diagnosis day before 2000-01-01 or more than a
# year (366 days) after today (Shanghai); a date outside is refused (400), never sent to a query.
DATA_START = dt.date(2000, 1, 1)
DATA_FUTURE = dt.timedelta(days=366)


def within_platform_data(day: dt.date) -> bool:
    return DATA_START <= day <= shanghai_today() + DATA_FUTURE


def shanghai_today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def shanghai_date(instant: dt.datetime) -> dt.date:
    """The Shanghai calendar date of an instant."""
    return instant.astimezone(SHANGHAI).date()


def add_months(day, months: int):
    """Same day ``months`` later or earlier; a day the month lacks becomes its last day (31 Aug − 6 → 28/29 Feb).
    Works on dates and datetimes alike."""
    return day + relativedelta(months=months)


def add_years(day, years: int):
    """Same calendar day ``years`` later (29 Feb → 28 Feb)."""
    return day + relativedelta(years=years)


def month_start(instant: dt.datetime) -> dt.datetime:
    """Midnight of the first day of the instant's Shanghai month, as an aware Shanghai datetime."""
    return instant.astimezone(SHANGHAI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
