"""List filters never tell "another provider's id" from "no such id" (DESIGN §7)."""

import datetime as dt

import pytest
from django.utils import timezone

from certification.appeals import appeal_file
from certification.ledger import decision_append
from scoring.models import CapabilityModel, QualificationCycle
from tests import factories

pytestmark = pytest.mark.django_db

UNKNOWN = 987654321

# (endpoint, parameter, which foreign row its value names)
PARAMETERS = [
    ("appeals", "decision", "decision"),
    ("appeals", "parent", "appeal"),
    ("appeals", "provider", "provider"),
    ("certificates", "operator", "operator"),
    ("certificates", "provider", "provider"),
    ("cycle-outcomes", "cycle", "cycle"),
    ("cycle-outcomes", "provider", "provider"),
    ("decisions", "cycle", "cycle"),
    ("decisions", "operator", "operator"),
    ("decisions", "provider", "provider"),
    ("decisions", "refers_to", "decision"),
    ("notifications", "cycle", "cycle"),
    ("operator-assessments", "operator", "operator"),
]


@pytest.fixture
def foreign(other_provider, outsider):
    """Rows that exist but that the provider user may not see."""
    decision = decision_append(kind="warn", provider=other_provider, reason_code="low_overall")
    operator = factories.OperatorFactory()
    factories.EmploymentFactory(operator=operator, provider=other_provider)
    now = timezone.now()
    cycle = QualificationCycle.objects.create(
        kind="simulation",
        window_start=now - dt.timedelta(days=30),
        window_end=now,
        capability_model=CapabilityModel.objects.order_by("version").first(),
    )
    return {
        "decision": decision,
        "appeal": appeal_file(decision=decision, filed_by=outsider, statement="请复核"),
        "provider": other_provider,
        "operator": operator,
        "cycle": cycle,
    }


@pytest.mark.parametrize(("endpoint", "parameter", "row"), PARAMETERS)
def test_foreign_and_unknown_ids_answer_the_same(client_for, provider_user, foreign, endpoint, parameter, row):
    client = client_for(provider_user)
    url = f"/api/v1/{endpoint}/"
    unknown = client.get(url, {parameter: UNKNOWN})
    other = client.get(url, {parameter: foreign[row].pk})
    assert (unknown.status_code, other.status_code) == (200, 200), (unknown.json(), other.json())
    assert unknown.json() == other.json()
    assert other.json()["count"] == 0


@pytest.mark.parametrize(("endpoint", "parameter", "row"), PARAMETERS)
def test_staff_filter_by_the_same_ids(client_for, staff, foreign, endpoint, parameter, row):
    """Staff filter as before (an unknown id is an empty list, never a 400)."""
    response = client_for(staff).get(f"/api/v1/{endpoint}/", {parameter: UNKNOWN})
    assert response.status_code == 200 and response.json()["count"] == 0
    response = client_for(staff).get("/api/v1/decisions/", {"provider": foreign["provider"].pk})
    assert [row["id"] for row in response.json()["results"]] == [foreign["decision"].pk]
