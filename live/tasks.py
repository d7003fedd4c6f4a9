"""Thin Celery tasks of the live app: the nightly freeze and partition upkeep, the alert refresh, the demo tick."""

import logging

from celery import shared_task

from core.audit import job_context

logger = logging.getLogger(__name__)


@shared_task
def freeze_peers_task(for_date: str | None = None):
    import datetime as dt

    from .services import peers_freeze

    with job_context("task", "freeze_peers_task"):
        freeze = peers_freeze(for_date=dt.date.fromisoformat(for_date) if for_date else None)
    return freeze.pk if freeze else None


@shared_task
def maintain_partitions_task():
    from .partitions import partitions_maintain

    with job_context("task", "maintain_partitions_task"):
        return partitions_maintain()


@shared_task
def refresh_alerts_task(stream_ids: list[int] | None = None):
    """The alert counts of the streams waiting for them (live.push.alerts_request), and of ``stream_ids``."""
    from .push import alerts_take, notify, walls_changed
    from .services import alerts_refresh

    ids = sorted(set(stream_ids or []) | set(alerts_take()))
    if not ids:
        return 0
    with job_context("task", "refresh_alerts_task"):
        counts = alerts_refresh(stream_ids=ids)
    walls_changed()
    notify([], "alerts")  # the wall of walls re-reads its counts
    return len(counts)


@shared_task
def demo_tick_task():
    from .demo import demo_tick

    with job_context("task", "demo_tick_task"):
        return demo_tick()
