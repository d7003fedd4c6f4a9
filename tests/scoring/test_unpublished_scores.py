"""Only published cycles exist for a provider user: a computed cycle under review shows it nothing."""

import datetime as dt

import pytest
from django.test import Client

from providers.models import LiveSession
from scoring.models import ProviderScore, QualificationCycle

from . import platform as pf
from .platform import at, engage, session

pytestmark = pytest.mark.django_db
MAY = (at(2025, 5, 1), at(2025, 6, 1))


@pytest.fixture
def computed(provider):
    """May computed (not published), June computed; the provider has sessions in both."""
    m = pf.merchant()
    engage(provider, m, dt.date(2025, 1, 1))
    op = pf.operator(provider)
    LiveSession.objects.bulk_create(
        [
            session(m, operator=op, provider=provider, started_at=at(2025, month, 2 + i))
            for month in (5, 6)
            for i in range(3)
        ]
    )
    may = pf.run_cycle(MAY, min_sessions=1)
    june = pf.run_cycle(min_sessions=1)
    # As the certification run leaves them: computed, under staff review, not published.
    QualificationCycle.objects.filter(pk__in=[may.pk, june.pk]).update(status="computed")
    return may, june


def test_provider_user_sees_no_score_of_a_computed_cycle(client_for, provider_user, staff, provider, computed):
    may, _ = computed
    score = ProviderScore.objects.get(cycle=may, provider=provider)
    api = client_for(provider_user)
    assert api.get("/api/v1/scores/", {"cycle": may.pk}).json()["count"] == 0
    assert api.get("/api/v1/scores/").json()["count"] == 0
    for url in (f"/api/v1/cycles/{may.pk}/", f"/api/v1/cycles/{may.pk}/scores/", f"/api/v1/scores/{score.pk}/",
                f"/api/v1/scores/{score.pk}/explain/"):  # fmt: skip
        response = api.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
    page = Client()
    page.force_login(provider_user)
    assert page.get(f"/portal/scores/{score.pk}/metrics/gpm/").status_code == 404
    # Staff see the computed cycle (to review it before publishing).
    assert client_for(staff).get("/api/v1/scores/", {"cycle": may.pk}).json()["count"] == 1
    assert client_for(staff).get(f"/api/v1/scores/{score.pk}/explain/").status_code == 200


def test_published_cycle_appears_and_explain_compares_only_with_published(
    client_for, provider_user, provider, computed
):
    may, june = computed
    QualificationCycle.objects.filter(pk=june.pk).update(status="published")  # as cycle_publish leaves it
    june_score = ProviderScore.objects.get(cycle=june, provider=provider)
    api = client_for(provider_user)
    assert [r["id"] for r in api.get("/api/v1/scores/").json()["results"]] == [june_score.pk]
    assert api.get(f"/api/v1/cycles/{june.pk}/scores/").json()["count"] == 1
    explained = api.get(f"/api/v1/scores/{june_score.pk}/explain/").json()
    assert explained["change"] is None  # May is computed, not published: no "previous" for the provider
    page = Client()
    page.force_login(provider_user)
    assert page.get(f"/portal/scores/{june_score.pk}/metrics/gpm/").status_code == 200
    QualificationCycle.objects.filter(pk=may.pk).update(status="published")
    explained = api.get(f"/api/v1/scores/{june_score.pk}/explain/").json()
    assert explained["change"]["previous_cycle"] == may.pk
