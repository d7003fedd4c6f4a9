"""What admission exposes: the pipeline may not apply, and an applicant reads no other company's details."""

import json

import pytest
from django.utils import timezone

from admission.models import AdmissionApplication
from admission.services import admission_submit
from tests import factories
from tests.conftest import make_staff

from .support import check, complete_application
from .test_api import URL, form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def applicant(db):
    return factories.UserFactory(username="applicant")


def test_pipeline_cannot_create_or_touch_admission_applications(client_for, pipeline_user, other_provider, roles):
    client = client_for(pipeline_user)
    response = client.post(URL, form(credit_code=other_provider.credit_code), format="json")
    assert response.status_code == 403
    assert not AdmissionApplication.objects.exists()
    assert client.get(URL).status_code == 403
    # Nor may staff make the pipeline somebody's applicant.
    reviewer = make_staff(roles, "admission_reviewer", username="reviewer")
    response = client_for(reviewer).post(URL, form(applicant=pipeline_user.pk), format="json")
    assert response.status_code == 400 and "applicant" in response.json()["errors"]
    assert not AdmissionApplication.objects.exists()


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/appeals/", {"decision": 1, "statement": "x"}),
        ("post", "/api/v1/cycles/", {"kind": "monthly"}),
        ("post", "/api/v1/operator-assessments/", {"operator": 1, "score": 90}),
        ("post", "/api/v1/operators/", {"name": "x", "platform_user_id": "x"}),
        ("post", "/api/v1/merchants/", {"name": "x", "platform_account_id": "x"}),
        ("post", "/api/v1/complaints/", {"description": "x"}),
        ("post", "/api/v1/rule-sets/", {}),
        ("post", URL, {}),
    ],
)
def test_pipeline_writes_nothing_but_sessions(client_for, pipeline_user, method, url, body):
    assert getattr(client_for(pipeline_user), method)(url, body, format="json").status_code == 403


def test_applicant_sees_pass_fail_and_its_own_figures_only(client_for, applicant, other_provider, roles):
    # Another company's record under the credit code the applicant typed in: a provider with a violation.
    factories.ViolationFactory(provider=other_provider, severity="serious", occurred_at=timezone.now())
    app = complete_application(applicant, code=other_provider.credit_code)
    admission_submit(application=app, actor=applicant)
    stored = AdmissionApplication.objects.get(pk=app.pk).checks
    assert check(stored, "not_already_provider")["evidence"]["provider_id"] == other_provider.pk
    assert check(stored, "no_serious_violation")["evidence"]["violations"]

    body = client_for(applicant).get(f"{URL}{app.pk}/").json()
    shown = {c["check"]: c for c in body["checks"]}
    assert {c: r["passed"] for c, r in shown.items()} == {r["check"]: r["passed"] for r in stored}
    assert shown["not_already_provider"]["evidence"] == {}
    assert shown["no_serious_violation"]["evidence"] == {
        "since": check(stored, "no_serious_violation")["evidence"]["since"]
    }
    assert shown["no_other_open_application"]["evidence"] == {}
    assert shown["registered_capital"]["evidence"] == {"registered_capital": "1000000.00", "minimum": "1000000.00"}
    operators = shown["certified_operators"]["evidence"]
    assert operators["operators"] == [{"platform_user_id": uid} for uid in body["operators"]]
    assert "certified" not in operators
    for secret in ("provider_id", "provider_status", "violations", "earlier_open_application_ids", "certified"):
        assert f'"{secret}"' not in json.dumps(body["checks"]), secret
    # Staff read the full evidence.
    reviewer = make_staff(roles, "admission_reviewer", username="reviewer")
    assert client_for(reviewer).get(f"{URL}{app.pk}/").json()["checks"] == stored
