"""Celery tasks of the playbook app (thin: each calls one service)."""

from celery import shared_task

from core.audit import job_context

from .services import reviews_refresh


@shared_task(name="playbook.tasks.refresh_reviews_task")
def refresh_reviews_task() -> int:
    """Beat (every minute), and sent when a plan links its stream: make the reviews whose stream's final row has
    arrived, redo those whose row was re-sent with other facts. Set-based; safe to run twice or at once."""
    with job_context("celery", "refresh_reviews_task"):
        return reviews_refresh()
