"""Celery tasks of the scoring app (thin: each calls one service)."""

import datetime as dt

from celery import shared_task

from core.audit import job_context

from .selectors import diagnosis_last_day
from .services import category_medians_refresh


@shared_task(name="scoring.tasks.refresh_category_medians_task")
def refresh_category_medians_task(end_date: str | None = None) -> int:
    """Nightly (00:20 Asia/Shanghai): the 7-day category medians ending yesterday. Safe to run twice."""
    day = dt.date.fromisoformat(end_date) if end_date else diagnosis_last_day()
    with job_context("celery", "refresh_category_medians_task"):
        return len(category_medians_refresh(end_date=day))
