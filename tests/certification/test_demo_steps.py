"""seed_demo's certification steps: certified operators, appeals."""

from io import StringIO

import pytest
from django.core.management import call_command

from certification.appeals import appeal_window
from certification.models import Appeal, Certificate, OperatorAssessment
from providers.models import Employment

ARGS = ["--seed", "7", "--providers", "8", "--days", "75", "--today", "2026-06-15"]


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", *ARGS, stdout=StringIO())


def test_certified_operators_of_several_providers(seeded):
    certificates = Certificate.objects.filter(kind="operator", status="active")
    assert certificates.count() >= 3
    assert all(c.number.startswith("OP-2026-") for c in certificates)
    providers = set(
        Employment.objects.filter(operator__certificates__in=certificates, end_date__isnull=True).values_list(
            "provider_id", flat=True
        )
    )
    assert len(providers) >= 2
    # Every certificate was granted by the rules: a passing assessment stands behind it.
    for certificate in certificates:
        latest = OperatorAssessment.objects.filter(operator=certificate.operator).order_by("-assessed_on").first()
        assert latest.score >= 80
        assert certificate.decision.kind == "certify" and certificate.decision.decided_by.username == "manager"


def test_appeals_open_upheld_overturned(seeded):
    appeals = {a.status: a for a in Appeal.objects.select_related("decision", "provider")}
    assert set(appeals) == {"open", "upheld", "overturned"}
    assert appeals["open"].filed_by.username == "provider1" and not appeals["open"].overdue
    assert appeals["upheld"].outcome.kind == "appeal_upheld"
    assert appeals["overturned"].outcome.kind == "appeal_overturned"
    import datetime as dt

    assert appeal_window(appeals["upheld"].decision, dt.date(2026, 6, 15))["stage"] == "second"
