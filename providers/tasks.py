"""Thin Celery tasks of the registry: the nightly upkeep of the sessions table's monthly partitions."""

from celery import shared_task

from core.audit import job_context


@shared_task(name="providers.tasks.maintain_session_partitions_task")
def maintain_session_partitions_task() -> dict:
    """Nightly (02:20 Asia/Shanghai): this month's and the next three months' partitions of providers_livesession
    exist, and rows that landed in the default partition move into their month's. Safe to run twice."""
    from .partitions import partitions_maintain

    with job_context("task", "maintain_session_partitions_task"):
        return partitions_maintain()
