"""The nightly jobs: snapshot partitions made ahead and dropped after 180 days; the peer freeze on a real worker."""

import datetime as dt

import pytest

from core.dates import shanghai_today
from live.models import PeerFreeze
from live.partitions import partition_name, partitions, partitions_ensure, partitions_maintain
from live.tasks import freeze_peers_task, maintain_partitions_task


@pytest.mark.django_db
def test_partitions_are_made_ahead_and_dropped_after_180_days():
    today = shanghai_today()
    old, kept = today - dt.timedelta(days=181), today - dt.timedelta(days=180)
    partitions_ensure([old, kept])
    assert {old, kept} <= set(partitions())
    done = partitions_maintain(today=today)
    assert partition_name(old) in done["dropped"] and partition_name(kept) not in done["dropped"]
    days = set(partitions())
    assert old not in days and kept in days
    assert {today + dt.timedelta(days=n) for n in range(8)} <= days
    assert partitions_maintain(today=today) == {"created": [], "dropped": []}  # a second run changes nothing


@pytest.mark.django_db
def test_a_snapshot_lands_in_its_shanghai_day_partition():
    from django.db import connection

    from live.ingest import snapshots_ingest
    from tests import factories
    from tests.live.helpers import row, today_start

    factories.MerchantFactory(platform_account_id="m1")
    start = today_start(days_ago=3, hour=23)  # 23:58 Shanghai, then past midnight
    start = start.replace(minute=58)
    assert snapshots_ingest(rows=[row("s", "m1", start, k) for k in range(4)]).created == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, count(*) FROM live_livesnapshot GROUP BY 1 ORDER BY 1")
        got = cursor.fetchall()
    day = start.date()
    assert got == [(partition_name(day), 2), (partition_name(day + dt.timedelta(days=1)), 2)]


@pytest.mark.django_db(transaction=True)
def test_the_nightly_tasks_run_on_a_real_worker(celery_worker_thread):
    day = shanghai_today() - dt.timedelta(days=2)
    result = freeze_peers_task.delay(day.isoformat())
    freeze_id = result.get(timeout=60)
    assert PeerFreeze.objects.get(pk=freeze_id).for_date == day
    done = maintain_partitions_task.delay().get(timeout=60)
    assert set(done) == {"created", "dropped"}
    assert shanghai_today() + dt.timedelta(days=7) in set(partitions())


@pytest.mark.django_db
def test_alert_refreshes_are_coalesced_one_pending_per_stream(monkeypatch):
    """Batches ask for their streams' alert counts; while one refresh is queued no other is, and the one that runs
    takes every stream asked for meanwhile (once each)."""
    from live import push
    from live.ingest import snapshots_ingest
    from live.models import LiveStream
    from live.tasks import refresh_alerts_task
    from tests import factories
    from tests.live.helpers import row, today_start

    push.redis_client().delete(push.ALERTS_PENDING, push.ALERTS_QUEUED)
    factories.MerchantFactory(platform_account_id="m1")
    start = today_start(days_ago=1)
    snapshots_ingest(rows=[row(eid, "m1", start, k) for eid in ("a", "b", "c") for k in range(3)])
    ids = dict(LiveStream.objects.values_list("external_id", "id"))
    queued = []
    monkeypatch.setattr(refresh_alerts_task, "delay", lambda *a, **kw: queued.append(a))
    assert push.alerts_request([ids["a"], ids["b"]]) is True
    assert push.alerts_request([ids["b"], ids["c"]]) is False  # one is queued already
    assert len(queued) == 1
    assert refresh_alerts_task.apply().get() == 3  # a, b and c, each once
    assert set(LiveStream.objects.values_list("alerts_at", flat=True)) == {start + dt.timedelta(minutes=2)}
    assert push.alerts_take() == []
    assert push.alerts_request([ids["a"]]) is True and len(queued) == 2  # the next batch queues the next one
