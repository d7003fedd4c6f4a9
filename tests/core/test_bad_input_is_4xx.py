"""Inputs that used to answer 500: each is now a 4xx with the error body."""

import pytest

from certification import cycles
from scoring.models import QualificationCycle
from tests import factories
from tests.conftest import make_staff
from tests.scoring import platform as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(roles):
    return make_staff(roles, "cycle_manager", username="manager")


@pytest.mark.parametrize("method", ["TRACE", "QUERY"])
@pytest.mark.parametrize("path", ["/api/v1/providers/", "/api/v1/cycles/", "/api/v1/live-sessions/"])
def test_unknown_methods_answer_405_with_the_error_body(client_for, staff, method, path):
    response = client_for(staff).generic(method, path)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/api/v1/providers/", "/api/v1/live-sessions/"])
def test_q_with_a_non_ascii_digit_is_a_plain_search(client_for, staff, path):
    response = client_for(staff).get(path, {"q": "³"})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_an_impossible_utc_offset_is_a_400(client_for, staff):
    response = client_for(staff).get("/api/v1/providers/", {"admitted_at_after": "2000-01-01T00:00:36-16:11"})
    assert response.status_code == 400
    assert response.json()["errors"]["admitted_at"]
    ok = client_for(staff).get("/api/v1/providers/", {"admitted_at_after": "2000-01-01T00:00:36-10:11"})
    assert ok.status_code == 200


@pytest.mark.parametrize("end_date", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_diagnosis_outside_the_platform_data_is_a_400(client_for, staff, end_date):
    merchant = factories.MerchantFactory()
    response = client_for(staff).get(f"/api/v1/merchants/{merchant.pk}/diagnosis/", {"end_date": end_date})
    assert response.status_code == 400
    assert response.json()["errors"]["end_date"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0687-05-01T00:00:00+08:05:43", "0687-06-01T00:00:00+08:05:43"),
        ("1999-12-01T00:00:00+08:00", "2000-01-01T00:00:00+08:00"),
        ("9000-05-01T00:00:00+08:00", "9000-06-01T00:00:00+08:00"),
    ],
)
def test_cycle_window_outside_the_platform_data_is_refused(client_for, manager, start, end):
    body = {"kind": "monthly", "window_start": start, "window_end": end}
    response = client_for(manager).post("/api/v1/cycles/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) & {"window_start", "window_end"}
    assert not QualificationCycle.objects.exists()


def test_a_json_body_nested_too_deeply_is_a_400(client_for, manager):
    cycle = cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1])
    body = "[" * 100_000 + "]" * 100_000
    response = client_for(manager).post(f"/api/v1/cycles/{cycle.pk}/run/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    cycle.refresh_from_db()
    assert cycle.status == "scheduled"
