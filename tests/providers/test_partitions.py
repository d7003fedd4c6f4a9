"""providers_livesession in monthly partitions: the migration keeps every row, rows find their month, external_id
stays unique across partitions, a re-sent session whose month changed moves partition with its id, and the audit
triggers, the ecosystem rollups and every constraint still hold on the partitioned table."""

# ruff: noqa: S608 - statements are assembled from the app's own constants

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core.dates import SHANGHAI
from ecosystem.rollups import RECOMPUTE_MERCHANT_SQL, RECOMPUTE_PROVIDER_SQL
from providers import ingest, partitions
from providers.models import LiveSession, LiveSessionKey
from tests import factories
from tests.providers.test_ingest import make_world, row

Event = LiveSession.pgh_event_model


def at(year, month, day, hour=20):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def fetch(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def partition_of(session_id) -> str:
    return fetch("SELECT tableoid::regclass::text FROM providers_livesession WHERE id = %s", [session_id])[0][0]


def figures():
    """Everything the table holds, summed: counts, every numeric column, ids, and a digest of every row."""
    return fetch(
        """SELECT count(*), sum(id), sum(gmv), sum(refund_amount), sum(paid_spend), sum(paid_gmv), sum(orders),
                  sum(viewers), sum(new_followers), sum(duration_minutes), sum(skus_listed), sum(skus_sold),
                  count(operator_id), count(provider_id), sum(merchant_id), sum(extract(epoch FROM started_at)),
                  md5(string_agg(s::text, '|' ORDER BY id))
           FROM providers_livesession s"""
    )[0]


def rollups_exact() -> bool:
    """The rollups equal a full recomputation from the sessions (ecosystem/rollups.py)."""
    (n,) = fetch(
        f"""SELECT (SELECT count(*) FROM ((({RECOMPUTE_MERCHANT_SQL}) EXCEPT
                   SELECT merchant_id, month, gmv, sessions FROM ecosystem_merchantmonth)
                   UNION ALL (SELECT merchant_id, month, gmv, sessions FROM ecosystem_merchantmonth EXCEPT
                   ({RECOMPUTE_MERCHANT_SQL}))) a)
                + (SELECT count(*) FROM ((({RECOMPUTE_PROVIDER_SQL}) EXCEPT
                   SELECT provider_id, merchant_id, month, gmv, sessions FROM ecosystem_providermerchantmonth)
                   UNION ALL (SELECT provider_id, merchant_id, month, gmv, sessions
                   FROM ecosystem_providermerchantmonth EXCEPT ({RECOMPUTE_PROVIDER_SQL}))) b)"""
    )[0]
    return n == 0


def keys_exact() -> bool:
    (n,) = fetch(
        """SELECT count(*) FROM ((SELECT external_id, id, started_at FROM providers_livesession
               EXCEPT SELECT external_id, session_id, started_at FROM providers_livesessionkey)
           UNION ALL (SELECT external_id, session_id, started_at FROM providers_livesessionkey
               EXCEPT SELECT external_id, id, started_at FROM providers_livesession)) d"""
    )[0]
    return n == 0


@pytest.fixture
def months(db):
    """Partitions for April to July 2025 (the tests' sessions), as the nightly job would have made them."""
    partitions.partitions_ensure(dt.date(2025, 4, 1), dt.date(2025, 7, 1))


def varied_sessions(merchant, operator, provider):
    """Sessions in several months (some in the default partition: February has none), operated or not."""
    made = []
    for i, (when, operated) in enumerate(
        [
            (at(2025, 2, 3), False),
            (at(2025, 4, 1, 0), True),  # the first Shanghai instant of April: April's partition, not March's
            (at(2025, 4, 30, 23), True),
            (at(2025, 5, 1, 7), False),  # still 30 April in UTC: May in Shanghai
            (at(2025, 6, 15), True),
            (at(2025, 7, 2), False),
        ]
    ):
        made.append(
            factories.LiveSessionFactory(
                external_id=f"V-{i}",
                merchant=merchant,
                operator=operator if operated else None,
                provider=provider if operated else None,
                started_at=when,
                gmv=Decimal("1000.25") * (i + 1),
                orders=10 + i,
                skus_sold=i,
            )
        )
    return made


# --------------------------------------------------------------------------- the migration


def test_the_migration_moves_every_row_without_loss_both_ways(owner_db, provider, other_provider):
    world = make_world(provider, other_provider)
    varied_sessions(world["merchant"], world["operator"], world["provider"])
    factories.LiveSessionFactory.create_batch(5, merchant=world["merchant"])
    before = figures()
    events = Event.objects.count()
    assert before[0] == 11
    assert rollups_exact()

    # back to one plain table (the migration's reverse: key triggers off, rebuild, external_id unique again)
    with connection.cursor() as cursor:
        cursor.execute(partitions.DROP_KEY_TRIGGERS_SQL)
        partitions.unpartition_sessions(cursor)
        cursor.execute(
            "ALTER TABLE providers_livesession ADD CONSTRAINT session_external_id_unique UNIQUE (external_id)"
        )
    assert fetch("SELECT relkind FROM pg_class WHERE relname = 'providers_livesession'") == [("r",)]
    assert figures() == before

    # and forward again, as providers 0007 runs on a database with sessions
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE providers_livesession DROP CONSTRAINT session_external_id_unique")
        partitions.partition_sessions(cursor)
        cursor.execute(partitions.KEY_TRIGGERS_SQL)
    assert fetch("SELECT relkind FROM pg_class WHERE relname = 'providers_livesession'") == [("p",)]
    assert figures() == before
    assert Event.objects.count() == events  # moving rows is not an audited change
    assert rollups_exact()
    assert keys_exact()
    # one partition per month that had sessions (Shanghai months), nothing left in the default partition
    assert partitions.partitions() == [dt.date(2025, m, 1) for m in (2, 4, 5, 6, 7)]
    assert fetch("SELECT count(*) FROM providers_livesession_default") == [(0,)]
    assert fetch("SELECT count(*) FROM providers_livesession_202504") == [(2,)]
    # the ids go on from the last one
    (last_id,) = fetch("SELECT max(id) FROM providers_livesession")[0]
    assert factories.LiveSessionFactory(merchant=world["merchant"]).pk == last_id + 1

    # the audit and the rollups still follow a change, and the constraints still refuse
    moved = LiveSession.objects.get(external_id="V-1")
    LiveSession.objects.filter(pk=moved.pk).update(gmv=Decimal("7.00"))
    assert Event.objects.latest("pgh_id").gmv == Decimal("7.00")
    assert rollups_exact()
    with pytest.raises(IntegrityError, match="session_sold_le_listed"), transaction.atomic():
        LiveSession.objects.filter(pk=moved.pk).update(skus_sold=99)
    with pytest.raises(IntegrityError, match="foreign key"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("UPDATE providers_livesession SET merchant_id = -1 WHERE id = %s", [moved.pk])


# --------------------------------------------------------------------------- partitions


def test_rows_go_to_their_shanghai_month_and_months_without_a_partition_to_the_default(months, world):
    made = varied_sessions(world["merchant"], world["operator"], world["provider"])
    assert [partition_of(s.pk) for s in made] == [
        "providers_livesession_default",
        "providers_livesession_202504",
        "providers_livesession_202504",
        "providers_livesession_202505",
        "providers_livesession_202506",
        "providers_livesession_202507",
    ]


@pytest.fixture
def world(db, provider, other_provider):
    return make_world(provider, other_provider)


def test_the_nightly_job_makes_months_ahead_and_moves_rows_out_of_the_default(world):
    session = factories.LiveSessionFactory(merchant=world["merchant"], started_at=at(2025, 5, 9))
    stray = factories.LiveSessionFactory(merchant=world["merchant"], started_at=at(2019, 1, 9))
    assert partition_of(session.pk) == partition_of(stray.pk) == "providers_livesession_default"
    events, before = Event.objects.count(), figures()

    result = partitions.partitions_maintain(today=dt.date(2025, 5, 20))

    assert result["created"] == [
        "providers_livesession_202505",
        "providers_livesession_202506",
        "providers_livesession_202507",
        "providers_livesession_202508",
        "providers_livesession_201901",
    ]
    assert result["moved_out_of_default"] == ["2019-01-01"]
    assert partition_of(session.pk) == "providers_livesession_202505"
    assert partition_of(stray.pk) == "providers_livesession_201901"
    assert figures() == before  # same rows, same ids
    assert Event.objects.count() == events  # no audit event: nothing about the sessions changed
    assert rollups_exact()
    assert keys_exact()
    assert partitions.partitions_maintain(today=dt.date(2025, 5, 20))["created"] == []  # safe to run twice


@pytest.mark.django_db
def test_the_nightly_job_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    from providers.tasks import maintain_session_partitions_task

    task = PeriodicTask.objects.get(name="providers: session partitions ahead (nightly)")
    assert (task.task, task.crontab.minute, task.crontab.hour) == (maintain_session_partitions_task.name, "20", "2")


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_runs_in_a_real_worker(celery_worker_thread):
    from providers.tasks import maintain_session_partitions_task

    result = maintain_session_partitions_task.delay().get(timeout=60)

    assert set(result) == {"created", "moved_out_of_default"}
    this_month = dt.datetime.now(SHANGHAI).date().replace(day=1)
    assert this_month in partitions.partitions()


# --------------------------------------------------------------------------- uniqueness, moves, audit, rollups


def test_external_id_is_unique_across_partitions(months, world):
    factories.LiveSessionFactory(external_id="DUP", merchant=world["merchant"], started_at=at(2025, 4, 5))
    with pytest.raises(IntegrityError, match="providers_livesessionkey_pkey"), transaction.atomic():
        factories.LiveSessionFactory(external_id="DUP", merchant=world["merchant"], started_at=at(2025, 6, 5))
    with pytest.raises(IntegrityError, match="providers_livesessionkey_pkey"), transaction.atomic():
        factories.LiveSessionFactory(external_id="DUP", merchant=world["merchant"], started_at=at(2025, 4, 5))
    assert LiveSession.objects.filter(external_id="DUP").count() == 1
    assert keys_exact()


def test_an_update_that_moves_a_row_to_another_month_is_audited_as_an_update(months, world):
    session = factories.LiveSessionFactory(merchant=world["merchant"], started_at=at(2025, 4, 5))
    LiveSession.objects.filter(pk=session.pk).update(started_at=at(2025, 6, 5), gmv=Decimal("12.00"))

    assert partition_of(session.pk) == "providers_livesession_202506"
    event = Event.objects.get(pgh_obj_id=session.pk)
    assert (event.pgh_label, event.started_at, event.gmv) == ("update", at(2025, 6, 5), Decimal("12.00"))
    assert LiveSessionKey.objects.get(external_id=session.external_id).started_at == at(2025, 6, 5)
    assert rollups_exact()


def test_a_delete_is_still_audited_as_a_delete(months, world):
    session = factories.LiveSessionFactory(merchant=world["merchant"], started_at=at(2025, 4, 5))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM providers_livesession WHERE id = %s", [session.pk])
    event = Event.objects.get(pgh_obj_id=session.pk)
    assert (event.pgh_label, event.external_id) == ("delete", session.external_id)
    assert not LiveSessionKey.objects.filter(external_id=session.external_id).exists()
    assert rollups_exact()


@pytest.mark.parametrize(
    "change, constraint",
    [
        ({"gmv": Decimal("-1")}, "session_money_not_negative"),
        ({"skus_sold": 21}, "session_sold_le_listed"),
        ({"provider_id": "PROVIDER"}, "session_provider_needs_operator"),
    ],
)
def test_every_check_constraint_holds_in_every_partition(months, world, change, constraint):
    if change.get("provider_id") == "PROVIDER":
        change = {"provider_id": world["provider"].pk, "operator_id": None}
    for when in (at(2025, 4, 5), at(2025, 2, 5)):  # a month's partition and the default one
        session = factories.LiveSessionFactory(merchant=world["merchant"], started_at=when)
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            LiveSession.objects.filter(pk=session.pk).update(**change)


def test_the_app_role_may_not_create_partitions_itself_only_through_the_function(months, world):
    with pytest.raises(Exception, match="permission denied|must be owner"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE providers_livesession_203001 PARTITION OF providers_livesession "
                "FOR VALUES FROM ('2030-01-01') TO ('2030-02-01')"
            )


# --------------------------------------------------------------------------- ingest


def ingest_json(rows):
    return ingest.ingest_rows(rows=rows)


def ingest_file(rows):
    header = ",".join(ingest.FIELDS)
    lines = [header] + [",".join(str(r[f]) for f in ingest.FIELDS) for r in rows]
    return ingest.ingest_csv(file=io.BytesIO("\n".join(lines).encode()), filename="s.csv")


@pytest.mark.parametrize("send", [ingest_json, ingest_file], ids=["api", "import_sessions"])
def test_a_resent_session_whose_month_changed_moves_partition_and_keeps_its_id(months, world, send):
    first = send([row(started_at="2025-04-30T20:00:00+08:00"), row(external_id="S-2")])
    assert (first.created, first.updated) == (2, 0)
    session = LiveSession.objects.get(external_id="S-1")
    assert partition_of(session.pk) == "providers_livesession_202504"
    april = fetch("SELECT gmv, sessions FROM ecosystem_merchantmonth WHERE month = '2025-04-01'")

    # the pipeline corrects the start: 1 May 01:00 in Shanghai (still 30 April in UTC)
    report = send([row(started_at="2025-05-01T01:00:00+08:00"), row(external_id="S-2")])

    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 1, 1, 0)
    moved = LiveSession.objects.get(external_id="S-1")
    assert moved.pk == session.pk
    assert moved.started_at == at(2025, 5, 1, 1)
    assert moved.batch_id == report.batch
    assert partition_of(session.pk) == "providers_livesession_202505"
    events = list(Event.objects.filter(pgh_obj_id=session.pk).values_list("pgh_label", "started_at"))
    assert events == [("update", at(2025, 5, 1, 1))]
    assert LiveSessionKey.objects.get(external_id="S-1").session_id == session.pk
    assert keys_exact()
    assert rollups_exact()
    assert fetch("SELECT gmv, sessions FROM ecosystem_merchantmonth WHERE month = '2025-04-01'") == [
        (april[0][0] - Decimal("10000.50"), april[0][1] - 1)
    ]
    # sending it again changes nothing
    again = send([row(started_at="2025-05-01T01:00:00+08:00"), row(external_id="S-2")])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Event.objects.filter(pgh_obj_id=session.pk).count() == 1


def test_a_session_moved_into_a_month_without_partition_goes_to_the_default_and_back(months, world):
    ingest_json([row(started_at="2025-04-30T20:00:00+08:00")])
    session = LiveSession.objects.get(external_id="S-1")
    report = ingest_json([row(started_at="2025-03-30T20:00:00+08:00")])
    assert report.updated == 1
    assert partition_of(session.pk) == "providers_livesession_default"
    assert partitions.partitions_maintain(today=dt.date(2025, 4, 1))["moved_out_of_default"] == ["2025-03-01"]
    assert partition_of(session.pk) == "providers_livesession_202503"
    assert LiveSession.objects.get(external_id="S-1").pk == session.pk


def test_a_batch_of_new_and_stored_rows_across_months_is_written_once(months, world):
    def rows(n, shift):
        return [
            row(external_id=f"S-{i}", operator="", started_at=f"2025-0{4 + (i + shift) % 3}-0{1 + i}T20:00:00+08:00")
            for i in range(n)
        ]

    ingest_json(rows(6, 0))
    report = ingest_json(rows(9, 1))
    assert (report.created, report.updated, report.unchanged) == (3, 6, 0)
    assert LiveSession.objects.count() == 9
    assert keys_exact()
    assert rollups_exact()


# --------------------------------------------------------------------------- pruning


def plan(sql, params):
    return "\n".join(line for (line,) in fetch("EXPLAIN " + sql, params))


def test_a_cycle_window_reads_only_its_partitions(months, world):
    from scoring.sql import provider_sums_sql

    sql = provider_sums_sql().replace("CREATE TEMP TABLE scoring_tmp_sv ON COMMIT DROP AS", "")
    text = plan(sql, {"start": at(2025, 5, 1, 0), "end": at(2025, 6, 1, 0)})
    assert "providers_livesession_202505" in text
    for other in ("202504", "202506", "202507", "default"):
        assert f"providers_livesession_{other}" not in text
