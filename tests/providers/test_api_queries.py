"""Query budgets: every providers list costs the same number of queries for 1 row as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers import models
from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_rows(endpoint, n, provider, staff):
    """``n`` more rows of ``endpoint`` belonging to ``provider`` (each with its related rows)."""
    if endpoint == "providers":
        factories.ProviderFactory.create_batch(n)
    elif endpoint == "provider-users":
        factories.ProviderUserFactory.create_batch(n, provider=provider)
    elif endpoint in ("operators", "employments"):
        factories.EmploymentFactory.create_batch(n, provider=provider)
    elif endpoint in ("merchants", "engagements"):
        for employment in factories.EmploymentFactory.create_batch(n, provider=provider):
            factories.EngagementFactory(provider=provider, lead_operator=employment.operator)
    elif endpoint == "live-sessions":
        for employment in factories.EmploymentFactory.create_batch(n, provider=provider):
            merchant = factories.EngagementFactory(provider=provider).merchant
            factories.LiveSessionFactory(merchant=merchant, operator=employment.operator, provider=provider)
    elif endpoint == "violations":
        for employment in factories.EmploymentFactory.create_batch(n, provider=provider):
            factories.ViolationFactory(provider=provider, operator=employment.operator)
    elif endpoint == "complaints":
        for engagement in factories.EngagementFactory.create_batch(n, provider=provider):
            factories.ComplaintFactory(provider=provider, merchant=engagement.merchant)
    elif endpoint == "ingest-batches":
        for _ in range(n):
            models.IngestBatch.objects.create(source="api", submitted_by=staff, received=1)


ENDPOINTS = [
    "providers",
    "provider-users",
    "operators",
    "employments",
    "merchants",
    "engagements",
    "live-sessions",
    "violations",
    "complaints",
    "ingest-batches",
]


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "who"),
    # A provider user's providers list is its own provider and its batches list is empty: neither grows.
    [(e, "staff") for e in ENDPOINTS]
    + [(e, "provider_user") for e in ENDPOINTS if e not in ("providers", "ingest-batches")],
)
def test_list_query_count_does_not_grow_with_the_page(client_for, staff, provider_user, provider, endpoint, who):
    user = staff if who == "staff" else provider_user
    client = client_for(user)
    path = f"/api/v1/{endpoint}/"
    add_rows(endpoint, 1, provider, staff)
    client.get(path)  # warm the per-user caches (permissions, provider account)
    one, rows_one = count_queries(client, path)
    add_rows(endpoint, 49, provider, staff)
    fifty, rows_fifty = count_queries(client, path)
    assert rows_fifty - rows_one == 49
    assert fifty == one
    assert one <= 3  # page count + page rows (+ the provider filter's own lookups stay in SQL)
