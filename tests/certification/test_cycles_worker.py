"""Cycles on a real Celery worker: run and publish through the API; duplicate tasks give one run."""

import pytest
from celery.result import AsyncResult

from certification import cycles
from certification.ledger import ledger_verify
from certification.models import CycleOutcome, Decision
from certification.tasks import cycle_watchdog_task, run_cycle_task
from providers.models import Provider
from scoring.models import QualificationCycle
from tests.conftest import make_staff
from tests.scoring import platform as pf

from . import cycle_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_cycle_runs_on_the_worker_and_publishes(celery_worker_thread, roles, client_for, model_v1):
    p = cycle_world.build()
    manager = make_staff(roles, "cycle_manager", username="manager")
    client = client_for(manager)
    created = client.post(
        "/api/v1/cycles/",
        {"kind": "monthly", "window_start": pf.JUNE[0].isoformat(), "window_end": pf.JUNE[1].isoformat()},
        format="json",
    )
    assert created.status_code == 201, created.content
    cycle_id = created.json()["id"]
    started = client.post(f"/api/v1/cycles/{cycle_id}/run/")
    assert started.status_code == 202
    assert AsyncResult(started.json()["task_id"]).get(timeout=120) is True
    shown = client.get(f"/api/v1/cycles/{cycle_id}/").json()
    assert (shown["status"], shown["stage"], shown["percent"]) == ("computed", "computed", 100)
    published = client.post(f"/api/v1/cycles/{cycle_id}/publish/")
    assert published.status_code == 200 and published.json()["decisions"] == 5  # 2 promote, 1 warn, 2 certify
    assert Provider.objects.get(pk=p["strong"].pk).tier == "L1"
    count = Decision.objects.count()
    assert client.post(f"/api/v1/cycles/{cycle_id}/publish/").status_code == 409
    assert Decision.objects.count() == count
    assert ledger_verify().broken is None


def test_duplicate_tasks_and_starts_give_one_run(celery_worker_thread, model_v1):
    cycle_world.build()
    cycle = cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1])
    token = cycles.cycle_claim(cycle_id=cycle.pk)
    # The same claim delivered twice, plus a token-less start while it runs: exactly one run.
    results = [
        run_cycle_task.apply_async((cycle.pk, token)),
        run_cycle_task.apply_async((cycle.pk, token)),
        run_cycle_task.apply_async((cycle.pk,)),
    ]
    outcomes = [r.get(timeout=120) for r in results]
    assert sorted(outcomes) == [False, False, True]
    cycle.refresh_from_db()
    assert (cycle.status, cycle.run_token) == ("computed", token)
    assert CycleOutcome.objects.filter(cycle=cycle).count() == 4
    assert QualificationCycle.objects.filter(pk=cycle.pk, status="running").count() == 0


def test_concurrent_publish_and_approvals_keep_one_chain(roles, model_v1):
    """Publishing while the second approval of a delisting lands: both apply, the chain stays one line."""
    import threading

    from django.db import connection

    from certification import services as cert_services

    p = cycle_world.build()
    m1 = make_staff(roles, "cycle_manager", username="m1")
    m2 = make_staff(roles, "cycle_manager", username="m2")
    m3 = make_staff(roles, "cycle_manager", username="m3")
    proposal = cert_services.delist_propose(provider=p["weak"], reason_code="test", proposed_by=m1)
    cert_services.decision_approve(decision=proposal, approver=m2)
    cycle = cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1])
    assert cycles.cycle_run(cycle_id=cycle.pk, token=cycles.cycle_claim(cycle_id=cycle.pk))
    before = Decision.objects.count()
    barrier = threading.Barrier(2)
    errors = []

    def publish():
        try:
            barrier.wait()
            cycles.cycle_publish(cycle=QualificationCycle.objects.get(pk=cycle.pk), user=m1)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def approve():
        try:
            barrier.wait()
            cert_services.decision_approve(decision=proposal, approver=m3)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish), threading.Thread(target=approve)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Provider.objects.get(pk=p["weak"].pk).status == "delisted"
    seqs = list(Decision.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert ledger_verify().broken is None
    # The effective delisting, and the cycle's decisions (the weak provider's only if published first).
    weak_rows = Decision.objects.filter(cycle=cycle, provider=p["weak"]).count()
    assert Decision.objects.count() == before + 1 + 4 + weak_rows


def test_a_cycle_left_running_by_a_killed_worker_is_failed_by_the_watchdog_and_rerun(
    celery_worker_thread, roles, client_for, model_v1
):
    cycle_world.build()
    cycle = cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1])
    token = cycles.cycle_claim(cycle_id=cycle.pk)
    # The run's worker died after its first step: running/scoring 10%, the heartbeat long past.
    assert cycles._step(cycle.pk, token, "scoring", 10, from_stage="queued")
    QualificationCycle.objects.filter(pk=cycle.pk).update(heartbeat_at=cycle.created_at - cycles.STALE_AFTER)

    assert cycle_watchdog_task.apply_async().get(timeout=120) == 1

    cycle.refresh_from_db()
    assert (cycle.status, cycle.stage) == ("failed", "failed") and cycle.error.startswith("Watchdog:")
    client = client_for(make_staff(roles, "cycle_manager", username="manager"))
    started = client.post(f"/api/v1/cycles/{cycle.pk}/run/")
    assert started.status_code == 202
    assert AsyncResult(started.json()["task_id"]).get(timeout=120) is True
    cycle.refresh_from_db()
    assert cycle.status == "computed"
