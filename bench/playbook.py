"""Benchmark of the review page (not a test): a review holding 600 minutes of curves, rendered N times.

Uses its own database ``saima_bench_playbook`` (created and migrated, dropped unless KEEP=1). The review's
curves are synthetic (six series of 601 minutes and an event every 30 minutes, the shape review_curves will
return once the live wall is wired); the page is fetched through Django's test client, signed in as the
provider's user, so the time includes the queries, the template and the six SVG curves.

    .venv/bin/python bench/playbook.py                    # N=50
"""

# ruff: noqa: S603, S607 - a local benchmark: createdb/dropdb from PATH

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DB = "saima_bench_playbook"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ["MIGRATION_DATABASE_URL"] = os.environ["DATABASE_URL"]  # one role: benchmarks need no split
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
N = int(os.environ.get("N", 50))


def main():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    import tempfile

    from django.test import Client

    from playbook import services
    from playbook.models import Review
    from playbook.reviews import exit_spikes
    from providers.ingest import ingest_rows
    from tests import factories
    from tests.playbook import world as wd
    from tests.playbook.curves import curves
    from tests.playbook.test_services import linked_plan

    settings.MEDIA_ROOT = tempfile.mkdtemp()
    provider, other = factories.ProviderFactory(), factories.ProviderFactory()
    user = factories.ProviderUserFactory(provider=provider).user
    w = wd.build(provider, other)
    plan = linked_plan(w, user)
    ingest_rows(rows=[wd.final_row(w, provider)])
    services.reviews_refresh()
    review = Review.objects.get(plan=plan)
    review.curves = curves(600)
    review.exit_spikes = exit_spikes(review.curves)
    review.save(update_fields=["curves", "exit_spikes"])

    client = Client()
    client.force_login(user)
    url = f"/portal/reviews/{review.pk}/"
    assert client.get(url).status_code == 200  # warm: templates compiled, connection open
    times = []
    for _ in range(N):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    print(
        f"review page with 600 minutes × 6 curves: {len(response.content) / 1024:.0f} KiB; "
        f"median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, "
        f"max {times[-1]:.1f} ms over {N} requests"
    )
    from django.db import connections

    connections.close_all()
    if not os.environ.get("KEEP"):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)


if __name__ == "__main__":
    main()
