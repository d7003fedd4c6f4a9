"""Load benchmark: wrk (Debian's package) on loopback against gunicorn, on the demo platform (not a test).

Run: `make bench-load` or `.venv/bin/python bench/load.py` (DURATION=30 seconds per run, CONNECTIONS="8 32",
WORKERS=2 gunicorn workers, ONLY="dashboard page,…" to run some targets, REUSE_DB=1 to keep an earlier run's
database). gunicorn serves with production settings (DEBUG off) over plain HTTP.
It builds its own database (`saima_bench_load`: migrate + seed_demo), then, for
each configuration side by side in one run — the dashboard's published results and operation effect cached
(PUBLISHED_CACHE_SECONDS, OPERATION_EFFECT_CACHE_SECONDS: 3600 and 300) and not cached (0) — starts gunicorn
and drives with wrk, at each connection count:
  - the provider dashboard page (/portal/, provider1 signed in),
  - the scores API (/api/v1/scores/, provider1's token),
  - operation effect (/api/v1/providers/<id>/operation-effect/ over 90 days, provider1's token),
  - ingest (POST /api/v1/live-sessions/, 100 new rows per request, the pipeline's token),
and prints req/s, p50 and p99 latency and errors (non-2xx answers and socket errors, which include a read error
per connection cut at the end of a run) for each, and the ratio of the cached to the uncached dashboard.
"""

# ruff: noqa: S310, S603, S607 - a local benchmark: wrk and gunicorn from PATH/the venv, http://127.0.0.1 only

import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB", "saima_bench_load")
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ["MIGRATION_DATABASE_URL"] = os.environ["DATABASE_URL"]  # one role: benchmarks need no split
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))  # one key: the server reads the session made here
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
sys.path.insert(0, str(ROOT))
DURATION = int(os.environ.get("DURATION", "30"))
CONNECTIONS = [int(c) for c in os.environ.get("CONNECTIONS", "8 32").split()]
WORKERS = int(os.environ.get("WORKERS", "2"))
BIN = ROOT / ".venv" / "bin"
ONLY = [t.strip() for t in os.environ.get("ONLY", "").split(",") if t.strip()]  # e.g. ONLY="dashboard page"

# Each request posts 100 rows with new external ids: "load-<run>-<thread>-<request>-<row>".
INGEST_LUA = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args) prefix = args[1] end
local n = 0
local template = %s
request = function()
  n = n + 1
  local rows = {}
  for i = 1, #template do
    rows[i] = (string.gsub(template[i], "EXTERNAL_ID", "load-" .. prefix .. "-" .. tid .. "-" .. n .. "-" .. i))
  end
  return wrk.format("POST", nil, nil, "[" .. table.concat(rows, ",") .. "]")
end
"""


def run(*args, env=None, check=True):
    return subprocess.run(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, check=check, capture_output=True, text=True
    )


def prepare() -> dict:
    """A fresh database with the demo platform; returns what the runs need (cookies, tokens, ids, rows)."""
    if not os.environ.get("REUSE_DB"):  # REUSE_DB=1: the database of an earlier run, as it is
        run("psql", "postgres://postgres@127.0.0.1:5432/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}")
        run("psql", "postgres://postgres@127.0.0.1:5432/postgres", "-qc", f"CREATE DATABASE {DB}")
        run(str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0")
        run(str(BIN / "python"), "manage.py", "seed_demo")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from core.access import provider_id_of
    from core.dates import shanghai_today
    from core.tokens import api_token_create
    from providers.models import Merchant

    user = get_user_model().objects.get(username="provider1")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    pipeline = get_user_model().objects.get(username="pipeline")
    merchants = list(Merchant.objects.order_by("pk").values_list("platform_account_id", flat=True)[:100])
    rows = [
        json.dumps(
            {
                "external_id": "EXTERNAL_ID",
                "merchant": m,
                "operator": None,
                "started_at": "2026-11-20T20:00:00+08:00",
                "duration_minutes": 120,
                "gmv": "12345.60",
                "orders": 30,
                "viewers": 900,
                "new_followers": 12,
                "refund_amount": "100.00",
                "paid_spend": "0.00",
                "paid_gmv": "0.00",
                "skus_listed": 20,
                "skus_sold": 6,
            }
        )
        for m in merchants
    ]
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "provider_token": api_token_create(user=user, name="load", replace=True)[1],
        "pipeline_token": api_token_create(user=pipeline, name="load", replace=True)[1],
        "provider_id": provider_id_of(user),
        "rows": rows,
        "start": (shanghai_today() - dt.timedelta(days=90)).isoformat(),
        "end": shanghai_today().isoformat(),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, cache_seconds: int) -> subprocess.Popen:
    env = {**os.environ, "PUBLISHED_CACHE_SECONDS": str(cache_seconds), "OPERATION_EFFECT_CACHE_SECONDS": "0"}
    # Served as in production (DEBUG off), over plain HTTP on loopback.
    env |= {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
    env |= {"SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"}
    # The load is the measurement: the API's rate limits (429 after 600 a minute) would only count refusals.
    env |= {"API_USER_RATE": "100000000/min", "API_INGEST_RATE": "100000000/min", "API_ANON_RATE": "100000000/min"}
    if cache_seconds:
        env["OPERATION_EFFECT_CACHE_SECONDS"] = "300"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "saima.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


# wrk --latency prints the distribution as "    50%    1.23ms" lines.
LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, connections: int, headers: list[str], script: str | None = None) -> dict:
    args = ["wrk", "-t", str(min(connections, 4)), "-c", str(connections), "-d", f"{DURATION}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    tail = []
    if script:
        args += ["-s", script]
        tail = ["--", f"{time.time_ns()}"]  # the run's prefix of new external ids
    out = subprocess.run([*args, url, *tail], capture_output=True, text=True, check=True).stdout
    latency = {q: float(v) * UNIT[u] for q, v, u in LATENCY.findall(out)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(x) for x in socket_errors.groups()) if socket_errors else 0),
        # Answers other than 2xx/3xx only (wrk's socket errors include a read error per connection cut at the end).
        "refused": int(non_2xx.group(1)) if non_2xx else 0,
    }


def probe(url: str, headers: list[str]) -> None:
    """The target answers 200 itself (not a redirect to the login page), or the figures would measure that."""
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(request) as response:
        if response.status != 200:
            sys.exit(f"{url} answered {response.status}, not 200")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench-load` installs Debian's package (apt-get install wrk)")
    ctx = prepare()
    script = Path(tempfile.mkdtemp()) / "ingest.lua"
    script.write_text(INGEST_LUA % ("{" + ",".join(json.dumps(r) for r in ctx["rows"]) + "}"))
    targets = [
        ("dashboard page", "/portal/", [f"Cookie: {ctx['cookie']}"], None),
        ("scores API", "/api/v1/scores/", [f"Authorization: Token {ctx['provider_token']}"], None),
        (
            "operation effect",
            f"/api/v1/providers/{ctx['provider_id']}/operation-effect/?start={ctx['start']}&end={ctx['end']}",
            [f"Authorization: Token {ctx['provider_token']}"],
            None,
        ),
        (
            "ingest (100 rows)",
            "/api/v1/live-sessions/",
            [f"Authorization: Token {ctx['pipeline_token']}", "Content-Type: application/json"],
            str(script),
        ),
    ]
    results = {}
    cached = int(os.environ.get("PUBLISHED_CACHE_SECONDS_ON", "3600"))
    for label, seconds in (("cached", cached), ("not cached", 0)):
        port = free_port()
        server = serve(port, seconds)
        try:
            for name, path, headers, lua in targets:
                if ONLY and name not in ONLY:
                    continue
                if lua and label != "cached":
                    continue  # ingest does not read the cache: measured once
                if not lua:
                    probe(f"http://127.0.0.1:{port}{path}", headers)
                for c in CONNECTIONS:
                    results[(label, name, c)] = r = wrk(f"http://127.0.0.1:{port}{path}", c, headers, lua)
                    print(
                        f"{label:>10} | {name:<18} | {c:>2} conn | {r['rps']:8.1f} req/s | p50 {r['p50']:7.1f} ms"
                        f" | p99 {r['p99']:7.1f} ms | errors {r['errors']}",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait()
    for c in CONNECTIONS if ("cached", "dashboard page", CONNECTIONS[0]) in results else []:
        on, off = results[("cached", "dashboard page", c)], results[("not cached", "dashboard page", c)]
        print(
            f"dashboard at {c} connections: {on['rps'] / off['rps']:.2f}x the requests per second with the cache "
            f"(p99 {on['p99']:.0f} ms against {off['p99']:.0f} ms)"
        )
    ingest = results.get(("cached", "ingest (100 rows)", CONNECTIONS[0]))
    if ingest is None:
        pass
    elif ingest["refused"]:
        print(f"ingest: {ingest['refused']} requests refused, so no rows/s figure (see the server's log)")
    else:
        print(f"ingest: {ingest['rps'] * 100:.0f} rows/s at {CONNECTIONS[0]} connections")
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
