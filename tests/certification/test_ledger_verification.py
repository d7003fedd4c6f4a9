"""Ledger verification on a worker: the stored result, the console page (a GET writes nothing), the task."""

import re
from zoneinfo import ZoneInfo

import pytest
from celery.result import AsyncResult
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from certification.ledger import (
    Anchor,
    decision_append,
    ledger_anchor_record,
    ledger_anchors_read,
    ledger_verification_request,
    ledger_verification_run,
)
from certification.models import LedgerVerification
from certification.tasks import verify_ledger_task
from tests.certification.test_ledger import tamper

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")


def client_as(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_run_stores_the_result_and_anchors_the_verified_head(ledger_anchor_dir):
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(3)]
    verification = ledger_verification_run()
    assert verification.started_at <= verification.finished_at
    fields = ("ok", "decisions_checked", "anchors_checked", "head_seq", "head_hash", "broken_seq", "problem")
    assert [getattr(verification, f) for f in fields] == [True, 3, 0, 3, decisions[2].hash, None, ""]
    assert ledger_anchors_read(ledger_anchor_dir) == [Anchor(3, decisions[2].hash)]
    # The next run checks the chain against that anchor too, and records the new head.
    later = decision_append(kind="warn", reason_code="r3")
    again = ledger_verification_run()
    assert (again.ok, again.decisions_checked, again.anchors_checked) == (True, 4, 1)
    assert ledger_anchors_read(ledger_anchor_dir) == [Anchor(3, decisions[2].hash), Anchor(4, later.hash)]


def test_a_verification_is_claimed_once():
    verification, created = ledger_verification_request()
    assert created
    assert ledger_verification_run(verification_id=verification.pk).ok is True
    finished = LedgerVerification.objects.get(pk=verification.pk).finished_at
    assert ledger_verification_run(verification_id=verification.pk) is None  # delivered twice: nothing more
    assert LedgerVerification.objects.get(pk=verification.pk).finished_at == finished


def test_a_second_request_while_one_waits_returns_it(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = ledger_verification_request(requested_by=staff)
        second, created_again = ledger_verification_request(requested_by=staff)
    assert (created, created_again, second.pk) == (True, False, first.pk)
    assert len(callbacks) == 1 and LedgerVerification.objects.count() == 1
    assert first.task_id and first.requested_by == staff


def test_broken_chain_is_stored_with_the_first_broken_link_and_not_anchored(ledger_anchor_dir):
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(2)]
    ledger_anchor_record(directory=ledger_anchor_dir, anchor=Anchor(3, "a" * 64), recorded_at=decisions[0].created_at)
    verification = ledger_verification_run()
    assert (verification.ok, verification.broken_seq, verification.problem) == (False, 3, "head below anchor")
    assert (verification.expected, verification.stored) == ("3:" + "a" * 64, f"2:{decisions[1].hash}")
    assert verification.message.startswith("Ledger broken at seq 3: head below anchor; expected 3:aaa")
    assert ledger_anchors_read(ledger_anchor_dir) == [Anchor(3, "a" * 64)]  # a broken head is never anchored


def test_page_get_writes_nothing_and_shows_not_verified_yet(staff, auditor, provider_user):
    decision_append(kind="warn", reason_code="x")
    for user in (staff, auditor):
        client = client_as(user)
        client.get("/console/")  # the session and anything lazy are set up before counting
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/console/ledger/")
        assert response.status_code == 200
        assert [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)] == []
        # Nor does it walk the chain (seconds per 100,000 decisions): the decisions it reads are the entries'
        # count and one page of 50 (the browsable list), never the whole chain.
        reads = [q["sql"] for q in ctx.captured_queries if '"certification_decision"' in q["sql"]]
        limits = [re.search(r"LIMIT (\d+)", sql) for sql in reads if "COUNT(" not in sql.upper()]
        assert reads and limits and all(m and int(m.group(1)) <= 50 for m in limits), reads
        assert 'id="not-verified"' in response.content.decode()
    assert LedgerVerification.objects.count() == 0
    assert client_as(provider_user).get("/console/ledger/").status_code == 404
    assert client_as(None).get("/console/ledger/").status_code == 302


def test_page_shows_the_last_result_its_time_and_a_button_for_those_allowed(staff, auditor):
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(2)]
    verification = ledger_verification_run()
    body = client_as(staff).get("/console/ledger/").content.decode()
    assert 'class="ok"' in body and decisions[1].hash in body and "#2" in body
    assert verification.finished_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in body  # when, shown
    assert 'id="verify-now"' in body and "立即校验" in body  # the default visitor reads Chinese
    assert 'id="verify-now"' not in client_as(auditor).get("/console/ledger/").content.decode()


def test_post_starts_one_verification_for_staff_and_is_refused_to_the_auditor(
    staff, auditor, provider_user, django_capture_on_commit_callbacks
):
    assert client_as(auditor).post("/console/ledger/").status_code == 403
    assert client_as(provider_user).post("/console/ledger/").status_code == 404
    assert LedgerVerification.objects.count() == 0
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as(staff).post("/console/ledger/")
    assert response.status_code == 302 and response["Location"] == "/console/ledger/"
    assert len(callbacks) == 1
    verification = LedgerVerification.objects.get()
    assert (verification.requested_by, verification.started_at, verification.finished_at) == (staff, None, None)
    body = client_as(staff).get("/console/ledger/").content.decode()
    assert 'id="verification-pending"' in body
    with django_capture_on_commit_callbacks() as callbacks:
        client_as(staff).post("/console/ledger/")  # a second click while it waits: no second run
    assert callbacks == [] and LedgerVerification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_on_the_worker_from_the_page_and_nightly(celery_worker_thread, staff, ledger_anchor_dir):
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(3)]
    assert client_as(staff).post("/console/ledger/").status_code == 302
    verification = LedgerVerification.objects.get()
    assert AsyncResult(verification.task_id).get(timeout=60) is True
    verification.refresh_from_db()
    assert (verification.ok, verification.decisions_checked, verification.head_hash) == (True, 3, decisions[2].hash)
    assert ledger_anchors_read(ledger_anchor_dir) == [Anchor(3, decisions[2].hash)]
    # The nightly job (no id), after someone removed the tail behind the app's back: the anchor catches it.
    tamper("DELETE FROM certification_decision WHERE seq = 3")
    assert verify_ledger_task.delay().get(timeout=60) is False
    nightly = LedgerVerification.objects.get(requested_by=None)
    assert (nightly.ok, nightly.broken_seq, nightly.problem) == (False, 3, "head below anchor")
    body = client_as(staff).get("/console/ledger/").content.decode()
    assert 'class="bad"' in body and "#3" in body


def test_nightly_schedule_exists_after_migrate():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="certification.tasks.verify_ledger_task")
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, str(crontab.timezone), task.enabled, task.args) == (
        "40",
        "0",
        "Asia/Shanghai",
        True,
        "[]",
    )
