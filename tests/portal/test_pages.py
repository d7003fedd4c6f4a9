"""Portal and console pages with the Django test client: access, content, writes through services, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from certification import services as cert_services
from certification.models import Decision
from scoring.models import ProviderScore
from tests import factories
from tests.conftest import make_staff
from tests.portal.conftest import make_cycle, score_providers

pytestmark = pytest.mark.django_db


def client_as(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_home_redirects_by_persona(provider_user, staff):
    assert client_as(None).get("/")["Location"] == "/accounts/login/?next=/"
    assert client_as(provider_user).get("/")["Location"] == "/portal/"
    assert client_as(staff).get("/")["Location"] == "/console/"
    applicant = factories.UserFactory(username="applicant")
    response = client_as(applicant).get("/")
    assert response.status_code == 200 and "/api/docs/" in response.content.decode()
    assert client_as(applicant).get("/portal/").status_code == 404
    assert client_as(applicant).get("/console/").status_code == 404


def test_portal_is_for_provider_users_and_console_for_staff(provider_user, staff):
    assert client_as(staff).get("/portal/").status_code == 404
    assert client_as(provider_user).get("/console/").status_code == 404
    assert client_as(provider_user).get("/console/leaderboard/").status_code == 404
    assert client_as(None).get("/portal/")["Location"] == "/accounts/login/?next=/portal/"


def test_dashboard_shows_latest_published_scores(provider_user, provider, scored):
    # A later computed-but-unpublished cycle and a simulation are not shown.
    score_providers(make_cycle(month=10, status="computed"), scored, base=90)
    body = client_as(provider_user).get("/portal/").content.decode()
    latest = ProviderScore.objects.get(provider=provider, cycle__window_start__month=9)
    assert latest.rank == 1 and latest.cohort_size == 5
    assert 'class="radar"' in body and "series-own" in body and "series-median" in body
    assert f'<dd id="overall">{latest.overall:.1f}</dd>' in body
    assert '<dd id="rank">1 / 5</dd>' in body
    assert '<dd id="percentile">100%</dd>' in body
    assert 'class="trend"' in body
    assert f"/portal/scores/{latest.pk}/metrics/gpm/" in body


def test_metric_explanation_and_other_providers_score_is_404(provider_user, provider, other_provider, scored):
    own = ProviderScore.objects.filter(provider=provider).latest("cycle__window_start")
    other = ProviderScore.objects.filter(provider=other_provider).latest("cycle__window_start")
    client = client_as(provider_user)
    response = client.get(f"/portal/scores/{own.pk}/metrics/gpm/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<dd id="raw-value">0.5000</dd>' in body  # provider is 5th of 5 → raw value 5/10
    assert '<dd id="median">0.3000</dd>' in body  # median of 0.1 … 0.5
    assert client.get(f"/portal/scores/{other.pk}/metrics/gpm/").status_code == 404
    assert client.get(f"/portal/scores/{own.pk}/metrics/nope/").status_code == 404


def test_merchant_page_is_provider_restricted(provider_user, provider, other_provider):
    own = factories.EngagementFactory(provider=provider).merchant
    foreign = factories.EngagementFactory(provider=other_provider).merchant
    client = client_as(provider_user)
    response = client.get(f"/portal/merchants/{own.pk}/")
    assert response.status_code == 200 and own.name in response.content.decode()
    assert client.get(f"/portal/merchants/{foreign.pk}/").status_code == 404


def _dashboard_queries(user) -> int:
    client = client_as(user)
    client.get("/portal/")  # warm the session and the rule-set cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/portal/").status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_data(provider_user, provider, other_provider):
    score_providers(make_cycle(month=3), [other_provider, provider])
    factories.EngagementFactory(provider=provider)
    small = _dashboard_queries(provider_user)

    cohort = [factories.ProviderFactory() for _ in range(20)] + [other_provider, provider]
    for month in (4, 5, 6, 7):
        score_providers(make_cycle(month=month), cohort)
    for _ in range(15):
        factories.EngagementFactory(provider=provider)
    for _ in range(5):
        cert_services.delist_propose(provider=factories.ProviderFactory(), reason_code="x")
    large = _dashboard_queries(provider_user)
    assert small == large


def test_leaderboard_query_count_and_csv(roles, staff):
    cycle = make_cycle(month=2)
    score_providers(cycle, [factories.ProviderFactory(name=f"P{i}") for i in range(2)])
    client = client_as(staff)
    client.get("/console/leaderboard/")
    with CaptureQueriesContext(connection) as small:
        client.get("/console/leaderboard/")
    score_providers(make_cycle(month=3), [factories.ProviderFactory() for _ in range(2)])
    ProviderScore.objects.filter(cycle=cycle).delete()
    score_providers(cycle, [factories.ProviderFactory(name=f"Q{i}") for i in range(30)])
    with CaptureQueriesContext(connection) as large:
        body = client.get(f"/console/leaderboard/?cycle={cycle.pk}").content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
    assert body.count("<tr><td>mcn</td>") == 30

    response = client.get(f"/console/leaderboard/?cycle={cycle.pk}&cohort=mcn&format=csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "rank,provider,cohort,overall,percentile,session_count,window_gmv"
    assert len(lines) == 31
    assert lines[1].startswith("1,Q29,mcn,")


def test_delisting_approval_through_the_console(roles, auditor):
    maker = make_staff(roles, "cycle_manager", username="maker")
    checker1 = make_staff(roles, "cycle_manager", username="checker1")
    checker2 = make_staff(roles, "cycle_manager", username="checker2")
    target = factories.ProviderFactory(name="Target")
    proposal = cert_services.delist_propose(provider=target, reason_code="test", proposed_by=maker)

    assert client_as(auditor).post(f"/console/delistings/{proposal.pk}/approve/").status_code == 403
    response = client_as(maker).post(f"/console/delistings/{proposal.pk}/approve/", follow=True)
    assert "提议人不能批准自己的提议。" in response.content.decode()
    assert proposal.approvals.count() == 0

    assert "Target" in client_as(checker1).get("/console/delistings/").content.decode()
    client_as(checker1).post(f"/console/delistings/{proposal.pk}/approve/")
    client_as(checker2).post(f"/console/delistings/{proposal.pk}/approve/")
    target.refresh_from_db()
    assert target.status == "delisted"
    assert Decision.objects.filter(refers_to=proposal, status="effective").count() == 1
    assert "Target" not in client_as(checker1).get("/console/delistings/").content.decode()


def test_ledger_page_reports_ok_and_head(staff):
    from certification.ledger import ledger_verification_run

    cert_services.delist_propose(provider=factories.ProviderFactory(), reason_code="x")
    head = Decision.objects.order_by("-seq").first()
    ledger_verification_run()  # what the nightly job does; the page shows its stored result
    body = client_as(staff).get("/console/ledger/").content.decode()
    assert head.hash in body and 'class="ok"' in body


def test_appeal_form_files_through_the_service_and_queue_marks_overdue(roles, provider_user, provider):
    from django.utils import timezone

    from certification.ledger import decision_append
    from certification.models import Appeal

    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")
    old = decision_append(kind="warn", provider=provider, reason_code="old", effective_at=timezone.now())
    fresh = decision_append(kind="demote", provider=provider, reason_code="fresh", effective_at=timezone.now())
    client = client_as(provider_user)
    # An empty statement is refused by the service; nothing is stored.
    response = client.post(f"/portal/decisions/{old.pk}/appeal/", {"statement": "  "})
    assert response.status_code == 200 and Appeal.objects.count() == 0
    assert "申诉须填写陈述。" in response.content.decode()
    assert client.post(f"/portal/decisions/{old.pk}/appeal/", {"statement": "Please look again."}).status_code == 302
    client.post(f"/portal/decisions/{fresh.pk}/appeal/", {"statement": "Wrong numbers."})
    overdue = Appeal.objects.get(decision=old)
    Appeal.objects.filter(pk=overdue.pk).update(due_by=timezone.now() - dt.timedelta(days=1))

    body = client_as(reviewer).get("/console/appeals/").content.decode()
    assert body.count('class="overdue"') == 1
    assert body.index(f'id="appeal-{overdue.pk}"') < body.index(f'id="appeal-{Appeal.objects.get(decision=fresh).pk}"')
    client_as(reviewer).post(f"/console/appeals/{overdue.pk}/decide/", {"outcome": "upheld", "reason": "Numbers hold."})
    overdue.refresh_from_db()
    assert overdue.status == "upheld" and overdue.reviewer == reviewer
    # The provider sees the outcome beside the decision; a provider user cannot reach the staff queue.
    assert client.get("/console/appeals/").status_code == 404
    assert "appeal-status" in client.get("/portal/").content.decode()


def test_cycle_preview_filters_and_publish_needs_confirmation(roles, auditor):
    from certification.models import CycleOutcome

    manager = make_staff(roles, "cycle_manager", username="mgr")
    cycle = make_cycle(month=5, status="computed")
    providers = [factories.ProviderFactory(name=f"Prov{i}") for i in range(3)]
    CycleOutcome.objects.bulk_create(
        [
            CycleOutcome(
                cycle=cycle,
                provider=providers[0],
                cohort="mcn",
                status_before="active",
                ranked=True,
                overall=Decimal("70"),
                current_tier="L1",
                proposed_tier="L2",
                change="promote",
            ),
            CycleOutcome(
                cycle=cycle,
                provider=providers[1],
                cohort="brand",
                status_before="active",
                ranked=True,
                overall=Decimal("20"),
                current_tier="L1",
                proposed_tier="L1",
                change="none",
                warn=True,
            ),
            CycleOutcome(
                cycle=cycle,
                provider=providers[2],
                cohort="mcn",
                status_before="active",
                ranked=False,
                overall=None,
                current_tier="L0",
                proposed_tier="L0",
                change="none",
            ),
        ]
    )
    client = client_as(manager)
    body = client.get(f"/console/cycles/{cycle.pk}/preview/?cohort=mcn&outcome=promote").content.decode()
    assert "Prov0" in body and "Prov1" not in body and "Prov2" not in body
    body = client.get(f"/console/cycles/{cycle.pk}/preview/?outcome=warn").content.decode()
    assert "Prov1" in body and "Prov0" not in body
    # GET is only the confirmation page; the auditor may not publish.
    assert "confirm-publish" in client.get(f"/console/cycles/{cycle.pk}/publish/").content.decode()
    cycle.refresh_from_db()
    assert cycle.status == "computed"
    assert client_as(auditor).post(f"/console/cycles/{cycle.pk}/publish/").status_code == 403
    cycle.refresh_from_db()
    assert cycle.status == "computed"
    status = client.get(f"/console/cycles/{cycle.pk}/status.json").json()
    assert status["status"] == "computed" and status["percent"] == 100


def test_admission_queue_shows_checks_and_reviewer_admits(roles, auditor, settings, tmp_path):
    from admission.models import AdmissionApplication
    from admission.services import admission_submit
    from providers.models import Provider
    from tests.admission.support import complete_application

    settings.MEDIA_ROOT = str(tmp_path)
    applicant = factories.UserFactory(username="applicant")
    reviewer = make_staff(roles, "admission_reviewer", username="adm")
    app = complete_application(applicant)
    app = admission_submit(application=app, actor=applicant)

    body = client_as(auditor).get("/console/admissions/").content.decode()
    assert app.company_name in body and body.count('class="ok"') == len(app.checks)
    assert "admission-act" not in body and f"/console/admissions/{app.pk}/review/" not in body  # read-only role
    assert client_as(auditor).post(f"/console/admissions/{app.pk}/review/").status_code == 403

    client = client_as(reviewer)
    client.post(f"/console/admissions/{app.pk}/review/")
    assert AdmissionApplication.objects.get(pk=app.pk).status == "under_review"
    client.post(f"/console/admissions/{app.pk}/approve/", {"reason": "All good."})
    app.refresh_from_db()
    assert app.status == "admitted" and Provider.objects.filter(credit_code=app.credit_code).exists()
    assert f"application-{app.pk}" not in client.get("/console/admissions/").content.decode()


def test_admission_queue_says_stored_check_errors_in_the_readers_language(auditor, settings, tmp_path):
    from admission.services import admission_submit
    from tests.admission.support import complete_application

    settings.MEDIA_ROOT = str(tmp_path)
    applicant = factories.UserFactory(username="applicant")
    app = complete_application(applicant, credit_code="91350100M000100Y4")
    with translation.override("en"):  # the submitter's language does not matter
        admission_submit(application=app, actor=applicant)
    client = client_as(auditor)
    body = client.get("/console/admissions/").content.decode()
    assert "统一社会信用代码为 18 位，此代码为 17 位。" in body and "统一社会信用代码有效" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/console/admissions/").content.decode()
    assert "A unified social credit code has 18 characters; this one has 17." in body
    assert "Valid unified social credit code" in body


def test_simulation_comparison_page_and_english_labels(roles, staff, provider_user, scored):
    from django.conf import settings as dj_settings

    from certification.models import CycleOutcome

    published = make_cycle(month=6)
    simulation = make_cycle(month=6, status="computed", kind="simulation")
    target = factories.ProviderFactory(name="Moved Co")
    common = {"provider": target, "cohort": "mcn", "status_before": "active", "ranked": True, "current_tier": "L1"}
    CycleOutcome.objects.create(cycle=published, overall=Decimal("50"), proposed_tier="L1", change="none", **common)
    CycleOutcome.objects.create(cycle=simulation, overall=Decimal("70"), proposed_tier="L2", change="promote", **common)
    body = client_as(staff).get(f"/console/cycles/{simulation.pk}/comparison/").content.decode()
    assert "Moved Co" in body and "L1 (50.00)" in body and "L2 (70.00)" in body
    assert client_as(staff).get(f"/console/cycles/{published.pk}/comparison/").status_code == 404

    client = client_as(provider_user)
    client.cookies[dj_settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/portal/").content.decode()
    assert '<html lang="en">' in body and "Overall score" in body and "Growth" in body
