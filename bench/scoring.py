"""Benchmark of the scoring engine on a generated DESIGN §9 platform (not a test; `make bench-scoring`).

Builds its own database ``saima_bench_scoring`` with generate_series (no row-by-row inserts) at
SCALE × (10,000 providers, 100,000 operators, 1,000,000 merchants, 10,000,000 window sessions), then
times in one run: (a) cycle_score over the window; (b) one bare SQL aggregate of the same sessions by
provider (the floor); (c) a naive ORM loop over providers on a 1% sample, scaled up; the 7-day
category medians refresh and merchant-diagnosis latency; and the process's peak memory.

    SCALE=0.1 .venv/bin/python bench/scoring.py      # default 0.1 (1,000,000 sessions)
    SCALE=1 KEEP=1 .venv/bin/python bench/scoring.py # full scale, keep the database afterwards
    REUSE=1 ...                                      # time again on the kept database, no regeneration

Other knobs: BENCH_DB (database name), REPEAT (alternating a/b runs, default 3), NAIVE_PROVIDERS (cap of the
naive loop's 1 % sample, default 10), PLATFORM_EFFECT=0 (skip the platform-wide operation effect, minutes at
full scale).
"""

# ruff: noqa: S603, S607, S608 - a local benchmark: psql from PATH, SQL built from its own integer constants

import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = os.environ.get("BENCH_DB", "saima_bench_scoring")
BASE_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{BASE_URL}/{DB}"
os.environ["MIGRATION_DATABASE_URL"] = os.environ["DATABASE_URL"]  # one role: benchmarks need no split
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
os.environ.setdefault("DEBUG", "true")
SCALE = float(os.environ.get("SCALE", "0.1"))
N_P = int(10_000 * SCALE)
N_O = int(100_000 * SCALE)
N_M = int(1_000_000 * SCALE)
N_S = int(10_000_000 * SCALE)
REPEAT = int(os.environ.get("REPEAT", "3"))
NAIVE_PROVIDERS = int(os.environ.get("NAIVE_PROVIDERS", "10"))
PLATFORM_EFFECT = os.environ.get("PLATFORM_EFFECT", "1") == "1"


def psql(sql: str, db: str = "postgres") -> None:
    done = subprocess.run(
        ["psql", f"{BASE_URL}/{db}", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr.strip())


def fresh_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, env=os.environ)


GENERATE = f"""
SET session_replication_role = replica;  -- no audit triggers or FK checks while bulk-loading
INSERT INTO providers_provider (id, name, credit_code, type, province, city, status, tier, deposit, created_at)
SELECT i, 'P' || i, lpad(i::text, 18, '0'), (ARRAY['mcn','industrial_belt','brand','general'])[1 + i % 4],
       '浙江', '杭州', CASE WHEN i % 20 = 0 THEN 'probation' WHEN i % 50 = 1 THEN 'suspended' ELSE 'active' END,
       'L0', 50000, now()
FROM generate_series(1::bigint, {N_P}) i;
INSERT INTO providers_operator (id, platform_user_id, name, phone)
SELECT i, 'o' || i, 'O' || i, '' FROM generate_series(1::bigint, {N_O}) i;
-- operator o works for provider ((o − 1) mod N_P) + 1; 5% left on 2025-06-20
INSERT INTO providers_employment (operator_id, provider_id, start_date, end_date)
SELECT i, ((i - 1) % {N_P}) + 1, DATE '2024-01-01', CASE WHEN i % 20 = 0 THEN DATE '2025-06-20' END
FROM generate_series(1::bigint, {N_O}) i;
INSERT INTO providers_merchant (id, platform_account_id, name, category, public_consent)
SELECT i, 'm' || i, 'M' || i, 'cat' || (i % 50), false FROM generate_series(1::bigint, {N_M}) i;
-- merchant m is served by provider ((m − 1) mod N_P) + 1 from 2025-05-01 (10% end on 2025-06-20)
INSERT INTO providers_engagement (provider_id, merchant_id, start_date, end_date)
SELECT ((i - 1) % {N_P}) + 1, i, DATE '2025-05-01' - (i % 20)::int, CASE WHEN i % 10 = 0 THEN DATE '2025-06-20' END
FROM generate_series(1::bigint, {N_M}) i;
-- April baseline (no operator) and May sessions: 2 per merchant
INSERT INTO providers_livesession (external_id, merchant_id, operator_id, provider_id, started_at, duration_minutes,
    gmv, orders, viewers, new_followers, refund_amount, paid_spend, paid_gmv, skus_listed, skus_sold)
SELECT 'b' || i, ((i - 1) % {N_M}) + 1, NULL, NULL,
       TIMESTAMPTZ '2025-03-25 12:00+08' + ((i * 7919) % (50 * 24 * 60)) * interval '1 minute',
       60 + i % 120, (i * 37 % 200000)::numeric / 1.7, i % 300, 100 + i % 5000, i % 40, (i % 17) * 10,
       0, 0, 20, i % 20
FROM generate_series(1::bigint, {2 * N_M}) i;
-- the window: June 2025; 90% operated (operator of the merchant's provider)
INSERT INTO providers_livesession (external_id, merchant_id, operator_id, provider_id, started_at, duration_minutes,
    gmv, orders, viewers, new_followers, refund_amount, paid_spend, paid_gmv, skus_listed, skus_sold)
SELECT 's' || i, m, CASE WHEN i % 10 <> 0 THEN p + {N_P} * (i % {N_O // N_P}) END, CASE WHEN i % 10 <> 0 THEN p END,
       TIMESTAMPTZ '2025-06-01 00:00+08' + ((i * 104729) % (30 * 24 * 60)) * interval '1 minute',
       30 + i % 180, (i * 7 % 300000)::numeric / 3, i % 500, 200 + i % 8000, i % 60, (i % 13) * 20,
       CASE WHEN i % 3 = 0 THEN (i % 1000) + 100 ELSE 0 END, CASE WHEN i % 3 = 0 THEN (i % 3000) ELSE 0 END,
       30, i % 30
FROM (SELECT i, ((i - 1) % {N_M}) + 1 AS m, ((((i - 1) % {N_M}) + 1 - 1) % {N_P}) + 1 AS p
      FROM generate_series(1::bigint, {N_S}) i) g;
INSERT INTO providers_complaint (provider_id, merchant_id, received_at, upheld, description)
SELECT ((i - 1) % {N_P}) + 1, i, TIMESTAMPTZ '2025-06-02 10:00+08' + (i % 600) * interval '1 hour', i % 3 <> 0, ''
FROM generate_series(1::bigint, {2 * N_P}) i;
INSERT INTO providers_violation (provider_id, severity, points, occurred_at, status, description)
SELECT ((i * 7 - 1) % {N_P}) + 1, 'minor', 1 + i % 6, TIMESTAMPTZ '2025-06-03 10:00+08' + (i % 600) * interval '1 hour',
       CASE WHEN i % 5 = 0 THEN 'overturned' ELSE 'confirmed' END, ''
FROM generate_series(1::bigint, {N_P}) i;
SET session_replication_role = DEFAULT;
SELECT setval(pg_get_serial_sequence('providers_provider', 'id'), {N_P});
SELECT setval(pg_get_serial_sequence('providers_operator', 'id'), {N_O});
SELECT setval(pg_get_serial_sequence('providers_merchant', 'id'), {N_M});
"""

CERTIFICATES = f"""
INSERT INTO certification_certificate (kind, number, operator_id, level, valid_from, valid_until, status, created_at)
SELECT 'operator', 'OP-2025-' || lpad(i::text, 7, '0'), i, 'junior', DATE '2025-01-01', DATE '2026-12-31',
       CASE WHEN i % 10 = 0 THEN 'suspended' ELSE 'active' END, now()
FROM generate_series(1::bigint, {N_O}, 2) i;
"""


# The months the generated sessions fall in get their partitions first (when the checkout partitions the table);
# the key table of external_id is filled after the load, whose replica mode skips the triggers that keep it.
PARTITIONS = "SELECT providers_session_partitions(DATE '2025-03-01', DATE '2025-07-01')"
KEYS = """INSERT INTO providers_livesessionkey (external_id, session_id, started_at)
SELECT external_id, id, started_at FROM providers_livesession"""


def generate() -> None:
    try:
        psql(PARTITIONS, DB)
        partitioned = True
    except RuntimeError:
        partitioned = False
        print("(providers_livesession is not partitioned in this checkout)")
    psql(GENERATE, DB)
    if partitioned:
        psql(KEYS, DB)
    try:
        psql(CERTIFICATES, DB)
    except RuntimeError:
        print("(no certification_certificate table in this checkout: certified_operator_ratio has no certificates)")
    psql("VACUUM ANALYZE", DB)


DENSE = f"""
INSERT INTO providers_provider (id, name, credit_code, type, province, city, status, tier, deposit, created_at)
VALUES ({N_P + 1}, 'Dense', 'D00000000000000001', 'general', '浙江', '杭州', 'active', 'L0', 50000, now());
INSERT INTO providers_merchant (id, platform_account_id, name, category, public_consent)
VALUES ({N_M + 1}, 'dense', 'Dense', 'cat0', false);
INSERT INTO providers_engagement (provider_id, merchant_id, start_date)
VALUES ({N_P + 1}, {N_M + 1}, DATE '2025-05-01');
INSERT INTO providers_operator (id, platform_user_id, name, phone) VALUES ({N_O + 1}, 'dense', 'Dense', '');
INSERT INTO providers_employment (operator_id, provider_id, start_date)
VALUES ({N_O + 1}, {N_P + 1}, DATE '2024-01-01');
INSERT INTO providers_livesession (external_id, merchant_id, operator_id, provider_id, started_at, duration_minutes,
    gmv, orders, viewers, new_followers, refund_amount, paid_spend, paid_gmv, skus_listed, skus_sold)
SELECT 'dense' || i, {N_M + 1}, CASE WHEN operated THEN {N_O + 1} END, CASE WHEN operated THEN {N_P + 1} END, t,
       60, (i * 37 % 20000)::numeric / 1.7, i % 300, 100 + i % 5000, i % 40, 0, 0, 0, 20, i % 20
FROM (SELECT i, TIMESTAMPTZ '2025-04-01 00:00+08' + (i * (91 * 24 * 60 * 60) / {{n}}) * interval '1 second' AS t
      FROM generate_series(1::bigint, {{n}}) i) g,
     LATERAL (SELECT t >= TIMESTAMPTZ '2025-06-01 00:00+08' AND i % 10 <> 0 AS operated) o;
"""


def dense_merchant_effect(selectors, start, end):
    """Operation effect of one provider whose one merchant streams n times from April to June (its June sessions
    operated, 90 %): the 14-day follow-on windows must grow with n log n, not n² (issue 11, item 16)."""
    from django.db import connection, transaction

    for n in (72, 2_072, 59_372):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(DENSE.replace("{n}", str(n)))
                cursor.execute("ANALYZE providers_livesession")
            t = time.perf_counter()
            selectors.operation_effect(start=start, end=end, provider_id=N_P + 1)
            yield n, time.perf_counter() - t
            transaction.set_rollback(True)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def window_partitions(start, end) -> str:
    """The partitions the window's scan reads, from its plan (pruning), or "not partitioned"."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT count(*) FROM providers_livesession WHERE started_at >= %s AND started_at < %s",
            [start, end],
        )
        plan = "\n".join(line for (line,) in cursor.fetchall())
    names = sorted(set(re.findall(r"on (providers_livesession_\w+)", plan)))
    return ", ".join(names) or "not partitioned"


def main() -> None:
    if not os.environ.get("REUSE"):
        t = time.perf_counter()
        fresh_database()
        generate()
        print(f"generated scale {SCALE}: {N_P} providers, {N_O} operators, {N_M} merchants, {N_S} window sessions "
              f"in {time.perf_counter() - t:.0f} s")  # fmt: skip
    import django

    django.setup()
    import datetime as dt

    from django.db import connection, transaction
    from django.db.models import Sum

    from providers.models import Engagement, LiveSession, Merchant, Provider
    from scoring import selectors, services
    from scoring.models import CapabilityModel, ProviderScore, QualificationCycle

    sh = services.SHANGHAI
    start, end = dt.datetime(2025, 6, 1, tzinfo=sh), dt.datetime(2025, 7, 1, tzinfo=sh)
    QualificationCycle.objects.all().delete()
    cycle = services.cycle_create(
        kind="monthly", window_start=start, window_end=end, capability_model=CapabilityModel.objects.get(version=1)
    )

    def temp_bytes() -> int:
        """Bytes this database has written to temporary files so far (hash aggregates or sorts that spilled)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")  # this session's counters, flushed when idle
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    def run_a() -> int:
        return services.cycle_score(cycle=cycle)

    def run_floor(statement: str) -> None:
        # the same work_mem cycle_score gives itself, so the floors do not spill where the engine would not
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{services.SCORING_WORK_MEM}'")
            cursor.execute(statement, [start, end])
            cursor.fetchall()

    floor_b = """SELECT provider_id, count(*), sum(gmv), sum(viewers), sum(orders), sum(refund_amount)
                 FROM providers_livesession WHERE provider_id IS NOT NULL AND started_at >= %s AND started_at < %s
                 GROUP BY provider_id"""
    # For context: the same scan grouped by merchant — the granularity leap_rate and baselines need.
    floor_b2 = """SELECT merchant_id, count(*), sum(gmv) FROM providers_livesession
                  WHERE started_at >= %s AND started_at < %s GROUP BY merchant_id"""
    # a, b and b' alternate REPEAT times (the first a runs on a cold cache); ratios use the medians.
    runs: dict[str, list[float]] = {"a": [], "b": [], "b2": []}
    spilled = 0
    for _ in range(REPEAT):
        before = temp_bytes()
        t = time.perf_counter()
        scored = run_a()
        runs["a"].append(time.perf_counter() - t)
        spilled += temp_bytes() - before
        for key, statement in (("b", floor_b), ("b2", floor_b2)):
            t = time.perf_counter()
            run_floor(statement)
            runs[key].append(time.perf_counter() - t)
    a, b, b2 = (statistics.median(runs[k]) for k in ("a", "b", "b2"))
    ranked = ProviderScore.objects.filter(cycle=cycle, ranked=True).count()

    def each(key: str) -> str:
        return ", ".join(f"{v:.2f}" for v in runs[key])

    print(f"(a) cycle_score: median {a:.2f} s of {REPEAT} ({each('a')}) for {scored} providers ({ranked} ranked); "
          f"temp files written: {spilled / 2**20:.0f} MB")  # fmt: skip
    # The first run reads a cache that has not seen the window yet (a real cycle runs on freshly ingested data).
    cold, warm = runs["a"][0], statistics.median(runs["a"][1:] or runs["a"])
    print(f"(a) cold (first) run {cold:.2f} s, warm median {warm:.2f} s: cold/warm = {cold / warm:.2f} (goal ≤ 1.5)")
    print(f"    partitions read by the window: {window_partitions(start, end)}; load: {load()}")
    print(f"(b) bare aggregate by provider: median {b:.2f} s ({each('b')})   a/b = {a / b:.2f} (goal ≤ 3)")
    print(f"(b') bare aggregate by merchant (context): median {b2:.2f} s ({each('b2')})   a/b' = {a / b2:.2f}")

    # (c) naive: per provider ORM queries, per session an engagement + baseline lookup
    # 1 % of the providers, at most NAIVE_PROVIDERS of them (each has ~900 sessions at every scale)
    providers = Provider.objects.filter(status__in=["active", "probation"]).order_by("id")
    sample = list(providers[:: max(100, providers.count() // NAIVE_PROVIDERS)])
    t = time.perf_counter()
    for p in sample:
        sessions = list(LiveSession.objects.filter(provider=p, started_at__gte=start, started_at__lt=end))
        uplifts = []
        for s in sessions:
            day = s.started_at.astimezone(sh).date()
            e = (
                Engagement.objects.filter(provider=p, merchant_id=s.merchant_id, start_date__lte=day)
                .exclude(end_date__lt=day)
                .order_by("-start_date")
                .first()
            )
            if e is None:
                continue
            lo = dt.datetime.combine(e.start_date - dt.timedelta(days=30), dt.time(0), tzinfo=sh)
            hi = dt.datetime.combine(e.start_date, dt.time(0), tzinfo=sh)
            base = LiveSession.objects.filter(
                merchant_id=s.merchant_id, operator__isnull=True, started_at__gte=lo, started_at__lt=hi
            )
            n = base.count()
            total = base.aggregate(t=Sum("gmv"))["t"]
            if n and total:
                uplifts.append(s.gmv * n / total - 1)
        for field in ("gmv", "viewers", "orders", "refund_amount", "skus_sold", "skus_listed", "new_followers"):
            LiveSession.objects.filter(provider=p, started_at__gte=start, started_at__lt=end).aggregate(Sum(field))
        Engagement.objects.filter(provider=p).count()
    c_sample = time.perf_counter() - t
    c = c_sample * (scored / max(len(sample), 1))
    print(f"(c) naive ORM loop: {c_sample:.2f} s for {len(sample)} providers → {c:.0f} s scaled   c/a = {c / a:.0f} "
          f"(goal ≥ 50)")  # fmt: skip

    if PLATFORM_EFFECT:
        t = time.perf_counter()
        selectors.operation_effect(start=start, end=end)
        print(f"operation effect, platform-wide over the window: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    selectors.operation_effect(start=start, end=end, provider_id=sample[0].pk)
    print(f"operation effect, one provider: {(time.perf_counter() - t) * 1000:.0f} ms")

    for n, seconds in dense_merchant_effect(selectors, start, end):
        print(f"operation effect, one provider with one dense merchant of {n:,} sessions: {seconds * 1000:.0f} ms")

    end_date = dt.date(2025, 6, 30)
    t = time.perf_counter()
    services.category_medians_refresh(end_date=end_date)
    refresh = time.perf_counter() - t
    print(f"category medians refresh (nightly task, 7 days, all categories): {refresh:.2f} s")
    rng = random.Random(7)
    latencies = []
    for _ in range(50):
        merchant = Merchant.objects.get(pk=rng.randint(1, N_M))
        t = time.perf_counter()
        selectors.merchant_diagnosis(merchant=merchant, end_date=end_date)
        latencies.append((time.perf_counter() - t) * 1000)
    print(f"merchant diagnosis: median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms (goal < 100)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB (goal ≤ 500)")
    connection.close()
    if not os.environ.get("KEEP"):
        psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
