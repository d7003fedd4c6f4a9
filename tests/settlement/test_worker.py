"""The statement run on a real Celery worker: duplicates and concurrent runs make one statement per provider and
month; a run killed midway leaves nothing, and re-running finishes it."""

import datetime as dt
import threading

import pytest
from django.db import connection

from settlement import services
from settlement.models import JournalEntry, SettlementRun, Statement, StatementLine, StatementSession
from settlement.tasks import auto_confirm_statements_task, make_statements_task

from . import world as w

pytestmark = pytest.mark.django_db(transaction=True)
MARCH = dt.date(2025, 3, 1)


class WorkerKilled(BaseException):
    """Stands for a worker killed mid-run: not an Exception, so nothing in the run can catch it."""


def counts():
    return (
        Statement.objects.count(),
        StatementLine.objects.count(),
        StatementSession.objects.count(),
        JournalEntry.objects.count(),
    )


def test_duplicate_deliveries_make_one_statement_per_provider(celery_worker_thread, roles):
    world = w.build()
    results = [make_statements_task.apply_async(kwargs={"month": "2025-03"}) for _ in range(2)]
    assert sorted(r.get(timeout=120) for r in results) == [0, 2]
    assert sorted(Statement.objects.filter(month=MARCH).values_list("provider_id", flat=True)) == sorted(
        [world["p"].pk, world["q"].pk]
    )
    assert auto_confirm_statements_task.apply_async().get(timeout=60) == 0


def test_two_workers_at_once_make_one_statement_per_provider(celery_worker_thread, roles):
    w.build()
    made = []

    def direct():
        try:
            made.append(services.statements_make(month=MARCH).statements)
        finally:
            connection.close()

    thread = threading.Thread(target=direct)
    queued = make_statements_task.apply_async(kwargs={"month": "2025-03"})
    thread.start()
    made.append(queued.get(timeout=120))
    thread.join()
    assert sorted(made) == [0, 2]
    assert Statement.objects.filter(month=MARCH).count() == 2
    assert SettlementRun.objects.filter(month=MARCH).count() == 2


def test_a_killed_run_leaves_nothing_and_a_rerun_finishes(celery_worker_thread, roles, monkeypatch):
    w.build()
    before = counts()
    for step in ("lines", "legs"):

        def killed(name, step=step):
            if name == step:
                raise WorkerKilled

        monkeypatch.setattr(services, "_checkpoint", killed)
        with pytest.raises(WorkerKilled):
            services.statements_make(month=MARCH)
        assert counts() == before
        assert SettlementRun.objects.count() == 0
    monkeypatch.undo()
    assert make_statements_task.apply_async(kwargs={"month": "2025-03"}).get(timeout=120) == 2
    statements, lines, sessions, entries = counts()
    assert (statements, lines, sessions, entries) == (2, 8, 2, 8)
