"""Writes of the ecosystem app: storing a finished month's report and programme standings, the report's data
start and the 造风者 programme's terms. The rollups themselves are written by database triggers only."""

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_months
from core.errors import Refusal
from scoring.selectors import operation_effect

from . import selectors
from .figures import jsonable
from .models import MonthlyReport, Programme, ProgrammeMerchant, ReportSettings

logger = logging.getLogger(__name__)

MAX_MONTHS_PER_RUN = 36


def _first_of_month(value: dt.date, field: str) -> dt.date:
    if value.day != 1:
        raise Refusal("not_first_of_month", _("A month is given by its first day."), errors={field: ["first day"]})
    return value


@transaction.atomic
def report_store(*, month: dt.date) -> MonthlyReport:
    """Compute and store month M's figures, its platform-wide operation effect (§6, period = the month) and its
    programme standings (the 12 complete months ending with M). Safe to run twice: the month's rows are replaced."""
    month = _first_of_month(month, "month")
    figures = jsonable(selectors.report_figures(month))
    start, end = selectors.month_instants(month)
    effect = jsonable(operation_effect(start=start, end=end))
    report, _ = MonthlyReport.objects.update_or_create(
        month=month, defaults={"figures": figures, "operation_effect": effect, "computed_at": timezone.now()}
    )
    ProgrammeMerchant.objects.filter(month=month).delete()
    sql = selectors.PROGRAMME_SQL.replace("{where}", "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO ecosystem_programmemerchant (month, provider_id, merchant_id, kind, leap_month)
                SELECT %(month)s, provider_id, merchant_id, kind, leap_month FROM ({sql}) r""",  # noqa: S608
            {"month": month, "first": add_months(month, -11)},
        )
        credited = cursor.rowcount
    logger.info("ecosystem report stored month=%s programme_rows=%s", month.isoformat(), credited)
    return report


def reports_refresh(*, today: dt.date | None = None) -> list[dt.date]:
    """The monthly job: store every finished month since the data start that has no stored report (at most
    MAX_MONTHS_PER_RUN, oldest first), and always the last finished month again (late corrections land in the
    first days of the next month). One transaction per month."""
    last = selectors.last_finished_month(today)
    start = selectors.data_start()
    if start is None or start > last:
        return []
    have = set(MonthlyReport.objects.filter(month__gte=start, month__lte=last).values_list("month", flat=True))
    todo = [add_months(start, k) for k in range(selectors.months_between(start, last))]
    todo = [m for m in todo if m not in have][:MAX_MONTHS_PER_RUN]
    if last not in todo:
        todo.append(last)
    for month in todo:
        report_store(month=month)
    return todo


@transaction.atomic
def report_settings_set(*, data_start: dt.date) -> ReportSettings:
    data_start = _first_of_month(data_start, "data_start")
    row = ReportSettings.objects.order_by("pk").first() or ReportSettings(data_start=data_start)
    row.data_start = data_start
    row.save()
    logger.info("ecosystem data start set to %s", data_start.isoformat())
    return row


@transaction.atomic
def programme_save(*, programme: Programme | None = None, **fields) -> Programme:
    """Create or change the 造风者 programme's terms (months by their first day; the upper bar ≥ the lower)."""
    programme = programme or Programme()
    for name, value in fields.items():
        setattr(programme, name, value)
    _first_of_month(programme.start_month, "start_month")
    _first_of_month(programme.deadline_month, "deadline_month")
    if programme.deadline_month < programme.start_month:
        raise Refusal(
            "deadline_before_start",
            _("The deadline month is before the start month."),
            errors={"deadline_month": ["before start"]},
        )
    if programme.high_bar < programme.low_bar:
        raise Refusal("bars_not_nested", _("The upper bar is below the lower bar."), errors={"high_bar": ["below"]})
    programme.save()
    logger.info(
        "programme saved id=%s start=%s deadline=%s", programme.pk, programme.start_month, programme.deadline_month
    )
    return programme
