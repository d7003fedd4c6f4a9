"""The review job on a real Celery worker: the stream's final row arrives through ingest, the job makes the review."""

import pytest

from playbook.models import Review
from playbook.tasks import refresh_reviews_task
from providers.ingest import ingest_rows

from . import world as wd
from .test_services import linked_plan

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_makes_then_refreshes_the_review(
    celery_worker_thread, provider, other_provider, provider_user, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    w = wd.build(provider, other_provider)
    plan = linked_plan(w, provider_user)
    assert ingest_rows(rows=[wd.final_row(w, provider)]).created == 1
    assert refresh_reviews_task.delay().get(timeout=60) == 1
    review = Review.objects.get(plan=plan)
    assert (review.refresh_count, str(review.uplift)) == (0, "14.000000")
    assert refresh_reviews_task.delay().get(timeout=60) == 0  # safe to run twice
    assert ingest_rows(rows=[wd.final_row(w, provider, gmv="30000.00")]).updated == 1
    assert refresh_reviews_task.delay().get(timeout=60) == 1
    review.refresh_from_db()
    assert (review.refresh_count, str(review.uplift)) == (1, "2.000000")
