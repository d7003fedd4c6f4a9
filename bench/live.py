"""Live-wall benchmark (DESIGN §10 "Scale"): 10,000 concurrent streams, a snapshot a minute each, for 30 minutes.

Run: `.venv/bin/python bench/live.py [--streams 10000] [--minutes 30] [--clients 200] [--batch 10000] [--web 2]`.
It uses its own database (`saima_bench_live`, created and migrated if missing; BENCH_DATABASE_URL overrides)
and Redis db 14 (BENCH_REDIS_URL), starts --web Daphne web processes on 127.0.0.1 (with 2, as production has
several behind its proxy: the pipeline's POSTs go to the first, the walls' pages and sockets to the second; with
1 all go to one; their logs go to $TMPDIR/bench-live-web-<port>.log), and measures:
  (a) ingest: every stream-minute's burst of --streams snapshots POSTed to /api/v1/live-snapshots/ in batches
      of --batch rows, as the pipeline would: accepted snapshots per second and seconds per burst;
  (b) push latency: --clients WebSocket clients on --clients streams' walls, from the accept (commit) to the
      client's receipt (p50, p95);
  (c) wall (/live/<id>/) and wall of walls (/console/live/) response times with --streams live streams;
  (d) a bare COPY of the same rows into an unindexed table with the same columns (the limit).
Stream time is compressed: minute k of every stream is sent as soon as minute k − 1 is done.
"""

import argparse
import asyncio
import datetime as dt
import http.client
import io
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saima_bench_live")
os.environ["DATABASE_URL"] = DB_URL
os.environ["MIGRATION_DATABASE_URL"] = DB_URL
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DEBUG", "true")
os.environ["API_INGEST_RATE"] = "100000/min"
os.environ["API_USER_RATE"] = "100000/min"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
sys.path.insert(0, str(ROOT))

import psycopg2  # noqa: E402


def ensure_database():
    url = urlparse(DB_URL)
    admin = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.path.lstrip("/")])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{url.path.lstrip("/")}"')
    admin.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=10_000)
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--web", type=int, default=2, choices=(1, 2), help="web processes (ingest, walls)")
    args = parser.parse_args()
    ensure_database()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from core.roles import DATA_PIPELINE, sync_roles
    from core.tokens import api_token_create
    from live.models import LiveStream

    sync_roles()
    # As in production after 180 days: every kept day's partition exists (the nightly job makes and drops them),
    # so the walls' reads are planned and pruned over as many partitions as they will be.
    from core.dates import shanghai_today
    from live.partitions import oldest_kept, partitions_ensure

    today = shanghai_today()
    partitions_ensure(oldest_kept(today) + dt.timedelta(days=n) for n in range((today - oldest_kept(today)).days + 8))
    with connection.cursor() as cur:
        cur.execute("TRUNCATE live_livesnapshot, live_liveevent, live_livestream CASCADE")
        cur.execute("DELETE FROM providers_merchant WHERE platform_account_id LIKE 'bench-%%'")
        cur.execute(
            "INSERT INTO providers_merchant (platform_account_id, name, category, public_consent) "
            "SELECT 'bench-' || i, 'Bench ' || i, 'cat' || (i %% 10), false FROM generate_series(1, %s) i",
            [args.streams],
        )
    User = get_user_model()
    from django.contrib.auth.models import Group

    pipeline, _ = User.objects.get_or_create(username="bench-pipeline")
    pipeline.groups.set([Group.objects.get(name=DATA_PIPELINE)])
    _token, key = api_token_create(user=pipeline, name="bench", replace=True)
    staff, _ = User.objects.get_or_create(username="bench-staff", defaults={"is_staff": True, "is_superuser": True})
    session = SessionStore()
    session["_auth_user_id"] = str(staff.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = staff.get_session_auth_hash()
    session.create()
    cookie = f"sessionid={session.session_key}"

    ingest_port, walls_port = args.port, args.port + args.web - 1
    logs = {port: Path(tempfile.gettempdir()) / f"bench-live-web-{port}.log" for port in {ingest_port, walls_port}}
    webs = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "saima.asgi:application"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        for port, log in logs.items()
    ]
    worker = subprocess.Popen(  # noqa: S603 — the alert refresh after each batch
        [sys.executable, "-m", "celery", "-A", "saima", "worker", "--concurrency=1", "--loglevel=WARNING"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for port in logs:
            for _ in range(300):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                    break
                except OSError:
                    time.sleep(0.1)
        start = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=args.minutes)).replace(second=0, microsecond=0)
        figures = {
            "exits": 0,
            "watch_seconds": 0,
            "comments": 0,
            "likes": 0,
            "shares": 0,
            "new_followers": 0,
            "fan_club_joins": 0,
            "product_impressions": 0,
            "product_clicks": 0,
            "cart_adds": 0,
            "room_impressions": 0,
            "entries_feed": 0,
            "entries_follow": 0,
            "entries_search": 0,
            "entries_paid": 0,
            "entries_other": 0,
            "refund_amount": "0.00",
            "paid_spend": "0.00",
            "paid_gmv": "0.00",
        }

        def rows_for(k):
            at = (start + dt.timedelta(minutes=k)).isoformat()
            return [
                {
                    "external_id": f"bench-{i}",
                    "merchant": f"bench-{i}",
                    "operator": None,
                    "started_at": start.isoformat(),
                    "at": at,
                    "entries": 10 * k + i % 7,
                    "orders": k,
                    "gmv": f"{k * 99.5:.2f}",
                    "online_viewers": 50 + i % 30,
                    **figures,
                }
                for i in range(1, args.streams + 1)
            ]

        def post(rows):
            conn = http.client.HTTPConnection("127.0.0.1", ingest_port, timeout=300)
            conn.request(
                "POST",
                "/api/v1/live-snapshots/",
                body=json.dumps(rows),
                headers={"Content-Type": "application/json", "Authorization": f"Token {key}"},
            )
            response = conn.getresponse()
            body = json.loads(response.read())
            assert response.status == 200 and body["rejected"] == 0, body
            return body["created"] + body["updated"] + body["unchanged"]

        # Minute 0 makes the streams; then clients connect to the first --clients walls.
        post(rows_for(0)[: args.batch]) if args.streams <= args.batch else [
            post(c) for c in _chunks(rows_for(0), args.batch)
        ]
        # The clients run in a process of their own: in this one, building the next minute's rows would hold the
        # GIL while pushes arrive and count in their latency.
        mp = multiprocessing.get_context("spawn")
        ready, stop, results = mp.Event(), mp.Event(), mp.Queue()
        eids = [f"bench-{i}" for i in range(1, args.clients + 1)]
        clients = mp.Process(target=_clients, args=(walls_port, cookie, eids, ready, stop, results), daemon=True)
        clients.start()
        ready.wait(180)

        burst_seconds, accepted, began = [], 0, time.perf_counter()
        for k in range(1, args.minutes + 1):
            rows = rows_for(k)
            t0 = time.perf_counter()
            for chunk in _chunks(rows, args.batch):
                accepted += post(chunk)
            burst_seconds.append(time.perf_counter() - t0)
        total = time.perf_counter() - began
        time.sleep(2)
        stop.set()
        connected, failures, latencies = results.get(timeout=60)
        clients.join(30)

        def timed(path, n=20):
            times = []
            for _ in range(n):
                conn = http.client.HTTPConnection("127.0.0.1", walls_port, timeout=30)
                t0 = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                assert response.status == 200, (path, response.status)
                times.append((time.perf_counter() - t0) * 1000)
            return times

        live = LiveStream.objects.filter(last_at__gte=start + dt.timedelta(minutes=args.minutes)).count()
        wall = timed("/live/bench-1/")
        walls = timed("/console/live/")
        # Where the time goes, in this process (no HTTP): the wall's state, and the wall of walls uncached.
        from django.utils import timezone

        from live.selectors import wall_of_walls, wall_state

        bench_stream = LiveStream.objects.get(external_id="bench-1")

        def inproc(fn, n=20):
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1000)
            return times

        state_ms = inproc(lambda: wall_state(bench_stream))
        walls_ms = inproc(lambda: wall_of_walls(now=timezone.now()))

        # (d) the same rows, a bare COPY into an unindexed table
        buf = io.StringIO()
        for k in range(1, args.minutes + 1):
            at = (start + dt.timedelta(minutes=k)).isoformat()
            for i in range(1, args.streams + 1):
                buf.write(f"{i}\t{at}\t{k}\t{10 * k + i % 7}\t{k}\t{k * 99.5:.2f}\t{50 + i % 30}\n")
        buf.seek(0)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_bare")
            cur.execute(
                "CREATE UNLOGGED TABLE bench_bare (stream_id bigint, at timestamptz, k int, entries bigint,"
                " orders bigint,"
                " gmv numeric(14,2), online_viewers bigint)"
            )
            t0 = time.perf_counter()
            cur.copy_expert("COPY bench_bare FROM STDIN", buf)
            bare = time.perf_counter() - t0
            cur.execute("DROP TABLE bench_bare")

        rows = args.streams * args.minutes
        print(
            f"streams {args.streams}, minutes {args.minutes}, batch {args.batch}, clients {args.clients}, "
            f"web processes {args.web}"
        )
        print(
            f"(a) ingest: {accepted} snapshots in {total:.1f} s = {accepted / total:.0f}/s; burst of {args.streams}: "
            f"p50 {statistics.median(burst_seconds):.2f} s, max {max(burst_seconds):.2f} s"
        )
        print(
            f"(b) {len(connected)}/{args.clients} clients connected ({len(failures)} failed); "
            f"push latency accept→client: n={len(latencies)} p50 {pct(latencies, 50) * 1000:.0f} ms, "
            f"p95 {pct(latencies, 95) * 1000:.0f} ms"
            + (f"; first failure: {failures[0][:200]} (see {logs[walls_port]})" if failures else "")
        )
        print(
            f"(c) with {live} live streams: wall p50 {pct(wall, 50):.0f} ms p95 {pct(wall, 95):.0f} ms; "
            f"wall of walls p50 {pct(walls, 50):.0f} ms p95 {pct(walls, 95):.0f} ms"
        )
        print(
            f"(c') in-process: wall_state p50 {pct(state_ms, 50):.0f} ms; "
            f"wall_of_walls uncached p50 {pct(walls_ms, 50):.0f} ms"
        )
        print(f"(d) bare COPY of {rows} rows (7 columns, unindexed): {bare:.2f} s = {rows / bare:.0f}/s")
        print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        for web in webs:
            web.terminate()
        worker.terminate()
        for web in webs:
            web.wait(10)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()


def _clients(port, cookie, eids, ready, stop, results):
    """WebSocket clients on these streams' walls: they connect (all at once), set ready, and until stop note each
    snapshot push's latency from its accept (the "sent" the ingest stamps after commit) to its receipt."""
    import websockets

    connected, failures, latencies = [], [], []

    async def client(eid):
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/live/{eid}/",
                open_timeout=120,
                additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
            ) as ws:
                connected.append(eid)
                while not stop.is_set():
                    try:
                        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=1))
                    except TimeoutError:
                        continue
                    if message.get("kind") == "snapshot":
                        latencies.append(time.time() - message["sent"])
        except Exception as exc:  # noqa: BLE001 — counted and reported
            failures.append(repr(exc))

    async def all_clients():
        tasks = [asyncio.create_task(client(eid)) for eid in eids]
        for _ in range(1200):  # until every client is connected (or failed)
            if len(connected) + len(failures) >= len(eids):
                break
            await asyncio.sleep(0.1)
        ready.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(all_clients())
    results.put((connected, failures, latencies))


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


if __name__ == "__main__":
    main()
