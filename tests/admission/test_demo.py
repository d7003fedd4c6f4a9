"""seed_demo's admission step: admission applications in every state."""

from io import StringIO

import pytest
from django.core.management import call_command

from admission.models import AdmissionApplication

ARGS = ["--seed", "7", "--providers", "8", "--days", "75", "--today", "2026-06-15"]


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", *ARGS, stdout=StringIO())


def test_admission_applications_in_every_state(seeded):
    statuses = sorted(AdmissionApplication.objects.values_list("status", flat=True))
    assert statuses == sorted(["draft", "submitted", "under_review", "admitted", "rejected", "withdrawn"])
    admitted = AdmissionApplication.objects.get(status="admitted")
    assert admitted.provider.users.get().user.username == "applicant4"
    rejected = AdmissionApplication.objects.get(status="rejected")
    assert [c["check"] for c in rejected.checks if not c["passed"]] == ["registered_capital"]
