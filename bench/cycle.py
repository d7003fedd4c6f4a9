"""Benchmark of a full qualification cycle — score, preview, publish — next to scoring alone (not a test).

Reuses bench/scoring.py's generated platform (database ``saima_bench_scoring``, SCALE × DESIGN §9) and
times in one run: (a) cycle_score; (b) cycle_preview_compute (rules engine over every provider);
(c) cycle_publish (ledger decisions, tiers, certificates, notifications in one transaction).
Goal: b + c ≤ 50 % of a.

    SCALE=0.1 .venv/bin/python bench/cycle.py         # generate, then time
    REUSE=1 SCALE=0.1 .venv/bin/python bench/cycle.py # reuse a database bench/scoring.py left (KEEP=1)
"""

import importlib.util
import os
import sys
import time
from pathlib import Path

# bench/scoring.py under another name (``scoring`` is the Django app); it sets DATABASE_URL to its database.
_spec = importlib.util.spec_from_file_location("bench_scoring", Path(__file__).resolve().parent / "scoring.py")
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)


def main() -> None:
    if not os.environ.get("REUSE"):
        t = time.perf_counter()
        base.fresh_database()
        base.generate()
        print(f"generated scale {base.SCALE}: {base.N_P} providers, {base.N_S} window sessions "
              f"in {time.perf_counter() - t:.0f} s")  # fmt: skip
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.db.models import Count

    from certification import cycles
    from certification.models import Decision
    from core.audit import job_context
    from providers.models import Provider
    from scoring import services
    from scoring.models import CapabilityModel, QualificationCycle

    sh = services.SHANGHAI
    start, end = dt.datetime(2025, 6, 1, tzinfo=sh), dt.datetime(2025, 7, 1, tzinfo=sh)
    if QualificationCycle.objects.filter(status="published").exists():
        sys.exit("this database already has a published cycle; run without REUSE")
    QualificationCycle.objects.all().delete()
    # Some providers start high so the run has demotions and certificate supersessions too.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE providers_provider SET tier = 'L3' WHERE id % 7 = 0")
    cycle = cycles.cycle_create(
        kind="monthly", window_start=start, window_end=end, capability_model=CapabilityModel.objects.get(version=1)
    )
    token = cycles.cycle_claim(cycle_id=cycle.pk)
    cycles._step(cycle.pk, token, "scoring", 10, from_stage="queued")

    t = time.perf_counter()
    scored = services.cycle_score(cycle=cycle)
    a = time.perf_counter() - t
    t = time.perf_counter()
    outcomes = cycles.cycle_preview_compute(cycle=cycle)
    b = time.perf_counter() - t
    t = time.perf_counter()
    body = cycles.cycle_preview(cycle=cycle)
    b2 = time.perf_counter() - t
    QualificationCycle.objects.filter(pk=cycle.pk).update(status="computed")
    cycle.refresh_from_db()
    ledger = Decision.objects.count()
    t = time.perf_counter()
    with job_context("bench", "cycle_publish"):  # an audit context, as the console, the API and tasks give it
        summary = cycles.cycle_publish(cycle=cycle, user=None)
    c = time.perf_counter() - t
    print(f"(a) cycle_score: {a:.2f} s for {scored} providers")
    print(f"(b) cycle_preview_compute: {b:.2f} s for {outcomes} outcomes; preview body {b2:.2f} s; "
          f"counts {body['counts']['all']}")  # fmt: skip
    print(f"(c) cycle_publish: {c:.2f} s: {summary}")
    tiers = dict(Provider.objects.values_list("tier").annotate(n=Count("id")).order_by("tier"))
    print(f"ledger {ledger} → {Decision.objects.count()}; providers by tier {tiers}")
    print(f"(b + c) / a = {(b + c) / a:.2f} (goal ≤ 0.50)")


if __name__ == "__main__":
    main()
