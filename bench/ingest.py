"""Ingest benchmark: 1M live sessions through import_sessions, the HTTP API and a bare COPY (the limit).

Run: `.venv/bin/python bench/ingest.py [--rows 1000000] [--api-rows 1000000] [--batch 5000]`.
It uses its own database (`saima_bench_ingest`, created and migrated if missing; override with
BENCH_DATABASE_URL), sets up providers, operators, employments, merchants and engagements with SQL,
writes a valid CSV of --rows sessions, then times, in one run:
  (a) `manage.py import_sessions FILE` (a subprocess, so Django start-up is included),
  (b) POSTs of --batch rows to /api/v1/live-sessions/ (real HTTP) against a gunicorn it starts on
      127.0.0.1, --api-concurrency workers fed by as many client connections,
  (c) a bare `COPY` of the same file into an unindexed table with the same column types,
and prints rows/s for each and the ratio of each to (c).

--upkeep full,no-rollups,no-keys (comma-separated, any order; default full) runs (a) and (a') once per
variant, in the order given, --repeat times over: `full` is production (every trigger on
providers_livesession); `no-rollups` disables the ecosystem rollups' statement triggers (DESIGN §13);
`no-keys` disables those and the key table's (providers_livesessionkey: external_id unique across the
partitions), so it measures the key table's cost beside `no-rollups`. Without the key triggers ingest
finds no stored row, so (a') is not run for `no-keys`. Every run starts from empty sessions, keys and
rollups; after each `full` run the rollups are compared with a full recomputation (rows that differ are
printed: 0 is exact). The bench database gets track_functions=pl, so each run also prints the seconds
spent inside the rollups' and the key table's trigger functions (pg_stat_user_functions, reset before each
run): their cost measured directly, less at the mercy of the load than the difference of two wall times.
The triggers are enabled again at the end.
"""

import argparse
import csv
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/saima_bench_ingest"
DB_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ["DATABASE_URL"] = DB_URL
os.environ["MIGRATION_DATABASE_URL"] = os.environ["DATABASE_URL"]  # one role: benchmarks need no split
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
sys.path.insert(0, str(ROOT))

import psycopg2  # noqa: E402

PROVIDERS, OPERATORS_PER_PROVIDER, MERCHANTS = 1_000, 20, 50_000


def ensure_database():
    url = urlparse(DB_URL)
    admin = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.path.lstrip("/")])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{url.path.lstrip("/")}"')
    admin.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def connect():
    return psycopg2.connect(DB_URL)


# Run once, on an empty database (ids are then 1..n, which the CSV below relies on).
SETUP_SQL = f"""
INSERT INTO providers_provider (name, credit_code, type, province, city, status, tier, deposit, created_at)
  SELECT 'Bench provider ' || i, lpad(i::text, 18, '0'), 'mcn', '浙江', '杭州', 'active', 'L0', 50000, now()
  FROM generate_series(1, {PROVIDERS}) i;
INSERT INTO providers_operator (platform_user_id, name, phone)
  SELECT 'op-' || i, 'Operator ' || i, '' FROM generate_series(1, {PROVIDERS * OPERATORS_PER_PROVIDER}) i;
-- operator i works for provider ((i - 1) mod P) + 1: first an ended job elsewhere, then an open one.
INSERT INTO providers_employment (operator_id, provider_id, start_date, end_date)
  SELECT i, (i % {PROVIDERS}) + 1, date '2023-01-01', date '2023-12-31'
  FROM generate_series(1, {PROVIDERS * OPERATORS_PER_PROVIDER}) i
  UNION ALL
  SELECT i, ((i - 1) % {PROVIDERS}) + 1, date '2024-01-01', NULL
  FROM generate_series(1, {PROVIDERS * OPERATORS_PER_PROVIDER}) i;
INSERT INTO providers_merchant (platform_account_id, name, category, public_consent)
  SELECT 'm-' || j, 'Merchant ' || j, 'apparel', false FROM generate_series(1, {MERCHANTS}) j;
INSERT INTO providers_engagement (provider_id, merchant_id, start_date, end_date)
  SELECT ((j - 1) % {PROVIDERS}) + 1, j, date '2024-06-01', NULL FROM generate_series(1, {MERCHANTS}) j;
-- the sessions' months (2025, Shanghai) have their partitions, as the nightly job makes them in production
SELECT providers_session_partitions(date '2025-01-01', date '2025-12-01');
ANALYZE;
"""  # noqa: S608 (constants only)

# Session k: merchant j, operated (4 in 5) by one of the operators of j's provider; random
# external ids (md5), as a pipeline's ids would be.
CSV_SQL = f"""
COPY (
  SELECT md5('session-' || k) AS external_id, 'm-' || j AS merchant,
    CASE WHEN k % 5 = 0 THEN ''
      ELSE 'op-' || (((j - 1) % {PROVIDERS}) + 1 + {PROVIDERS} * (k % {OPERATORS_PER_PROVIDER})) END AS operator,
    to_char(timestamp '2025-01-01' + (k % 525600) * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS') || '+08:00'
      AS started_at,
    30 + k % 240 AS duration_minutes, round((k % 100000) * 1.37, 2) AS gmv, k % 900 AS orders,
    1000 + k % 50000 AS viewers, k % 300 AS new_followers, round((k % 1000) * 0.5, 2) AS refund_amount,
    round((k % 5000) * 1.1, 2) AS paid_spend, round((k % 7000) * 1.9, 2) AS paid_gmv,
    20 + k % 30 AS skus_listed, k % 20 AS skus_sold
  FROM generate_series(1, %(rows)s) k, LATERAL (SELECT (k % {MERCHANTS}) + 1 AS j) m
) TO STDOUT WITH (FORMAT csv, HEADER)
"""  # noqa: S608 (constants only)

LIMIT_TABLE = """
DROP TABLE IF EXISTS bench_copy_limit;
CREATE TABLE bench_copy_limit (
  external_id text, merchant text, operator text, started_at timestamptz, duration_minutes integer,
  gmv numeric(16, 2), orders integer, viewers integer, new_followers integer, refund_amount numeric(16, 2),
  paid_spend numeric(16, 2), paid_gmv numeric(16, 2), skus_listed integer, skus_sold integer
);
"""


ROLLUP_TRIGGERS = [f"ecosystem_rollup_{op}" for op in ("insert", "update", "delete", "truncate")]
KEY_TRIGGERS = [f"providers_session_keys_{op}" for op in ("insert", "update", "delete", "truncate")]
UPKEEP = {"full": [], "no-rollups": ROLLUP_TRIGGERS, "no-keys": ROLLUP_TRIGGERS + KEY_TRIGGERS}


def set_upkeep(conn, variant: str) -> None:
    """Enable every trigger of the upkeep, then disable those the variant leaves out."""
    with conn.cursor() as cur:
        for name in ROLLUP_TRIGGERS + KEY_TRIGGERS:
            state = "DISABLE" if name in UPKEEP[variant] else "ENABLE"
            cur.execute(f"ALTER TABLE providers_livesession {state} TRIGGER {name}")
    conn.commit()


def rollups_off_by(conn) -> int:
    """Rows in which the rollups differ from a full recomputation (both directions, both tables)."""
    from ecosystem.rollups import RECOMPUTE_MERCHANT_SQL, RECOMPUTE_PROVIDER_SQL

    merchant = "SELECT merchant_id, month, gmv, sessions FROM ecosystem_merchantmonth"
    provider = "SELECT provider_id, merchant_id, month, gmv, sessions FROM ecosystem_providermerchantmonth"
    with conn.cursor() as cur:
        cur.execute(f"""
            SELECT (SELECT count(*) FROM (({merchant} EXCEPT ALL {RECOMPUTE_MERCHANT_SQL})
                UNION ALL ({RECOMPUTE_MERCHANT_SQL} EXCEPT ALL {merchant})) m)
            + (SELECT count(*) FROM (({provider} EXCEPT ALL {RECOMPUTE_PROVIDER_SQL})
                UNION ALL ({RECOMPUTE_PROVIDER_SQL} EXCEPT ALL {provider})) p)
        """)  # noqa: S608 (constants only)
        return cur.fetchone()[0]


def reset_sessions(conn):
    with conn.cursor() as cur:
        # The key table and rollups explicitly: a variant may have their TRUNCATE triggers disabled.
        cur.execute(
            "TRUNCATE providers_livesession, providers_livesessionkey, ecosystem_merchantmonth, "
            "ecosystem_providermerchantmonth, providers_ingestbatch RESTART IDENTITY"
        )
        cur.execute("DROP TABLE IF EXISTS bench_copy_limit")
    conn.commit()
    with conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("CHECKPOINT")  # each measurement starts without the previous one's dirty pages
        conn.autocommit = False


def count_sessions(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM providers_livesession")
        return cur.fetchone()[0]


def bench_copy(conn, path: Path, rows: int) -> float:
    with conn.cursor() as cur:
        cur.execute(LIMIT_TABLE)
    conn.commit()
    start = time.perf_counter()
    with conn.cursor() as cur, open(path, encoding="utf-8") as f:
        cur.copy_expert("COPY bench_copy_limit FROM STDIN WITH (FORMAT csv, HEADER)", f)
    conn.commit()
    elapsed = time.perf_counter() - start
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM bench_copy_limit")
        assert cur.fetchone()[0] == rows
    return elapsed


ROLLUP_FUNCTIONS = [f"ecosystem_sessions_{op}" for op in ("inserted", "updated", "deleted")]
KEY_FUNCTIONS = [f"providers_session_keys_{op}" for op in ("inserted", "updated", "deleted")]
# The import's backend measures the time spent in PL/pgSQL functions (the triggers) itself: a superuser setting,
# made the bench database's default (Django's connection options override PGOPTIONS).
TRACK_FUNCTIONS = "ALTER DATABASE {db} SET track_functions = 'pl'"


def trigger_seconds(conn, expect_calls: bool) -> dict[str, float]:
    """Seconds the last import spent in the rollups' and the key table's trigger functions (pg_stat_reset
    before it). The import's backend reports at its exit, just after the client's: poll up to 5 s."""
    deadline = time.monotonic() + 5
    while True:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_stat_clear_snapshot()")
            cur.execute("SELECT funcname, total_time FROM pg_stat_user_functions")
            times = dict(cur.fetchall())
        conn.commit()
        if times or not expect_calls or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    return {
        "rollups": sum(times.get(f, 0) for f in ROLLUP_FUNCTIONS) / 1000,
        "keys": sum(times.get(f, 0) for f in KEY_FUNCTIONS) / 1000,
    }


def stats_reset(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_stat_reset()")
    conn.commit()


def bench_command(conn, path: Path, rows: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "import_sessions", str(path), "-v", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"import_sessions failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    print("   ", done.stdout.strip().replace("\n", "\n    "))
    assert count_sessions(conn) == rows
    return elapsed


def pipeline_token() -> str:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User

    from core.roles import sync_roles
    from core.tokens import api_token_create

    sync_roles()
    user, _ = User.objects.get_or_create(username="bench-pipeline")
    user.groups.set([Group.objects.get(name="data_pipeline")])
    # A fresh key each run (only hashes are stored); the earlier runs' tokens are revoked.
    return api_token_create(user=user, name="bench", replace=True)[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_bodies(path: Path, rows: int, batch: int):
    """Yield JSON bodies of `batch` rows (numbers as JSON numbers, as a pipeline would send)."""
    ints = {"duration_minutes", "orders", "viewers", "new_followers", "skus_listed", "skus_sold"}
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        chunk = []
        for i, row in enumerate(reader):
            if i >= rows:
                break
            for key in ints:
                row[key] = int(row[key])
            row["operator"] = row["operator"] or None
            chunk.append(row)
            if len(chunk) == batch:
                yield json.dumps(chunk).encode()
                chunk = []
        if chunk:
            yield json.dumps(chunk).encode()


def bench_api(conn, path: Path, rows: int, batch: int, token: str, concurrency: int) -> float:
    bodies = list(api_bodies(path, rows, batch))  # built before timing: client work is not the server's
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "saima.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(concurrency),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1"},
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        pending = queue.Queue()
        for body in bodies:
            pending.put(body)
        failures = []

        def send():
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            while not failures:
                try:
                    body = pending.get_nowait()
                except queue.Empty:
                    break
                client.request("POST", "/api/v1/live-sessions/", body=body, headers=headers)
                response = client.getresponse()
                payload = response.read()
                if response.status != 200:
                    failures.append(f"API answered {response.status}: {payload[:2000]!r}")
            client.close()

        # One connection per gunicorn worker, as a pipeline pushing in parallel would.
        threads = [threading.Thread(target=send) for _ in range(concurrency)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        if failures:
            raise SystemExit(failures[0])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert count_sessions(conn) == rows
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--api-rows", type=int, default=None, help="rows sent through the API (default: --rows)")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--api-concurrency", type=int, default=2, help="gunicorn workers = client connections")
    parser.add_argument("--skip", default="", help="comma-separated steps to skip: a,b,c")
    parser.add_argument("--upkeep", default="full", help="variants of (a): full,no-rollups,no-keys (see above)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the --upkeep variants")
    args = parser.parse_args()
    api_rows = min(args.api_rows or args.rows, args.rows)
    skip = set(filter(None, args.skip.split(",")))

    print(f"database {DB_URL}; {args.rows} rows; {os.cpu_count()} cores; {load()}")
    ensure_database()
    conn = connect()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM providers_provider")
        if cur.fetchone()[0] == 0:
            cur.execute(SETUP_SQL)
        else:
            print("reusing the providers, operators and merchants already set up")
    conn.commit()
    with conn.cursor() as cur:
        cur.execute(TRACK_FUNCTIONS.format(db=f'"{urlparse(DB_URL).path.lstrip("/")}"'))
    conn.commit()
    token = pipeline_token()

    workdir = Path(tempfile.mkdtemp(prefix="saima-bench-ingest-"))
    path = workdir / "sessions.csv"
    start = time.perf_counter()
    with conn.cursor() as cur, open(path, "w", encoding="utf-8") as f:
        cur.copy_expert(CSV_SQL.replace("%(rows)s", str(int(args.rows))), f)
    print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.1f} s")

    results = {}
    if "c" not in skip:
        reset_sessions(conn)
        results["c"] = (args.rows, bench_copy(conn, path, args.rows))
    variants = [v.strip() for v in args.upkeep.split(",") if v.strip()]
    if unknown := set(variants) - set(UPKEEP):
        raise SystemExit(f"unknown --upkeep variants: {sorted(unknown)}")
    runs = []  # (variant, round, (a) s, (a') s or None, rollups off by, load after)
    if "a" not in skip:
        try:
            for round_no in range(1, args.repeat + 1):
                for variant in variants:
                    reset_sessions(conn)
                    set_upkeep(conn, variant)
                    print(f"(a) upkeep={variant} round {round_no}; {load()}")
                    stats_reset(conn)
                    first = bench_command(conn, path, args.rows)
                    inside = trigger_seconds(conn, expect_calls=variant != "no-keys")
                    again = None
                    if variant != "no-keys":
                        start = time.perf_counter()
                        done = subprocess.run(  # noqa: S603
                            [sys.executable, "manage.py", "import_sessions", str(path), "-v", "2"],
                            cwd=ROOT,
                            capture_output=True,
                            text=True,
                        )
                        again = time.perf_counter() - start
                        print("   ", (done.stdout.strip() or done.stderr[-2000:]).replace("\n", "\n    "))
                    off = rollups_off_by(conn) if variant == "full" else None
                    print(
                        f"    (a) {first:.1f} s, in the triggers: rollups {inside['rollups']:.1f} s, key table "
                        f"{inside['keys']:.1f} s; (a') {again or 0:.1f} s; rollups off by {off}; {load()}"
                    )
                    runs.append((variant, round_no, first, again, off, load(), inside))
                    if variant == "full":
                        results["a"], results["a2"] = (args.rows, first), (args.rows, again)
        finally:
            set_upkeep(conn, "full")
    if "b" not in skip:
        reset_sessions(conn)
        results["b"] = (api_rows, bench_api(conn, path, api_rows, args.batch, token, args.api_concurrency))

    labels = {
        "a": "(a) import_sessions (COPY → staging → SQL validate → upsert)",
        "a2": "(a') import_sessions again, same file (all unchanged)",
        "b": f"(b) API over HTTP, gunicorn, {args.api_concurrency} workers/clients, batches of {args.batch}",
        "c": "(c) bare COPY into an unindexed table (the limit)",
    }
    limit = results["c"][0] / results["c"][1] if "c" in results else None
    print()
    for key in ("c", "a", "a2", "b"):
        if key not in results:
            continue
        rows, seconds = results[key]
        rate = rows / seconds
        ratio = f"{limit / rate:5.2f}× slower than (c)" if limit else ""
        print(f"{labels[key]:<70} {rows:>9} rows {seconds:8.1f} s {rate:>10,.0f} rows/s  {ratio}")
    if len(variants) > 1 or variants != ["full"]:
        print(f"\n(a) and (a') per upkeep variant, {args.rows} rows (× the first variant's (a) of the same round)")
        base = {r: a for v, r, a, *_ in runs if v == variants[0]}
        for variant, round_no, first, again, off, after, inside in runs:
            again_text = f"{again:8.1f} s" if again is not None else "       —  "
            off_text = f"rollups off by {off} rows" if off is not None else ""
            print(
                f"  {variant:<11} round {round_no}: (a) {first:8.1f} s ({first / base[round_no]:4.2f}×), in the "
                f"triggers: rollups {inside['rollups']:5.1f} s, keys {inside['keys']:5.1f} s  (a') {again_text}  "
                f"{off_text:<24} {after}"
            )
    print(f"at the end: {load()} (other work on the machine slows every figure; compare ratios of one run)")
    path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
