"""Benchmark of the decision ledger (not a test): append latency, and verify_ledger over a long chain.

Uses its own database ``saima_bench_ledger`` (created and migrated, dropped unless KEEP=1):
(a) N_APPEND decisions through decision_append one by one (each its own transaction, advisory lock);
(b) a chain of N_CHAIN decisions built with the same hash function and bulk-inserted (COPY-like
    bulk_create), then ledger_verify over it.

    .venv/bin/python bench/ledger.py                      # N_APPEND=2000, N_CHAIN=200000
"""

# ruff: noqa: S603, S607 - a local benchmark: createdb/dropdb from PATH

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DB = "saima_bench_ledger"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ["MIGRATION_DATABASE_URL"] = os.environ["DATABASE_URL"]  # one role: benchmarks need no split
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
N_APPEND = int(os.environ.get("N_APPEND", 2000))
N_CHAIN = int(os.environ.get("N_CHAIN", 200_000))


def main():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from certification.ledger import canonical, chain_hash, content_of, decision_append, ledger_verify
    from certification.models import Decision

    start = time.perf_counter()
    for i in range(N_APPEND):
        decision_append(kind="warn", reason_code="bench", evidence={"i": i})
    append_s = time.perf_counter() - start
    print(f"decision_append: {N_APPEND} in {append_s:.2f} s = {append_s / N_APPEND * 1000:.2f} ms each")

    head = Decision.objects.order_by("-seq").values("seq", "hash").first()
    seq, prev = head["seq"], head["hash"]
    rows, now = [], timezone.now()
    start = time.perf_counter()
    for i in range(N_CHAIN):
        seq += 1
        fields = {
            "kind": "warn",
            "reason_code": "bulk",
            "evidence": canonical({"i": i}),
            "status": "effective",
            "effective_at": now,
            "created_at": now,
            "subject_type": "",
            "subject_id": "",
            "reason_text": "",
        }
        digest = chain_hash(prev, content_of({"seq": seq, **fields}))
        rows.append(Decision(seq=seq, prev_hash=prev, hash=digest, **fields))
        prev = digest
    Decision.objects.bulk_create(rows, batch_size=5000)
    print(f"built and inserted {N_CHAIN} chained rows in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    report = ledger_verify()
    verify_s = time.perf_counter() - start
    assert report.broken is None and report.count == N_APPEND + N_CHAIN, report
    print(f"ledger_verify: {report.count} decisions in {verify_s:.1f} s = {report.count / verify_s:,.0f} rows/s")
    from django.db import connections

    connections.close_all()
    if not os.environ.get("KEEP"):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)


if __name__ == "__main__":
    main()
