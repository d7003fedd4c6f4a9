"""The decisions endpoint: who sees which decisions, filters, query budget."""

import pytest

from certification.ledger import decision_append
from certification.models import Decision
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(provider, other_provider, staff):
    return {
        "own_warn": decision_append(kind="warn", provider=provider, reason_code="low_percentile"),
        "own_promote": decision_append(kind="promote", provider=provider, reason_code="bar_met", decided_by=staff),
        "other_warn": decision_append(kind="warn", provider=other_provider, reason_code="low_overall"),
        "admission": decision_append(
            kind="admit", subject_type="admission_application", subject_id="7", reason_code="checks_passed"
        ),
    }


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_staff_and_auditor_see_every_decision(client_for, ledger, staff, auditor):
    for user in (staff, auditor):
        response = client_for(user).get("/api/v1/decisions/")
        assert response.status_code == 200
        assert ids(response) == [d.pk for d in reversed(ledger.values())]  # newest first


def test_provider_user_sees_only_its_own(client_for, ledger, provider_user, outsider):
    response = client_for(provider_user).get("/api/v1/decisions/")
    assert ids(response) == [ledger["own_promote"].pk, ledger["own_warn"].pk]
    assert ids(client_for(outsider).get("/api/v1/decisions/")) == [ledger["other_warn"].pk]
    for name in ("other_warn", "admission"):
        response = client_for(provider_user).get(f"/api/v1/decisions/{ledger[name].pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    response = client_for(provider_user).get(f"/api/v1/decisions/{ledger['own_promote'].pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["decided_by"] == "staff"  # a placeholder for provider users, never the login
    assert body["hash"] == ledger["own_promote"].hash
    assert body["prev_hash"] == ledger["own_warn"].hash


def test_staff_see_who_decided_provider_users_only_that_staff_did(client_for, ledger, provider, manager, provider_user):
    own = decision_append(kind="warn", provider=provider, reason_code="manual", decided_by=manager)
    assert client_for(manager).get(f"/api/v1/decisions/{own.pk}/").json()["decided_by"] == "manager"
    assert client_for(provider_user).get(f"/api/v1/decisions/{own.pk}/").json()["decided_by"] == "staff"
    assert client_for(provider_user).get(f"/api/v1/decisions/{ledger['own_warn'].pk}/").json()["decided_by"] is None


def test_anonymous_is_refused(client_for, ledger):
    assert client_for(None).get("/api/v1/decisions/").status_code in (401, 403)


def test_filters(client_for, ledger, provider, staff):
    client = client_for(staff)
    assert ids(client.get("/api/v1/decisions/?kind=warn")) == [ledger["other_warn"].pk, ledger["own_warn"].pk]
    assert ids(client.get(f"/api/v1/decisions/?provider={provider.pk}&kind=promote")) == [ledger["own_promote"].pk]
    assert ids(client.get("/api/v1/decisions/?status=pending")) == []
    assert ids(client.get("/api/v1/decisions/?subject_type=admission_application&subject_id=7")) == [
        ledger["admission"].pk
    ]


def test_decisions_are_read_only_over_the_api(client_for, ledger, staff):
    client = client_for(staff)
    pk = ledger["own_warn"].pk
    # Refused by permission or by method: either way nothing changes.
    assert client.delete(f"/api/v1/decisions/{pk}/").status_code in (403, 405)
    assert client.patch(f"/api/v1/decisions/{pk}/", {"reason_code": "x"}, format="json").status_code in (403, 405)
    assert client.post("/api/v1/decisions/", {"kind": "warn"}, format="json").status_code in (403, 405)
    assert Decision.objects.count() == 4
    assert Decision.objects.get(pk=pk).reason_code == "low_percentile"


def test_list_query_budget(client_for, staff, django_assert_max_num_queries):
    for _ in range(20):
        decision = decision_append(
            kind="delist", status="pending", provider=factories.ProviderFactory(), reason_code="x"
        )
        decision_append(kind="delist", status="rejected", refers_to=decision, reason_code="no")
    client = client_for(staff)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/decisions/")
    assert len(response.json()["results"]) == 40
