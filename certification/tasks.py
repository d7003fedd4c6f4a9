"""Celery tasks of the certification app (thin: each calls one service)."""

from celery import shared_task

from core.audit import job_context

from .dates import shanghai_today
from .ledger import ledger_verification_run
from .services import certificates_expire


@shared_task(name="certification.tasks.expire_certificates_task")
def expire_certificates_task() -> int:
    """Nightly (00:10 Asia/Shanghai): expire certificates past their last valid day. Safe to run twice."""
    with job_context("celery", "expire_certificates_task"):
        return certificates_expire(today=shanghai_today())


@shared_task(name="certification.tasks.flag_overdue_appeals_task")
def flag_overdue_appeals_task() -> int:
    """Hourly: flag open appeals past their 10-day deadline (one UPDATE). Safe to run twice."""
    from .appeals import appeals_flag_overdue

    with job_context("celery", "flag_overdue_appeals_task"):
        return appeals_flag_overdue()


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
