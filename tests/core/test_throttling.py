"""API rate limits: bad tokens and anonymous calls per address, signed-in users per user, ingest on its own."""

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from core.tokens import api_token_create

pytestmark = pytest.mark.django_db


def rate_limit(scope: str) -> int:
    return int(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")[0])


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def client_with(key: str | None = None, **extra) -> APIClient:
    client = APIClient(**extra)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en", **({"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}))
    return client


def test_300_bad_tokens_end_in_429s_and_a_good_token_from_the_same_address_still_works(staff, provider):
    limit = rate_limit("anon")
    assert limit < 300
    statuses = [
        client_with(f"{n:040x}").get("/api/v1/providers/").status_code
        for n in range(300)  # a different guess each time
    ]
    assert statuses == [401] * limit + [429] * (300 - limit)

    refused = client_with("not-a-key").get("/api/v1/providers/")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    # The same address without credentials shares the budget of bad tokens.
    assert client_with().get("/api/v1/providers/").status_code == 429
    # A valid key is not an anonymous request: it never drew on (nor is stopped by) that budget.
    _, key = api_token_create(user=staff)
    assert client_with(key).get("/api/v1/providers/").status_code == 200
    # Another address has its own budget.
    assert client_with("not-a-key", REMOTE_ADDR="10.0.0.7").get("/api/v1/providers/").status_code == 401


def test_anonymous_calls_are_limited_per_address_and_x_forwarded_for_is_not_trusted_by_default(settings):
    with_rates(settings, anon="3/min")
    anonymous = [client_with(HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(5)]
    assert [c.get("/api/v1/providers/").status_code for c in anonymous] == [401, 401, 401, 429, 429]


def test_behind_num_proxies_the_forwarded_client_address_counts(settings):
    with_rates(settings, anon="2/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def call(client_address):
        return client_with(HTTP_X_FORWARDED_FOR=f"{client_address}").get("/api/v1/providers/").status_code

    assert [call("198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert call("198.51.100.2") == 401


def test_signed_in_users_are_limited_each_on_their_own(settings, staff, auditor):
    with_rates(settings, user="5/min")
    staff_client = client_with(api_token_create(user=staff)[1])
    assert [staff_client.get("/api/v1/providers/").status_code for _ in range(6)] == [200] * 5 + [429]
    assert staff_client.get("/api/v1/providers/").json()["code"] == "throttled"
    assert client_with(api_token_create(user=auditor)[1]).get("/api/v1/providers/").status_code == 200


def test_ingest_batches_have_their_own_rate_and_are_not_starved_by_other_calls(settings, pipeline_user):
    with_rates(settings, user="2/min", ingest="3/min")
    pipeline = client_with(api_token_create(user=pipeline_user)[1])
    # Any other call the account makes draws on its user budget (this one answers 404 for a service account).
    other = "/api/v1/providers/1/operation-effect/?start=2025-06-01&end=2025-07-01"
    assert [pipeline.get(other).status_code for _ in range(3)] == [404, 404, 429]

    def ingest():
        return pipeline.post("/api/v1/live-sessions/", [], format="json").status_code

    # An empty batch is refused by ingest itself (400): the request got through to it, three times.
    assert [ingest() for _ in range(4)] == [400, 400, 400, 429]


def test_the_defaults_leave_room_for_the_pipeline_and_people():
    assert rate_limit("ingest") >= 100
    assert rate_limit("user") >= 300
    assert 10 <= rate_limit("anon") < 300
