"""Staff console pages with the Django test client: access, content, writes through services, query counts."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from admission.models import AdmissionApplication
from admission.services import admission_submit
from certification import appeals as appeals_service
from certification import services as cert_services
from certification.ledger import decision_append, ledger_verification_run
from certification.models import Appeal, CycleOutcome, Decision
from pages import formats
from providers.models import Provider
from scoring.models import ProviderScore
from tests import factories
from tests.admission.support import complete_application
from tests.conftest import make_staff, page_client
from tests.scores import make_cycle, score_providers

pytestmark = pytest.mark.django_db


def test_console_is_for_staff_only(provider_user, staff):
    assert page_client(provider_user).get("/console/").status_code == 404
    assert page_client(provider_user).get("/console/leaderboard/").status_code == 404
    assert page_client(None).get("/console/")["Location"] == "/accounts/login/?next=/console/"
    assert page_client(staff).get("/console/").status_code == 200


def test_leaderboard_query_count_and_csv(roles, staff):
    cycle = make_cycle(month=2)
    score_providers(cycle, [factories.ProviderFactory(name=f"P{i}") for i in range(2)])
    client = page_client(staff)
    client.get("/console/leaderboard/")
    with CaptureQueriesContext(connection) as small:
        client.get("/console/leaderboard/")
    score_providers(make_cycle(month=3), [factories.ProviderFactory() for _ in range(2)])
    ProviderScore.objects.filter(cycle=cycle).delete()
    score_providers(cycle, [factories.ProviderFactory(name=f"Q{i}") for i in range(30)])
    with CaptureQueriesContext(connection) as large:
        body = client.get(f"/console/leaderboard/?cycle={cycle.pk}").content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
    assert body.count('class="movement"') == 30 and body.count(">MCN 机构</td>") == 30

    response = client.get(f"/console/leaderboard/?cycle={cycle.pk}&cohort=mcn&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "排名",
        "服务商",
        "信用代码",
        "同组",
        "等级",
        "状态",
        "总分（/100）",
        "百分位",
        "场次",
        "周期内 GMV",
    ]
    assert len(rows) == 31
    top = ProviderScore.objects.get(cycle=cycle, rank=1)
    assert rows[1] == [
        "1",
        "Q29",
        top.provider.credit_code,
        "MCN 机构",
        "L0 未认证",
        "正常",
        formats.score(top.overall, suffix=False),
        "100.0%",
        "49",
        "¥30,000.00",
    ]


def test_delisting_approval_through_the_console(roles, auditor):
    maker = make_staff(roles, "cycle_manager", username="maker")
    checker1 = make_staff(roles, "cycle_manager", username="checker1")
    checker2 = make_staff(roles, "cycle_manager", username="checker2")
    target = factories.ProviderFactory(name="Target")
    proposal = cert_services.delist_propose(provider=target, reason_code="test", proposed_by=maker)

    assert page_client(auditor).post(f"/console/delistings/{proposal.pk}/approve/").status_code == 403
    response = page_client(maker).post(f"/console/delistings/{proposal.pk}/approve/", follow=True)
    assert "提议人不能批准自己的提议。" in response.content.decode()
    assert proposal.approvals.count() == 0

    assert "Target" in page_client(checker1).get("/console/delistings/").content.decode()
    page_client(checker1).post(f"/console/delistings/{proposal.pk}/approve/")
    page_client(checker2).post(f"/console/delistings/{proposal.pk}/approve/")
    target.refresh_from_db()
    assert target.status == "delisted"
    assert Decision.objects.filter(refers_to=proposal, status="effective").count() == 1
    assert f'id="proposal-{proposal.pk}"' not in page_client(checker1).get("/console/delistings/").content.decode()


def test_ledger_page_reports_ok_and_head(staff):
    cert_services.delist_propose(provider=factories.ProviderFactory(), reason_code="x")
    head = Decision.objects.order_by("-seq").first()
    ledger_verification_run()  # what the nightly job does; the page shows its stored result
    body = page_client(staff).get("/console/ledger/").content.decode()
    assert head.hash in body and 'class="ok"' in body


def test_appeal_queue_marks_overdue_first_and_decides_through_the_service(roles, provider_user, provider):
    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")
    old = decision_append(kind="warn", provider=provider, reason_code="old", effective_at=timezone.now())
    fresh = decision_append(kind="demote", provider=provider, reason_code="fresh", effective_at=timezone.now())
    overdue = appeals_service.appeal_file(decision=old, filed_by=provider_user, statement="Please look again.")
    on_time = appeals_service.appeal_file(decision=fresh, filed_by=provider_user, statement="Wrong numbers.")
    Appeal.objects.filter(pk=overdue.pk).update(due_by=timezone.now() - dt.timedelta(days=1))

    body = page_client(reviewer).get("/console/appeals/").content.decode()
    assert body.count('class="overdue"') == 1
    assert body.index(f'id="appeal-{overdue.pk}"') < body.index(f'id="appeal-{on_time.pk}"')
    decided = {"outcome": "upheld", "reason": "Numbers hold."}
    page_client(reviewer).post(f"/console/appeals/{overdue.pk}/decide/", decided)
    overdue.refresh_from_db()
    assert overdue.status == "upheld" and overdue.reviewer == reviewer
    # A provider user cannot reach the staff queue.
    assert page_client(provider_user).get("/console/appeals/").status_code == 404


def test_cycle_preview_filters_and_publish_needs_confirmation(roles, auditor):
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
    client = page_client(manager)
    body = client.get(f"/console/cycles/{cycle.pk}/preview/?cohort=mcn&outcome=promote").content.decode()
    assert "Prov0" in body and "Prov1" not in body and "Prov2" not in body
    body = client.get(f"/console/cycles/{cycle.pk}/preview/?outcome=warn").content.decode()
    assert "Prov1" in body and "Prov0" not in body
    # GET is only the confirmation page; the auditor may not publish.
    assert "confirm-publish" in client.get(f"/console/cycles/{cycle.pk}/publish/").content.decode()
    cycle.refresh_from_db()
    assert cycle.status == "computed"
    assert page_client(auditor).post(f"/console/cycles/{cycle.pk}/publish/").status_code == 403
    cycle.refresh_from_db()
    assert cycle.status == "computed"
    status = client.get(f"/console/cycles/{cycle.pk}/status.json").json()
    assert status["status"] == "computed" and status["percent"] == 100 and status["done"] is True
    running = make_cycle(month=7, status="running")
    assert client.get(f"/console/cycles/{running.pk}/status.json").json()["done"] is False
    body = client.get(f"/console/cycles/{running.pk}/").content.decode()  # the page follows the run
    assert "console/cycle-progress.js" in body and "publish-link" not in body


def test_admission_queue_shows_checks_and_reviewer_admits(roles, auditor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    applicant = factories.UserFactory(username="applicant")
    reviewer = make_staff(roles, "admission_reviewer", username="adm")
    app = complete_application(applicant)
    app = admission_submit(application=app, actor=applicant)

    body = page_client(auditor).get("/console/admissions/").content.decode()
    assert app.company_name in body and body.count('class="ok"') == len(app.checks)
    assert "admission-act" not in body and f"/console/admissions/{app.pk}/review/" not in body  # read-only role
    assert page_client(auditor).post(f"/console/admissions/{app.pk}/review/").status_code == 403

    client = page_client(reviewer)
    client.post(f"/console/admissions/{app.pk}/review/")
    assert AdmissionApplication.objects.get(pk=app.pk).status == "under_review"
    client.post(f"/console/admissions/{app.pk}/approve/", {"reason": "All good."})
    app.refresh_from_db()
    assert app.status == "admitted" and Provider.objects.filter(credit_code=app.credit_code).exists()
    assert f"application-{app.pk}" not in client.get("/console/admissions/").content.decode()


def test_admission_queue_says_stored_check_errors_in_the_readers_language(auditor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    applicant = factories.UserFactory(username="applicant")
    app = complete_application(applicant, credit_code="91350100M000100Y4")
    with translation.override("en"):  # the submitter's language does not matter
        admission_submit(application=app, actor=applicant)
    client = page_client(auditor)
    body = client.get("/console/admissions/").content.decode()
    assert "统一社会信用代码为 18 位，此代码为 17 位。" in body and "统一社会信用代码有效" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/console/admissions/").content.decode()
    assert "A unified social credit code has 18 characters; this one has 17." in body
    assert "Valid unified social credit code" in body


def test_simulation_comparison_page(staff):
    published = make_cycle(month=6)
    simulation = make_cycle(month=6, status="computed", kind="simulation")
    target = factories.ProviderFactory(name="Moved Co")
    common = {"provider": target, "cohort": "mcn", "status_before": "active", "ranked": True, "current_tier": "L1"}
    CycleOutcome.objects.create(cycle=published, overall=Decimal("50"), proposed_tier="L1", change="none", **common)
    CycleOutcome.objects.create(cycle=simulation, overall=Decimal("70"), proposed_tier="L2", change="promote", **common)
    body = page_client(staff).get(f"/console/cycles/{simulation.pk}/comparison/").content.decode()
    assert "Moved Co" in body and "L1 认证 (50.0/100)" in body and "L2 铜牌 (70.0/100)" in body
    assert page_client(staff).get(f"/console/cycles/{published.pk}/comparison/").status_code == 404
