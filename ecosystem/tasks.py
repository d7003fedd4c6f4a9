"""Celery tasks of the ecosystem app (thin: each calls one service)."""

from celery import shared_task

from core.audit import job_context

from .services import reports_refresh


@shared_task(name="ecosystem.tasks.store_monthly_reports_task")
def store_monthly_reports_task() -> list[str]:
    """Nightly (01:10 Asia/Shanghai): store each finished month's report, operation effect and programme
    standings that is not stored yet, and the last finished month again. Safe to run twice."""
    with job_context("celery", "store_monthly_reports_task"):
        return [m.isoformat() for m in reports_refresh()]
