"""Celery tasks of the certification app (thin: each calls one service)."""

from celery import shared_task
from django.conf import settings

from core.audit import job_context
from core.dates import shanghai_today
from scoring.choices import CycleStatus

from .appeals import appeals_flag_overdue
from .choices import EmailStatus
from .cycles import TASK_SOFT_TIME_LIMIT, TASK_TIME_LIMIT, cycle_claim, cycle_run, cycle_schedule_due, cycles_fail_stale
from .ledger import ledger_verification_run
from .mailing import MAX_ATTEMPTS, notifications_email
from .services import certificates_expire


@shared_task(name="certification.tasks.expire_certificates_task")
def expire_certificates_task() -> int:
    """Nightly (00:10 Asia/Shanghai): expire certificates past their last valid day. Safe to run twice."""
    with job_context("celery", "expire_certificates_task"):
        return certificates_expire(today=shanghai_today())


@shared_task(name="certification.tasks.flag_overdue_appeals_task")
def flag_overdue_appeals_task() -> int:
    """Hourly: flag open appeals past their 10-day deadline (one UPDATE). Safe to run twice."""
    with job_context("celery", "flag_overdue_appeals_task"):
        return appeals_flag_overdue()


@shared_task(
    name="certification.tasks.run_cycle_task", soft_time_limit=TASK_SOFT_TIME_LIMIT, time_limit=TASK_TIME_LIMIT
)
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


@shared_task(name="certification.tasks.cycle_watchdog_task")
def cycle_watchdog_task() -> int:
    """Beat (every 5 minutes): mark failed the running cycles whose run was lost. Safe to run twice."""
    with job_context("celery", "cycle_watchdog_task"):
        return cycles_fail_stale()


@shared_task(
    name="certification.tasks.scheduled_cycle_task", soft_time_limit=TASK_SOFT_TIME_LIMIT, time_limit=TASK_TIME_LIMIT
)
def scheduled_cycle_task(kind: str) -> int:
    """Beat (the 3rd, 03:00 Asia/Shanghai): create and run the cycle of the previous month or quarter."""
    with job_context("celery", f"scheduled_cycle_task:{kind}"):
        return cycle_schedule_due(kind=kind).pk


@shared_task(name="certification.tasks.verify_ledger_task")
def verify_ledger_task(verification_id: int | None = None) -> bool | None:
    """Nightly (00:40 Asia/Shanghai, no id: a new verification), or one staff requested from the console.

    Walks the chain against the recorded anchors and stores the result; an intact head becomes a new
    anchor. Safe to run twice: a verification is claimed once. Returns whether the ledger is intact
    (None: already claimed by another run).
    """
    with job_context("celery", "verify_ledger_task", verification_id=verification_id):
        verification = ledger_verification_run(verification_id=verification_id)
        return None if verification is None else verification.ok


@shared_task(name="certification.tasks.email_notifications_task", bind=True, max_retries=MAX_ATTEMPTS - 1)
def email_notifications_task(self, ids: list[int] | None = None) -> dict[str, int]:
    """After a publish (its notifications' ids), and every 10 minutes by beat (no ids: every pending one):
    e-mail the pending notifications. While some of the given ones are still pending it retries with a
    growing delay (EMAIL_RETRY_SECONDS × 2^n); each attempt and error is recorded on the notification."""
    with job_context("celery", "email_notifications_task"):
        counts = notifications_email(ids=ids)
    if ids is not None and counts[EmailStatus.PENDING] and self.request.retries < self.max_retries:
        raise self.retry(countdown=settings.EMAIL_RETRY_SECONDS * 2**self.request.retries)
    return counts
