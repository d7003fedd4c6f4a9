"""Celery tasks of the scoring app (thin: each calls one service)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from core.audit import job_context

from .choices import CycleStatus
from .cycles import TASK_SOFT_TIME_LIMIT, TASK_TIME_LIMIT, cycle_claim, cycle_run, cycle_schedule_due
from .services import SHANGHAI, category_medians_refresh


@shared_task(name="scoring.tasks.refresh_category_medians_task")
def refresh_category_medians_task(end_date: str | None = None) -> int:
    """Nightly (00:20 Asia/Shanghai): the 7-day category medians ending yesterday. Safe to run twice."""
    day = dt.date.fromisoformat(end_date) if end_date else timezone.now().astimezone(SHANGHAI).date() - dt.timedelta(1)
    with job_context("celery", "refresh_category_medians_task"):
        return len(category_medians_refresh(end_date=day))


@shared_task(name="scoring.tasks.run_cycle_task", soft_time_limit=TASK_SOFT_TIME_LIMIT, time_limit=TASK_TIME_LIMIT)
def run_cycle_task(cycle_id: int, token: str | None = None) -> bool:
    """Score and preview one cycle. With the token of an API claim it runs that claim (a duplicate
    delivery is a no-op); without one it claims a scheduled or failed cycle itself."""
    with job_context("celery", "run_cycle_task"):
        if token is None:
            # Without a claim only a cycle never run (or failed) is taken; a re-run goes through the API.
            token = cycle_claim(cycle_id=cycle_id, statuses=[CycleStatus.SCHEDULED, CycleStatus.FAILED])
            if token is None:
                return False
        return cycle_run(cycle_id=cycle_id, token=token)


@shared_task(
    name="scoring.tasks.scheduled_cycle_task", soft_time_limit=TASK_SOFT_TIME_LIMIT, time_limit=TASK_TIME_LIMIT
)
def scheduled_cycle_task(kind: str) -> int:
    """Beat (the 3rd, 03:00 Asia/Shanghai): create and run the cycle of the previous month or quarter."""
    with job_context("celery", f"scheduled_cycle_task:{kind}"):
        return cycle_schedule_due(kind=kind).pk
