"""The nightly job on a real Celery worker, and its schedule."""

import pytest
from django_celery_beat.models import PeriodicTask

from core.dates import add_months
from ecosystem import selectors
from ecosystem.models import MonthlyReport
from ecosystem.services import report_settings_set
from ecosystem.tasks import store_monthly_reports_task

from . import scenario


@pytest.mark.django_db(transaction=True)
def test_the_job_stores_finished_months_on_a_real_worker(celery_worker_thread):
    last = selectors.last_finished_month()
    report_settings_set(data_start=add_months(last, -1))
    scenario.session(scenario.factories.MerchantFactory(), scenario.at(last.year, last.month), "700000")
    done = store_monthly_reports_task.delay().get(timeout=60)
    assert done == [add_months(last, -1).isoformat(), last.isoformat()]
    stored = MonthlyReport.objects.get(month=last)
    assert stored.figures["gmv_at_least"][0]["count"] == 1
    assert stored.operation_effect["all"]["operated_sessions"] == 0
    assert store_monthly_reports_task.delay().get(timeout=60) == [last.isoformat()]


@pytest.mark.django_db
def test_nightly_schedule_is_registered():
    task = PeriodicTask.objects.get(name="ecosystem: store finished months' reports (nightly)")
    assert task.task == "ecosystem.tasks.store_monthly_reports_task" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("10", "1", "Asia/Shanghai")
