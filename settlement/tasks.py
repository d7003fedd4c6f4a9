"""Celery tasks of settlement (thin: each calls one service)."""

from celery import shared_task
from django.contrib.auth import get_user_model

from core.audit import job_context

from .services import parse_month, previous_month, statements_auto_confirm, statements_make


@shared_task(name="settlement.tasks.make_statements_task")
def make_statements_task(month: str | None = None, started_by_id: int | None = None) -> int:
    """Beat (the 16th, 02:00 Asia/Shanghai): make last month's statements ("YYYY-MM" to choose another month).
    Safe to run twice or on two workers at once: one statement per provider and month."""
    target = parse_month(month) if month else previous_month()
    with job_context("celery", "make_statements_task", month=f"{target:%Y-%m}"):
        user = get_user_model().objects.filter(pk=started_by_id).first() if started_by_id else None
        return statements_make(month=target, started_by=user).statements


@shared_task(name="settlement.tasks.auto_confirm_statements_task")
def auto_confirm_statements_task() -> int:
    """Beat (every 5 minutes): confirm the drafts whose 7 days have passed. Safe to run twice."""
    with job_context("celery", "auto_confirm_statements_task"):
        return statements_auto_confirm()
