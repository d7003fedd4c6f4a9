"""Benchmark of the ecosystem report (DESIGN §13) and of the rollups' upkeep on ingest (not a test).

Two parts, each on its own database (``saima_bench_ecosystem``, dropped and made again):

(1) Upkeep: ``manage.py import_sessions`` of ROWS (default 1,000,000) generated sessions, once with the
    rollup triggers disabled and once with them (an empty sessions table each time), and the ratio
    (goal ≤ 1.3). The rollups after the import are checked against a full recomputation.
(2) Reads at SCALE × DESIGN §9 (default 0.1: 1,000 providers, 100,000 merchants, 1,000,000 sessions in the
    report month) plus 23 earlier months of HISTORY sessions per merchant and month (default 2): the monthly
    report, the programme page and the platform-wide operation effect of one month, from the rollups / the
    stored month beside the same figures computed from the sessions table.

    .venv/bin/python bench/ecosystem.py                 # both parts
    PART=2 SCALE=0.1 .venv/bin/python bench/ecosystem.py
    ROWS=200000 PART=1 .venv/bin/python bench/ecosystem.py
    REUSE=1 PART=1 ...                                  # part 1 on the registry a previous run left
"""

# ruff: noqa: S603, S607, S608, E402 - a local benchmark: psql from PATH, SQL built from its own constants

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DB", "saima_bench_ecosystem")
BASE_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["BENCH_DATABASE_URL"] = f"{BASE_URL}/{DB}"
os.environ["DATABASE_URL"] = f"{BASE_URL}/{DB}"
os.environ["MIGRATION_DATABASE_URL"] = os.environ["DATABASE_URL"]  # one role: benchmarks need no split
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
os.environ.setdefault("DEBUG", "true")
sys.path.insert(0, str(ROOT / "bench"))

import ingest as bench_ingest  # bench/ingest.py: its registry and CSV of sessions

PART = os.environ.get("PART", "12")
ROWS = int(os.environ.get("ROWS", "1000000"))
SCALE = float(os.environ.get("SCALE", "0.1"))
HISTORY = int(os.environ.get("HISTORY", "2"))
N_P, N_M, N_S = int(10_000 * SCALE), int(1_000_000 * SCALE), int(10_000_000 * SCALE)
TRIGGERS = ("ecosystem_rollup_insert", "ecosystem_rollup_update", "ecosystem_rollup_delete")


def psql(sql: str, db: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", f"{BASE_URL}/{db}", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr.strip())
    return done.stdout.strip()


def fresh_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, env=os.environ)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- (1) upkeep on ingest


def part_upkeep() -> None:
    from ecosystem.rollups import RECOMPUTE_MERCHANT_SQL, RECOMPUTE_PROVIDER_SQL

    if not os.environ.get("REUSE"):  # REUSE=1: the registry of a previous run is there already
        fresh_database()
        psql(bench_ingest.SETUP_SQL, DB)
    conn = bench_ingest.connect()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sessions.csv"
        with conn.cursor() as cur, open(path, "w", encoding="utf-8") as f:
            cur.copy_expert(bench_ingest.CSV_SQL.replace("%(rows)s", str(ROWS)), f)
        results = {}
        for label, enabled in (("without rollups", False), ("with rollups", True)):
            bench_ingest.reset_sessions(conn)
            verb = "ENABLE" if enabled else "DISABLE"
            psql("; ".join(f"ALTER TABLE providers_livesession {verb} TRIGGER {t}" for t in TRIGGERS), DB)
            print(f"  import_sessions {ROWS:,} rows {label} ({load()})")
            results[label] = bench_ingest.bench_command(conn, path, ROWS)
            print(f"  -> {results[label]:.1f} s")
        psql("; ".join(f"ALTER TABLE providers_livesession ENABLE TRIGGER {t}" for t in TRIGGERS), DB)
        exact = psql(
            f"SELECT (SELECT count(*) FROM (({RECOMPUTE_MERCHANT_SQL}) EXCEPT "
            f"(SELECT merchant_id, month, gmv, sessions FROM ecosystem_merchantmonth)) a) + "
            f"(SELECT count(*) FROM (({RECOMPUTE_PROVIDER_SQL}) EXCEPT "
            f"(SELECT provider_id, merchant_id, month, gmv, sessions FROM ecosystem_providermerchantmonth)) b)",
            DB,
        )
        rollup_rows = psql(
            "SELECT (SELECT count(*) FROM ecosystem_merchantmonth) || ' merchant-months, ' || "
            "(SELECT count(*) FROM ecosystem_providermerchantmonth) || ' provider-merchant-months'",
            DB,
        )
    conn.close()
    ratio = results["with rollups"] / results["without rollups"]
    print(f"(1) import_sessions {ROWS:,} rows: {results['without rollups']:.1f} s without the rollups, "
          f"{results['with rollups']:.1f} s with them: {ratio:.2f}x (goal <= 1.3); rollups {rollup_rows}, "
          f"rows differing from a recomputation: {exact}")  # fmt: skip


# --------------------------------------------------------------------------- (2) reads

REPORT_MONTH = "2026-06-01"
GENERATE = f"""
-- the sessions' months have their partitions, as the nightly job makes them in production (else: the default one)
SELECT providers_session_partitions(DATE '2024-07-01', DATE '{REPORT_MONTH}');
SET session_replication_role = replica;  -- no audit, FK, key or rollup triggers while bulk-loading (filled below)
INSERT INTO providers_provider (id, name, credit_code, type, province, city, status, tier, deposit, created_at)
SELECT i, 'P' || i, lpad(i::text, 18, '0'), (ARRAY['mcn','industrial_belt','brand','general'])[1 + i % 4],
       '浙江', '杭州', 'active', 'L0', 50000, now()
FROM generate_series(1::bigint, {N_P}) i;
INSERT INTO providers_operator (id, platform_user_id, name, phone)
SELECT i, 'o' || i, 'O' || i, '' FROM generate_series(1::bigint, {N_P * 10}) i;
INSERT INTO providers_employment (operator_id, provider_id, start_date)
SELECT i, ((i - 1) % {N_P}) + 1, DATE '2024-01-01' FROM generate_series(1::bigint, {N_P * 10}) i;
INSERT INTO providers_merchant (id, platform_account_id, name, category, public_consent)
SELECT i, 'm' || i, 'M' || i, 'cat' || (i % 50), false FROM generate_series(1::bigint, {N_M}) i;
-- 70% of merchants are served, from a start spread over 2024–2025; a tenth of those in two engagements with a gap
INSERT INTO providers_engagement (provider_id, merchant_id, start_date, end_date)
SELECT ((i - 1) % {N_P}) + 1, i, DATE '2024-07-01' + (i % 540)::int,
       CASE WHEN i % 10 = 0 THEN DATE '2024-07-01' + (i % 540)::int + 60 END
FROM generate_series(1::bigint, {N_M}) i WHERE i % 10 < 7;
INSERT INTO providers_engagement (provider_id, merchant_id, start_date)
SELECT ((i - 1) % {N_P}) + 1, i, DATE '2024-07-01' + (i % 540)::int + 75
FROM generate_series(1::bigint, {N_M}) i WHERE i % 10 = 0;
-- history: HISTORY sessions per merchant in each of the 23 months before the report month; GMV grows with the
-- month and depends on the merchant, so bands move; operated where the merchant is engaged
INSERT INTO providers_livesession (external_id, merchant_id, operator_id, provider_id, started_at, duration_minutes,
    gmv, orders, viewers, new_followers, refund_amount, paid_spend, paid_gmv, skus_listed, skus_sold)
SELECT 'h' || i || '-' || mo || '-' || k, i,
       CASE WHEN i % 10 < 7 THEN ((i - 1) % {N_P}) + 1 END, CASE WHEN i % 10 < 7 THEN ((i - 1) % {N_P}) + 1 END,
       (DATE '2024-07-01' + make_interval(months => mo::int, days => (k * 7 + i % 7)::int) + time '20:00')
           AT TIME ZONE 'Asia/Shanghai',
       120, round(((i * 7919) % 400000)::numeric * (1 + mo * 0.04) / {HISTORY}, 2), 10, 1000, 5, 0, 0, 0, 10, 5
FROM generate_series(1::bigint, {N_M}) i, generate_series(0, 22) mo, generate_series(1, {HISTORY}) k;
-- the report month: N_S sessions
INSERT INTO providers_livesession (external_id, merchant_id, operator_id, provider_id, started_at, duration_minutes,
    gmv, orders, viewers, new_followers, refund_amount, paid_spend, paid_gmv, skus_listed, skus_sold)
SELECT 's' || s, m, CASE WHEN m % 10 < 7 THEN ((m - 1) % {N_P}) + 1 END,
       CASE WHEN m % 10 < 7 THEN ((m - 1) % {N_P}) + 1 END,
       (TIMESTAMP '{REPORT_MONTH} 00:00' + (s % 29) * interval '1 day' + (s % 720) * interval '1 minute')
           AT TIME ZONE 'Asia/Shanghai',
       120, round(((m * 7919) % 400000)::numeric * 1.95 / 10, 2), 10, 1000, 5, 0, 0, 0, 10, 5
FROM generate_series(1::bigint, {N_S}) s, LATERAL (SELECT ((s - 1) % {N_M}) + 1 AS m) mm;
SET session_replication_role = origin;
-- the key table (external_id unique across the partitions) as its triggers would have filled it: one statement
INSERT INTO providers_livesessionkey (external_id, session_id, started_at)
SELECT external_id, id, started_at FROM providers_livesession;
SELECT setval(pg_get_serial_sequence('providers_provider', 'id'), {N_P});
SELECT setval(pg_get_serial_sequence('providers_merchant', 'id'), {N_M});
"""


def timed(label: str, fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    elapsed = time.perf_counter() - t
    print(f"  {label}: {elapsed:.3f} s")
    return out, elapsed


def from_sessions(sql: str) -> str:
    """The same statement with the rollups replaced by aggregates of the sessions table (no rollups at all)."""
    month = "(date_trunc('month', started_at AT TIME ZONE 'Asia/Shanghai'))::date"
    return sql.replace(
        "ecosystem_merchantmonth",
        f"(SELECT merchant_id, {month} AS month, sum(gmv) AS gmv, count(*) AS sessions "
        f"FROM providers_livesession GROUP BY 1, 2)",
    ).replace(
        "ecosystem_providermerchantmonth",
        f"(SELECT provider_id, merchant_id, {month} AS month, sum(gmv) AS gmv, count(*) AS sessions "
        f"FROM providers_livesession WHERE provider_id IS NOT NULL GROUP BY 1, 2, 3)",
    )


def part_reads() -> None:
    t = time.perf_counter()
    fresh_database()
    psql(GENERATE, DB)
    sessions = int(psql("SELECT count(*) FROM providers_livesession", DB))
    keys = int(psql("SELECT count(*) FROM providers_livesessionkey", DB))
    default = int(psql("SELECT count(*) FROM providers_livesession_default", DB))
    print(f"  generated {N_P} providers, {N_M} merchants, {sessions:,} sessions ({keys:,} keys, {default} in the "
          f"default partition) in {time.perf_counter() - t:.0f} s")  # fmt: skip
    import django

    django.setup()
    import datetime as dt

    from django.db import connection

    from core.dates import add_months
    from ecosystem import rollups, selectors, services
    from scoring.selectors import operation_effect

    _, backfill = timed("rollups built from scratch (BACKFILL_SQL)", lambda: connection.cursor().execute(
        rollups.BACKFILL_SQL))  # fmt: skip
    psql("VACUUM ANALYZE", DB)
    services.report_settings_set(data_start=dt.date(2024, 7, 1))
    services.programme_save(start_month=dt.date(2025, 7, 1), deadline_month=dt.date(2027, 6, 1))
    month = dt.date.fromisoformat(REPORT_MONTH)

    print(f"(2) month {month:%Y-%m} ({load()})")
    _, report_live = timed("report from the rollups (not stored: 6 statements)", selectors.report_figures, month)
    _, programme_live = timed("programme page from the rollups (not stored)", selectors.programme_overview, month)

    def report_from_sessions():
        start = selectors.data_start()
        with connection.cursor() as cursor:
            for m in (month, add_months(month, -12)):
                params = selectors._params(m, start)
                for sql in (selectors._COUNTS_SQL, selectors._BY_TYPE_SQL, selectors._STAGNANT_SQL):
                    cursor.execute(from_sessions(sql), params)
                    cursor.fetchall()

    _, report_sessions = timed("the same report from the sessions table", report_from_sessions)

    def programme_from_sessions():
        with connection.cursor() as cursor:
            cursor.execute(
                from_sessions(selectors.PROGRAMME_SQL.replace("{where}", "")),
                {"month": month, "first": add_months(month, -11)},
            )
            return cursor.fetchall()

    _, programme_sessions = timed("the same programme standings from the sessions table", programme_from_sessions)
    start, end = selectors.month_instants(month)
    _, effect = timed("platform-wide operation effect of the month from the sessions (§6)", operation_effect,
                      start=start, end=end)  # fmt: skip
    _, store = timed("report_store (figures + operation effect + standings, the monthly job)", services.report_store,
                     month=month)  # fmt: skip
    _, report_stored = timed("report page read (stored month)", selectors.report, month)
    _, programme_stored = timed("programme page read (stored month)", selectors.programme_overview, month)
    print(f"    report: {report_stored:.3f} s stored, {report_live:.2f} s from rollups, {report_sessions:.2f} s from "
          f"sessions; programme: {programme_stored:.3f} s stored, {programme_live:.2f} s from rollups, "
          f"{programme_sessions:.2f} s from sessions; operation effect: {report_stored:.3f} s stored, "
          f"{effect:.2f} s from sessions; rollups built in {backfill:.1f} s; monthly job {store:.1f} s")  # fmt: skip


def main() -> None:
    if "1" in PART:
        part_upkeep()
    if "2" in PART:
        part_reads()


if __name__ == "__main__":
    main()
