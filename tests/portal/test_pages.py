"""Provider portal pages with the Django test client: access, content, writes through services, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import appeals as appeals_service
from certification import services as cert_services
from certification.ledger import decision_append
from certification.models import Appeal
from pages import formats
from scoring.models import ProviderScore
from tests import factories
from tests.conftest import make_staff, page_client
from tests.scores import make_cycle, score_providers

pytestmark = pytest.mark.django_db


def test_home_redirects_by_persona(provider_user, staff):
    assert page_client(None).get("/")["Location"] == "/accounts/login/?next=/"
    assert page_client(provider_user).get("/")["Location"] == "/portal/"
    assert page_client(staff).get("/")["Location"] == "/console/"
    applicant = factories.UserFactory(username="applicant")
    response = page_client(applicant).get("/")
    assert response.status_code == 200 and "/api/docs/" in response.content.decode()
    assert page_client(applicant).get("/portal/").status_code == 404
    assert page_client(applicant).get("/console/").status_code == 404


def test_portal_is_for_provider_users_only(provider_user, staff):
    assert page_client(staff).get("/portal/").status_code == 404
    assert page_client(None).get("/portal/")["Location"] == "/accounts/login/?next=/portal/"
    assert page_client(provider_user).get("/portal/").status_code == 200


def test_dashboard_shows_latest_published_scores(provider_user, provider, scored):
    # A later computed-but-unpublished cycle and a simulation are not shown.
    score_providers(make_cycle(month=10, status="computed"), scored, base=90)
    body = page_client(provider_user).get("/portal/").content.decode()
    latest = ProviderScore.objects.get(provider=provider, cycle__window_start__month=9)
    assert latest.rank == 1 and latest.cohort_size == 5
    assert 'class="radar"' in body and "series-own" in body and "series-median" in body
    assert f'<dd id="overall">{formats.score(latest.overall)}</dd>' in body
    assert '<dd id="rank">1 / 5</dd>' in body
    assert '<dd id="percentile">100.0%</dd>' in body
    assert 'class="trend"' in body
    assert f"/portal/scores/{latest.pk}/metrics/gpm/" in body


def test_metric_explanation_and_other_providers_score_is_404(provider_user, provider, other_provider, scored):
    own = ProviderScore.objects.filter(provider=provider).latest("cycle__window_start")
    other = ProviderScore.objects.filter(provider=other_provider).latest("cycle__window_start")
    client = page_client(provider_user)
    response = client.get(f"/portal/scores/{own.pk}/metrics/gpm/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<dd id="raw-value">¥0.50</dd>' in body  # provider is 5th of 5 → raw value 5/10 (GPM is in yuan)
    assert '<dd id="median">¥0.30</dd>' in body  # median of 0.1 … 0.5
    assert client.get(f"/portal/scores/{other.pk}/metrics/gpm/").status_code == 404
    assert client.get(f"/portal/scores/{own.pk}/metrics/nope/").status_code == 404


def test_merchant_page_is_provider_restricted(provider_user, provider, other_provider):
    own = factories.EngagementFactory(provider=provider).merchant
    foreign = factories.EngagementFactory(provider=other_provider).merchant
    client = page_client(provider_user)
    response = client.get(f"/portal/merchants/{own.pk}/")
    assert response.status_code == 200 and own.name in response.content.decode()
    assert client.get(f"/portal/merchants/{foreign.pk}/").status_code == 404


def _dashboard_queries(user) -> int:
    client = page_client(user)
    client.get("/portal/")  # warm the session and the rule-set cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/portal/").status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_data(roles, provider_user, provider, other_provider):
    score_providers(make_cycle(month=3), [other_provider, provider])
    factories.EngagementFactory(provider=provider)
    decision_append(kind="warn", provider=provider, reason_code="x", effective_at=timezone.now())
    small = _dashboard_queries(provider_user)

    cohort = [factories.ProviderFactory() for _ in range(20)] + [other_provider, provider]
    for month in (4, 5, 6, 7):
        score_providers(make_cycle(month=month), cohort)
    for _ in range(15):
        factories.EngagementFactory(provider=provider)
    for _ in range(5):
        cert_services.delist_propose(provider=factories.ProviderFactory(), reason_code="x")
    # Decisions with first and second appeals: their windows come from the prefetched appeals, no query each.
    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")
    for kind in ("warn", "demote", "probation", "warn"):
        made = decision_append(kind=kind, provider=provider, reason_code="x", effective_at=timezone.now())
        first = appeals_service.appeal_file(decision=made, filed_by=provider_user, statement="x")
        if kind != "probation":
            appeals_service.appeal_decide(appeal=first, reviewer=reviewer, outcome="upheld", reason="x")
        if kind == "demote":
            appeals_service.appeal_file(decision=made, filed_by=provider_user, statement="again")
    large = _dashboard_queries(provider_user)
    assert small == large
    body = page_client(provider_user).get("/portal/").content.decode()
    # Buttons: the unappealed warning and the two upheld ones without a second appeal.
    assert body.count("appeal-status") == 4 and body.count("/appeal/") == 3


def test_appeal_form_files_through_the_service_and_the_dashboard_shows_the_appeal(provider_user, provider):
    old = decision_append(kind="warn", provider=provider, reason_code="old", effective_at=timezone.now())
    fresh = decision_append(kind="demote", provider=provider, reason_code="fresh", effective_at=timezone.now())
    client = page_client(provider_user)
    # An empty statement is refused by the service; nothing is stored.
    response = client.post(f"/portal/decisions/{old.pk}/appeal/", {"statement": "  "})
    assert response.status_code == 200 and Appeal.objects.count() == 0
    assert "申诉须填写陈述。" in response.content.decode()
    response = client.post(f"/portal/decisions/{old.pk}/appeal/", {"statement": "Please look again."}, follow=True)
    # Filed: the message says so and the page shows its status and a copy of what was filed.
    assert response.redirect_chain == [(f"/portal/decisions/{old.pk}/appeal/", 302)]
    body = response.content.decode()
    assert "申诉已提交" in body and 'href="#filed"' in body
    assert '<section class="card" id="filed">' in body and "Please look again." in body and "待复核" in body
    client.post(f"/portal/decisions/{fresh.pk}/appeal/", {"statement": "Wrong numbers."})
    assert sorted(Appeal.objects.values_list("decision_id", "status")) == [(old.pk, "open"), (fresh.pk, "open")]
    # Filed: the dashboard shows the appeal's status beside each decision and no longer offers the button.
    body = client.get("/portal/").content.decode()
    assert body.count("appeal-status") == 2
    assert f"/portal/decisions/{old.pk}/appeal/" not in body


def test_dashboard_in_english(provider_user, scored):
    body = page_client(provider_user, "en").get("/portal/").content.decode()
    assert '<html lang="en">' in body and "Overall score" in body and "Growth" in body
