"""The ecosystem API: the report and its drill-downs (staff), the programme (staff), a provider's own list."""

import datetime as dt

import pytest

from ecosystem.models import Programme
from ecosystem.services import report_store
from tests import factories

from . import scenario

pytestmark = pytest.mark.django_db


def test_report_for_staff_only(client_for, staff, provider_user, django_assert_max_num_queries):
    scenario.build()
    with django_assert_max_num_queries(13):  # 6 figures statements, the data start, jit off in a savepoint
        body = client_for(staff).get("/api/v1/ecosystem/report/?month=2025-03").json()
    assert body["stored"] is False and body["operation_effect"] is None
    assert body["gmv_at_least"][0] == {"threshold": 500000, "count": 2, "year_earlier": 1, "ratio": "2"}
    assert body["served_share"]["share"] == "0.8"
    assert client_for(provider_user).get("/api/v1/ecosystem/report/?month=2025-03").status_code == 403
    assert client_for(None).get("/api/v1/ecosystem/report/?month=2025-03").status_code in (401, 403)
    bad = client_for(staff).get("/api/v1/ecosystem/report/?month=2025-13")
    assert bad.status_code == 400 and "month" in bad.json()["errors"]


def test_stored_report_carries_the_operation_effect(client_for, staff):
    scenario.build()
    report_store(month=dt.date(2025, 3, 1))
    body = client_for(staff).get("/api/v1/ecosystem/report/?month=2025-03").json()
    assert body["stored"] is True and body["computed_at"].endswith("+08:00")
    assert body["operation_effect"]["all"]["operated_gmv"] == "600000.00"
    assert body["first_time"]["count"] == 1


def test_drilldowns(client_for, staff, provider_user):
    scenario.build()
    url = "/api/v1/ecosystem/report/merchants/?month=2025-03&kind=gmv_at_least&threshold=1000000"
    body = client_for(staff).get(url).json()
    assert body["count"] == 1 and [r["name"] for r in body["results"]] == ["B"]
    assert client_for(staff).get(url.replace("1000000", "7")).status_code == 400
    assert client_for(staff).get(url.replace("gmv_at_least", "nope")).status_code == 400
    assert client_for(provider_user).get(url).status_code == 403
    body = client_for(staff).get("/api/v1/ecosystem/report/providers/?month=2025-03&type=mcn").json()
    assert [r["name"] for r in body["results"]] == ["P"]


def test_programme_and_own_lists(client_for, staff, roles):
    s = scenario.build_programme()
    q_user = factories.ProviderUserFactory(provider=s["Q"]).user
    r_user = factories.ProviderUserFactory(provider=s["R"]).user
    body = client_for(staff).get("/api/v1/ecosystem/programme/?month=2025-06").json()
    assert (body["programme_months"], body["elapsed_months"]) == (12, 6)
    assert [(p["provider_name"], p["leaps"], p["almost"], p["on_track_high"]) for p in body["providers"]] == [
        ("Q", 2, 2, True),
        ("R", 1, 1, True),
    ]
    assert body["groups"][0]["providers_reached"] == 1
    assert client_for(q_user).get("/api/v1/ecosystem/programme/?month=2025-06").status_code == 403
    own = client_for(q_user).get("/api/v1/ecosystem/programme/merchants/?month=2025-06").json()
    assert (own["leaps"], own["almost"]) == (2, 2)
    assert {r["provider_id"] for r in own["results"]} == {s["Q"].pk}
    # another provider's list answers like an empty one; staff see any provider's
    other = client_for(r_user).get(f"/api/v1/ecosystem/programme/merchants/?month=2025-06&provider={s['Q'].pk}")
    assert other.json()["results"] == []
    body = client_for(staff).get(f"/api/v1/ecosystem/programme/merchants/?month=2025-06&provider={s['R'].pk}").json()
    assert sorted(r["merchant_name"] for r in body["results"]) == ["G", "J"]
    body = client_for(staff).get("/api/v1/ecosystem/programme/merchants/?month=2025-06&kind=leap").json()
    assert body["leaps"] == 3 and body["almost"] == 0


def test_programme_terms_are_written_through_the_service(client_for, staff, provider_user):
    body = {"name": "造风者", "start_month": "2025-01-01", "deadline_month": "2027-12-01"}
    created = client_for(staff).post("/api/v1/ecosystem/programmes/", body, format="json")
    assert created.status_code == 201, created.json()
    assert Programme.objects.get().high_bar == 50
    bad = client_for(staff).post("/api/v1/ecosystem/programmes/", {**body, "start_month": "2025-01-15"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "not_first_of_month"
    assert Programme.objects.count() == 1
    assert client_for(provider_user).post("/api/v1/ecosystem/programmes/", body, format="json").status_code == 403
    assert client_for(provider_user).get("/api/v1/ecosystem/programmes/").json()["count"] == 1
