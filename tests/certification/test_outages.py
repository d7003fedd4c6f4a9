"""A Redis outage: starting a cycle answers 503 and leaves the cycle as it was; /verify/ fails open."""

import datetime as dt

import pytest
from django.test import Client

from certification import cycles, standing
from scoring.models import QualificationCycle
from tests.conftest import make_staff
from tests.scoring import platform as pf


@pytest.fixture
def manager(roles):
    return make_staff(roles, "cycle_manager", username="manager")


@pytest.mark.django_db(transaction=True)
def test_run_while_redis_is_down_answers_503_and_changes_nothing(manager, client_for, redis_down):
    cycle = cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1])
    before = QualificationCycle.objects.values().get(pk=cycle.pk)
    client = client_for(manager)

    response = client.post(f"/api/v1/cycles/{cycle.pk}/run/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response.json()["code"] == "queue_unavailable"
    assert "unavailable" in response.json()["message"]
    assert QualificationCycle.objects.values().get(pk=cycle.pk) == before
    # Not left claimed: a second try is refused the same way, never with 409 cycle_running.
    again = client.post(f"/api/v1/cycles/{cycle.pk}/run/")
    assert (again.status_code, again.json()["code"]) == (503, "queue_unavailable")


@pytest.mark.django_db(transaction=True)
def test_rerun_of_a_computed_cycle_while_redis_is_down_keeps_it_computed(manager, client_for, redis_down):
    cycle = cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1])
    token = cycles.cycle_claim(cycle_id=cycle.pk)
    assert cycles.cycle_run(cycle_id=cycle.pk, token=token)
    before = QualificationCycle.objects.values().get(pk=cycle.pk)

    response = client_for(manager).post(f"/api/v1/cycles/{cycle.pk}/run/")

    assert response.status_code == 503
    after = QualificationCycle.objects.values().get(pk=cycle.pk)
    assert after == before and after["status"] == "computed" and after["run_token"] == token


@pytest.mark.django_db
def test_verify_lets_requests_through_and_logs_when_the_cache_is_down(provider, redis_down, caplog):
    cert = standing.provider_certify(
        provider=provider, level="L3", valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2099, 12, 31)
    )
    anonymous = Client()
    assert anonymous.get(f"/verify/{cert.number}.json").status_code == 200
    assert anonymous.get(f"/verify/{cert.number}/").status_code == 200
    assert "cache is unreachable" in caplog.text


@pytest.mark.django_db
def test_api_rate_limits_fail_open_when_the_cache_is_down(manager, client_for, redis_down, caplog):
    assert client_for(manager).get("/api/v1/cycles/").status_code == 200
    assert "cache is unreachable" in caplog.text
