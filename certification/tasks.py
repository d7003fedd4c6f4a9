"""Celery tasks of the certification app (thin: each calls one service)."""

from celery import shared_task

from core.audit import job_context

from .dates import shanghai_today
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
