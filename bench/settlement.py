"""Benchmark of the statement run (DESIGN §11) on bench/scoring.py's generated platform (not a test).

Adds to that platform (SCALE × 10,000 providers, 1,000,000 merchants/engagements, 10,000,000 June sessions):
every provider admitted, an agreement with two versions on every engagement, and one provider with 250
engagements (1,000 lines). Then times, in one run: (a) statements_make for June 2025 (set-based SQL: targets,
segments, versions, sessions with baselines, recompute, lines, sessions linked, journal entries and legs);
(b) a bare ``GROUP BY provider`` of June's sessions (goal a ≤ 5 × b); (c) the provider portal's statement page
with 1,000 lines (goal < 200 ms) and its query count, beside another provider's statement; (d) the rows (a) wrote
copied as they are into bare tables (no index, no trigger, no computation): what writing them costs at least.

    SCALE=0.1 .venv/bin/python bench/settlement.py          # generate, then time
    REUSE=1 SCALE=0.1 .venv/bin/python bench/settlement.py  # reuse a database bench/scoring.py left (KEEP=1)

Each run of (a) prints its steps' seconds and the COMMIT's. REPEAT (default 2) runs of (a); REPEAT=0 only
generates; PAGE_ONLY=1 times (c) on June's statements already made; NO_SESSION_FK=1 drops the linked sessions'
foreign keys to the live sessions in the bench database first (as the live sessions' partitioning leaves them);
BENCH_DB names the database (bench/scoring.py's). EXPLAIN=path: one more run, rolled back, with every statement that
writes (the temp tables, the inserts, the update) run under EXPLAIN (ANALYZE, BUFFERS), the plans written to path.
"""

# ruff: noqa: S608 - a local benchmark: SQL built from its own integer constants

import importlib.util
import os
import statistics
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_scoring", Path(__file__).resolve().parent / "scoring.py")
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

# bench/scoring.py's generator predates the merchants' public_consent (NOT NULL, no database default)
base.GENERATE = base.GENERATE.replace(
    "INSERT INTO providers_merchant (id, platform_account_id, name, category)\n"
    "SELECT i, 'm' || i, 'M' || i, 'cat' || (i % 50)",
    "INSERT INTO providers_merchant (id, platform_account_id, name, category, public_consent)\n"
    "SELECT i, 'm' || i, 'M' || i, 'cat' || (i % 50), false",
)
assert "public_consent" in base.GENERATE
BIG = 250  # engagements of the provider whose statement has 1,000 lines

AGREEMENTS = f"""
SET session_replication_role = replica;
UPDATE providers_provider SET admitted_at = TIMESTAMPTZ '2024-12-01 10:00+08';
-- provider 1 serves 250 more merchants (new ones, no sessions) so its statement has 1,000 lines
INSERT INTO providers_merchant (id, platform_account_id, name, category, public_consent)
SELECT {base.N_M} + i, 'x' || i, 'X' || i, 'cat1', false FROM generate_series(1, {BIG} - {base.N_M // base.N_P}) i;
INSERT INTO providers_engagement (provider_id, merchant_id, start_date, end_date)
SELECT 1, {base.N_M} + i, DATE '2025-05-01', NULL FROM generate_series(1, {BIG} - {base.N_M // base.N_P}) i;
INSERT INTO settlement_serviceagreement (engagement_id, provider_id, note, created_at)
SELECT e.id, e.provider_id, '', now() FROM providers_engagement e;
INSERT INTO settlement_agreementversion (agreement_id, effective_from, fixed_fee_monthly, commission_rate,
    uplift_bonus_rate, created_at)
SELECT a.id, DATE '2025-04-01', (a.id % 10) * 1000, 0.05 + (a.id % 10) * 0.01, (a.id % 4) * 0.1, now()
FROM settlement_serviceagreement a
UNION ALL
SELECT a.id, DATE '2025-06-16', (a.id % 10) * 1200, 0.06 + (a.id % 10) * 0.01, (a.id % 4) * 0.1, now()
FROM settlement_serviceagreement a WHERE a.id % 3 = 0;
SET session_replication_role = DEFAULT;
"""


def explain(connection, services, month, path: str) -> None:
    """One run of (a), rolled back, each writing statement under EXPLAIN (ANALYZE, BUFFERS); plans to ``path``."""
    from django.db import transaction

    plans: list[str] = []

    def wrapper(execute, sql, params, many, context):
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("CREATE", "INSERT", "UPDATE") or "RETURNING" in sql:
            return execute(sql, params, many, context)
        t = time.perf_counter()
        result = execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params, many, context)
        plan = "\n".join(row[0] for row in context["cursor"].fetchall())
        plans.append(f"-- {time.perf_counter() - t:.2f} s\n{sql.strip()}\n{plan}\n")
        return result

    with transaction.atomic(), connection.execute_wrapper(wrapper):
        services.statements_make(month=month)
        transaction.set_rollback(True)
    Path(path).write_text("\n".join(plans))
    print(f"plans of {len(plans)} statements in {path}: " + ", ".join(p.split("\n", 1)[0][3:] for p in plans))


FLOOR_TABLES = ("statementline", "journalentry", "journalleg", "statementsession")


def floor(connection) -> tuple[float, str]:
    """(d): the rows the run wrote — lines, entries, legs, linked sessions — copied as they are into new tables
    without an index, a trigger or any computation (WAL-logged, as the real ones), in a transaction rolled back:
    the least any run writing those rows could cost."""
    from django.db import transaction

    counts = []
    with transaction.atomic(), connection.cursor() as cursor:
        t = time.perf_counter()
        for table in FLOOR_TABLES:
            cursor.execute(f"CREATE TABLE bench_floor_{table} AS SELECT * FROM settlement_{table}")
            counts.append(f"{cursor.rowcount:,} {table}")
        elapsed = time.perf_counter() - t
        transaction.set_rollback(True)
    return elapsed, ", ".join(counts)


def main() -> None:
    if not os.environ.get("REUSE"):
        t = time.perf_counter()
        base.fresh_database()
        base.generate()
        print(f"generated scale {base.SCALE}: {base.N_P} providers, {base.N_S} June sessions "
              f"in {time.perf_counter() - t:.0f} s")  # fmt: skip
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")  # the test client's host
    import django

    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.dates import SHANGHAI
    from providers.models import ProviderUser
    from settlement import services
    from settlement.models import ServiceAgreement, Statement

    if not ServiceAgreement.objects.exists():
        t = time.perf_counter()
        base.psql(AGREEMENTS, base.DB)
        base.psql("VACUUM ANALYZE", base.DB)
        print(f"agreements on every engagement in {time.perf_counter() - t:.0f} s")
    june = dt.date(2025, 6, 1)
    start, end = dt.datetime(2025, 6, 1, tzinfo=SHANGHAI), dt.datetime(2025, 7, 1, tzinfo=SHANGHAI)

    def clear() -> None:  # a fresh month (the bench database is its own; as owner): TRUNCATE, not DELETE, so that
        # each run writes into empty tables and indexes (without autovacuum, deleted rows would stay as bloat)
        tables = ["journalleg", "journalentry", "statementsession", "unsettledsession", "statementline",
                  "statementapproval", "statementevent", "payout", "statement", "settlementrun"]  # fmt: skip
        with connection.cursor() as cursor:
            for table in ("settlement_journalleg", "settlement_journalentry"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER append_only_no_truncate")
            cursor.execute(f"TRUNCATE {', '.join('settlement_' + t for t in tables)} CASCADE")
            for table in ("settlement_journalleg", "settlement_journalentry"):
                cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER append_only_no_truncate")

    def bare() -> float:
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT provider_id, count(*), sum(gmv - refund_amount) FROM providers_livesession "
                "WHERE provider_id IS NOT NULL AND started_at >= %s AND started_at < %s GROUP BY provider_id",
                [start, end],
            )
            cursor.fetchall()
        return time.perf_counter() - t

    # NO_SESSION_FK=1: drop the foreign keys of StatementSession.session and UnsettledSession.session to the live
    # sessions in this bench database, as the live sessions' partitioning does (db_constraint=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid::regclass::text IN ('settlement_statementsession', 'settlement_unsettledsession') "
            "AND confrelid = 'providers_livesession'::regclass"
        )
        session_fks = cursor.fetchall()
        if os.environ.get("NO_SESSION_FK"):
            for table, name in session_fks:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            session_fks = []
    print(f"foreign keys of the linked sessions to the live sessions: {len(session_fks) or 'none'}")
    bares = [bare() for _ in range(3)]
    runs = []
    # PAGE_ONLY=1 on a database that has June's statements: time only the page (c)
    repeat = 0 if os.environ.get("PAGE_ONLY") and Statement.objects.filter(month=june).exists() else None
    for _ in range(int(os.environ.get("REPEAT", "2")) if repeat is None else 0):
        clear()
        marks: list[tuple[str, float]] = []
        services._checkpoint = lambda step, marks=marks: marks.append((step, time.perf_counter()))  # steps' times
        t = time.perf_counter()
        run = services.statements_make(month=june)
        runs.append(time.perf_counter() - t)
        steps, last = [], t
        for step, at in marks:
            steps.append(f"{step} {at - last:.1f}")
            last = at
        print(f"    steps (s): {', '.join(steps)}, commit {t + runs[-1] - last:.1f}")
    if os.environ.get("EXPLAIN"):
        clear()
        explain(connection, services, june, os.environ["EXPLAIN"])
    b = statistics.median(bares)
    if not Statement.objects.filter(provider_id=1, month=june).exists():  # REPEAT=0: generate only
        print(f"(b) bare GROUP BY provider of June: {b:.2f} s")
        return
    lines = Statement.objects.get(provider_id=1, month=june).lines.count()
    if runs:
        a = statistics.median(runs)
        print(
            f"(a) statements_make June: {a:.1f} s for {run.statements} statements (runs {[round(r, 1) for r in runs]})"
        )
        print(f"(b) bare GROUP BY provider of June: {b:.2f} s → a / b = {a / b:.1f} (goal ≤ 5)")
        d, counts = floor(connection)
        print(f"(d) the run's rows copied as they are into bare tables (no index, trigger or computation; "
              f"{counts}): {d:.2f} s → d / b = {d / b:.1f}")  # fmt: skip

    for pid, label in ((1, f"{lines} lines"), (2, "provider 2")):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-provider-{pid}")
        ProviderUser.objects.get_or_create(user=user, defaults={"provider_id": pid})
        client = Client()
        client.force_login(user)
        st = Statement.objects.get(provider_id=pid, month=june)
        label = f"{label}, {st.lines.count()} lines"
        client.get(f"/portal/statements/{st.pk}/")  # warm
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                assert client.get(f"/portal/statements/{st.pk}/").status_code == 200
                times.append(time.perf_counter() - t)
        print(f"(c) statement page, {label}: median {statistics.median(times) * 1000:.0f} ms, "
              f"{len(queries)} queries")  # fmt: skip


if __name__ == "__main__":
    main()
