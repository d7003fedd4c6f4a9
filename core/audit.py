"""Audit trail: trigger-based history (django-pghistory) and the context of jobs and commands.

Event tables are append-only at the database (PGHISTORY_APPEND_ONLY): triggers insert rows,
nobody updates or deletes them. Each event links to a context saying who (user), through what
(URL and method, or Celery task, or management command).
"""

import pghistory


def audited(*trackers, **options):
    """Track every insert, update and delete of a model (or just the given trackers).

    Tracker objects bind to the model they track, so each call makes its own. Options go to
    ``pghistory.track`` (e.g. ``meta={"db_table": ...}`` for a model that moved from another app).
    """
    return pghistory.track(
        *(trackers or (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())), **options
    )


def job_context(kind: str, name: str, **extra):
    """Audit context for work outside a request: a Celery task or a management command."""
    return pghistory.context(via=kind, job=name, **extra)
