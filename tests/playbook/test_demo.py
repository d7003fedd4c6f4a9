"""seed_demo's playbook step: plans in every stage, reviews of past streams, one operator with a public record."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from certification.models import Certificate
from playbook.models import OperationPlan, OperatorRecordConsent, Review

ARGS = ["--seed", "7", "--providers", "8", "--days", "75", "--today", "2026-06-15"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", *ARGS, stdout=StringIO())


def test_plans_in_every_stage_reviews_and_a_public_record(seeded):
    statuses = set(OperationPlan.objects.values_list("status", flat=True))
    assert statuses == {"preparing", "ready", "linked", "reviewed", "cancelled"}
    # Preparing plans stand at different stages: fresh, diagnosed, and up to the preheat.
    open_counts = sorted(
        OperationPlan.objects.filter(status="preparing").values_list("ticks__item__stage__key", flat=True).distinct(),
        key=str,
    )
    assert {"diagnosis", "setup", "lineup", "preheat"} <= set(open_counts)
    reviews = list(Review.objects.select_related("session", "plan"))
    assert len(reviews) == 3 and all(r.plan.stream_external_id == r.session.external_id for r in reviews)
    assert all(r.figures[0]["actual"] is not None for r in reviews)
    consent = OperatorRecordConsent.objects.get()
    cert = Certificate.objects.filter(operator=consent.operator, kind="operator", status="active").first()
    body = Client().get(f"/verify/operators/{cert.number}.json").json()
    assert body["credentialSubject"]["name"] == consent.operator.name
