"""The console as reviewers and managers work with it: pending-work counts, readable admission checks, appeal
review with its evidence, delisting confirmation, messages with next steps, lists, leaderboard, ledger, provider."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admission.models import AdmissionApplication
from admission.services import admission_submit
from certification import appeals as appeals_service
from certification import services as cert_services
from certification import standing
from certification.ledger import decision_append
from certification.models import Appeal, Decision
from pages import formats
from scoring.models import ProviderScore
from tests import factories
from tests.admission.support import complete_application
from tests.conftest import make_staff, page_client
from tests.scores import make_cycle, score_providers

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_home_counts_pending_work(roles, staff, provider_user, provider):
    applicant = factories.UserFactory(username="applicant")
    admission_submit(application=complete_application(applicant), actor=applicant)
    cert_services.delist_propose(provider=factories.ProviderFactory(), reason_code="x")
    made = [decision_append(kind="warn", provider=provider, reason_code="x", effective_at=timezone.now()) for _ in "ab"]
    late, _ = [appeals_service.appeal_file(decision=d, filed_by=provider_user, statement="s") for d in made]
    Appeal.objects.filter(pk=late.pk).update(due_by=timezone.now() - dt.timedelta(hours=1))
    make_cycle(month=4, status="computed")
    make_cycle(month=4, status="computed", kind="simulation")  # a simulation never publishes
    body = page_client(staff).get("/console/").content.decode()
    assert '<span class="big" id="count-admissions">1</span>' in body
    assert '<span class="big" id="count-delistings">1</span>' in body
    assert '<span class="big" id="count-appeals">2</span>' in body
    assert "1 项已逾期" in body and 'class="overdue" id="count-overdue"' in body
    assert '<span class="big" id="count-publish">1</span>' in body


def test_admission_checks_read_as_lines_with_a_summary_and_the_licence(roles, auditor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    applicant = factories.UserFactory(username="applicant")
    app = complete_application(applicant, registered_capital=Decimal("800000.00"))
    app = admission_submit(application=app, actor=applicant)
    client = page_client(auditor, "en")
    body = client.get("/console/admissions/").content.decode()
    assert "1 of 10 checks failed." in body
    assert "Registered capital ¥800,000.00 (at least ¥1,000,000.00)." in body
    assert "3 of 3 proposed operators count (3 certified; at least 3)." in body
    assert "{&#x27;" not in body and "registered_capital" not in body  # no Python dict text, no keys
    assert f'href="/api/v1/admission-applications/{app.pk}/document/"' in body
    assert client.get(f"/api/v1/admission-applications/{app.pk}/document/").status_code == 200  # it opens
    chinese = page_client(auditor).get("/console/admissions/").content.decode()
    assert "10 项检查中 1 项未通过。" in chinese and "注册资本 ¥800,000.00（至少 ¥1,000,000.00）。" in chinese
    assert "checks failed" not in chinese and "Found" not in chinese


def test_admit_says_what_happened_and_links_the_provider_reject_is_distinct_and_confirmed(roles, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    reviewer = make_staff(roles, "admission_reviewer", username="adm")
    applicant = factories.UserFactory(username="applicant")
    app = admission_submit(application=complete_application(applicant), actor=applicant)
    client = page_client(reviewer)
    response = client.post(f"/console/admissions/{app.pk}/review/", follow=True)
    body = response.content.decode()
    assert "已开始审核" in body
    assert 'class="danger">驳回</button>' in body and 'data-confirm="确定驳回' in body
    response = client.post(f"/console/admissions/{app.pk}/approve/", {"reason": "ok"}, follow=True)
    app.refresh_from_db()
    assert app.status == "admitted"
    assert f'已准入：{app.company_name} 现为 L0 服务商。 <a href="/console/providers/{app.provider_id}/">' in (
        response.content.decode()
    )
    history = client.get("/console/admissions/?view=decided").content.decode()
    assert f'id="application-{app.pk}"' in history and f"/console/providers/{app.provider_id}/" in history


def test_appeal_review_shows_decision_scores_statement_attachments_and_no_default_outcome(
    roles, provider_user, provider
):
    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")
    cycle = make_cycle(month=8)
    score = score_providers(cycle, [factories.ProviderFactory(), provider])[1]
    evidence = {"reasons": [{"code": "warn_overall", "params": {"overall": "28.6875", "bar": "30"}}]}
    warn = decision_append(
        kind="warn",
        provider=provider,
        cycle=cycle,
        reason_code="cycle_warning",
        evidence=evidence,
        effective_at=timezone.now(),
    )
    pdf = SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")
    appeal = appeals_service.appeal_file(
        decision=warn, filed_by=provider_user, statement="The complaint was withdrawn.", attachments=[pdf]
    )
    body = page_client(reviewer, "en").get("/console/appeals/").content.decode()
    assert "Warning: the overall score 28.6 is below 30." in body
    assert formats.score(score.overall) in body and "rank 1 / 2" in body
    assert "The complaint was withdrawn." in body
    attachment = appeal.attachments.get()
    assert f'href="/api/v1/appeals/{appeal.pk}/attachments/{attachment.pk}/">receipt.pdf</a>' in body
    assert page_client(reviewer).get(f"/api/v1/appeals/{appeal.pk}/attachments/{attachment.pk}/").status_code == 200
    assert 'type="radio" name="outcome" value="upheld" required>' in body and "checked" not in body
    assert "<option" not in body.split(f'id="appeal-{appeal.pk}"')[1].split("</form>")[0]
    # Without a chosen outcome nothing is decided; with one, the message says what happened and links onward.
    response = page_client(reviewer).post(f"/console/appeals/{appeal.pk}/decide/", {"reason": "x"}, follow=True)
    appeal.refresh_from_db()
    assert appeal.status == "open" and "请选择结果" in response.content.decode()
    response = page_client(reviewer).post(
        f"/console/appeals/{appeal.pk}/decide/", {"outcome": "upheld", "reason": "Numbers hold."}, follow=True
    )
    appeal.refresh_from_db()
    assert appeal.status == "upheld"
    assert f"决定 #{warn.seq} 维持不变" in response.content.decode()
    decided = page_client(reviewer).get("/console/appeals/?view=decided").content.decode()
    assert f'id="appeal-{appeal.pk}"' in decided and "Numbers hold." in decided


def test_appeal_review_reads_in_fixed_queries(roles, provider_user, provider):
    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")
    client = page_client(reviewer)

    def queries():
        client.get("/console/appeals/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/console/appeals/")
        return len(ctx.captured_queries)

    cycle = make_cycle(month=8)
    score_providers(cycle, [provider])
    d = decision_append(kind="warn", provider=provider, cycle=cycle, reason_code="x", effective_at=timezone.now())
    appeals_service.appeal_file(decision=d, filed_by=provider_user, statement="s")
    small = queries()
    for _ in range(6):
        d = decision_append(kind="warn", provider=provider, cycle=cycle, reason_code="x", effective_at=timezone.now())
        appeals_service.appeal_file(decision=d, filed_by=provider_user, statement="s")
    assert queries() == small


def test_delisting_approval_confirms_first_and_says_what_took_effect(roles):
    maker = make_staff(roles, "cycle_manager", username="maker")
    first = make_staff(roles, "cycle_manager", username="first")
    second = make_staff(roles, "cycle_manager", username="second")
    target = factories.ProviderFactory(name="Target")
    for _ in range(3):
        factories.EngagementFactory(provider=target)
    factories.EngagementFactory(provider=target, end_date=dt.date(2025, 6, 30))  # already over: not ended again
    for _ in range(2):
        factories.EmploymentFactory(provider=target)
    standing.provider_certify(provider=target, level="L2")
    cycle = make_cycle(month=9)
    proposal = cert_services.delist_propose(
        provider=target, reason_code="cycle_delist_proposal", proposed_by=maker, cycle=cycle
    )
    queue = page_client(first, "en").get("/console/delistings/").content.decode()
    assert f'href="/console/cycles/{cycle.pk}/preview/?outcome=delist_proposal"' in queue
    assert f'<a class="button danger" href="/console/delistings/{proposal.pk}/approve/">' in queue
    confirm = page_client(first, "en").get(f"/console/delistings/{proposal.pk}/approve/").content.decode()
    assert "Approve the delisting of Target?" in confirm and 'id="confirm-delisting"' in confirm
    assert proposal.approvals.count() == 0  # the GET only asks
    response = page_client(first, "en").post(f"/console/delistings/{proposal.pk}/approve/", follow=True)
    assert "the delisting needs one more approver" in response.content.decode()
    last = page_client(second, "en").get(f"/console/delistings/{proposal.pk}/approve/").content.decode()
    assert "Yours is the last approval needed" in last
    response = page_client(second, "en").post(f"/console/delistings/{proposal.pk}/approve/", follow=True)
    body = response.content.decode()
    effective = cert_services.proposal_resolution(proposal)
    assert (
        f"The delisting of Target is now in effect (decision #{effective.seq}): its status is Delisted; "
        "1 certificate revoked, 3 engagements with merchants ended, 2 operators&#x27; employments ended. "
        "The provider finds the decision in its portal inbox and may appeal it."
    ) in body
    assert f'<a href="/console/providers/{target.pk}/">Open the provider</a>' in body
    target.refresh_from_db()
    assert target.status == "delisted"
    assert not target.certificates.filter(status="active").exists()
    assert not target.engagements.filter(end_date__isnull=True).exists()


def test_the_message_after_the_last_delisting_approval_reads_in_chinese_too(roles):
    maker, first, second = (make_staff(roles, "cycle_manager", username=n) for n in ("maker", "first", "second"))
    target = factories.ProviderFactory(name="Target")
    factories.EngagementFactory(provider=target)
    proposal = cert_services.delist_propose(provider=target, reason_code="cycle_delist_proposal", proposed_by=maker)
    page_client(first).post(f"/console/delistings/{proposal.pk}/approve/")
    body = page_client(second).post(f"/console/delistings/{proposal.pk}/approve/", follow=True).content.decode()
    seq = cert_services.proposal_resolution(proposal).seq
    assert (
        f"对 Target 的清退现已生效（决定 #{seq}）：状态为「已清退」；撤销证书 0 张，结束商家服务关系 1 个，"
        "结束操盘手雇佣关系 0 个。服务商会在门户的「消息」中看到这项决定，并可申诉。"
    ) in body


def test_lists_search_by_name_or_credit_code_and_paginate(roles, provider_user, provider):
    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")
    for _ in range(3):
        d = decision_append(kind="warn", provider=provider, reason_code="x", effective_at=timezone.now())
        appeals_service.appeal_file(decision=d, filed_by=provider_user, statement="s")
    client = page_client(reviewer)
    assert client.get("/console/appeals/?q=own prov").content.decode().count('<section class="card" id="appeal-') == 3
    assert client.get(f"/console/appeals/?q={provider.credit_code.lower()}").content.decode().count('id="appeal-') == 3
    assert 'id="appeal-' not in client.get("/console/appeals/?q=nobody").content.decode()
    for _ in range(55):
        decision_append(kind="certify", provider=provider, reason_code="tier_certified", effective_at=timezone.now())
    first = client.get("/console/ledger/").content.decode()
    assert "第 1 页，共 2 页" in first and 'rel="next"' in first and "已颁发等级证书。" in first
    assert "第 2 页，共 2 页" in client.get("/console/ledger/?page=2").content.decode()


def test_leaderboard_shows_tier_status_movement_and_links(roles, staff):
    providers = [factories.ProviderFactory(name=f"P{i}") for i in range(3)]
    score_providers(make_cycle(month=3), providers)  # P2 first, P0 last
    score_providers(make_cycle(month=4), list(reversed(providers)))  # now P0 first
    providers[1].status = "delisted"
    providers[1].save(update_fields=["status"])
    client = page_client(staff, "en")
    body = client.get("/console/leaderboard/").content.decode()
    row = body.split(f'href="/console/providers/{providers[0].pk}/">P0</a>')[0].rsplit("<tr", 1)[1]
    assert '<span class="ok">▲ 2</span>' in row
    middle = body.split(f'href="/console/providers/{providers[1].pk}/">P1</a>')[1].split("</tr>")[0]
    assert "Delisted" in middle and "L0 Not certified" in middle
    assert '<span class="bad">▼ 2</span>' in body.split(">P2</a>")[0].rsplit("<tr", 1)[1]
    assert 'class="delisted"' in body


def test_leaderboard_queries_stay_constant_with_movement(roles, staff):
    client = page_client(staff)

    def queries():
        client.get("/console/leaderboard/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/console/leaderboard/")
        return len(ctx.captured_queries)

    few = [factories.ProviderFactory() for _ in range(2)]
    score_providers(make_cycle(month=3), few)
    score_providers(make_cycle(month=4), few)
    small = queries()
    ProviderScore.objects.all().delete()
    many = [factories.ProviderFactory() for _ in range(40)]
    score_providers(make_cycle(month=5), many)
    score_providers(make_cycle(month=6), many)
    assert queries() == small


def test_cycle_form_defaults_to_the_previous_month_and_keeps_input_on_a_conflict(roles):
    manager = make_staff(roles, "cycle_manager", username="mgr")
    client = page_client(manager)
    body = client.get("/console/cycles/").content.decode()
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - dt.timedelta(days=1)
    assert f'name="window_start" type="date" required value="{first:%Y-%m-%d}"' in body
    assert f'name="window_last" type="date" required value="{last:%Y-%m-%d}"' in body
    make_cycle(month=5, status="computed")  # the same kind and window exists already
    response = client.post(
        "/console/cycles/start/", {"kind": "monthly", "window_start": "2026-05-01", "window_last": "2026-05-31"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and 'class="error"' in body
    assert 'value="2026-05-01"' in body and 'value="2026-05-31"' in body


def test_provider_page_and_quiet_403(roles, auditor, provider, provider_user, caplog):
    body = page_client(auditor).get(f"/console/providers/{provider.pk}/").content.decode()
    assert provider.name in body and provider.credit_code in body
    assert page_client(provider_user).get(f"/console/providers/{provider.pk}/").status_code == 404
    caplog.clear()
    response = page_client(auditor).post(f"/console/delistings/{provider.pk}/approve/")
    assert response.status_code == 403 and "无权操作" in response.content.decode()
    assert "返回首页" in response.content.decode()
    assert not any(r.exc_info for r in caplog.records)  # an ordinary 403 logs no traceback


def test_error_pages_are_in_the_layout_and_language(staff):
    response = page_client(staff, "en").get("/console/cycles/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and '<html lang="en">' in body and "Back to the start page" in body
    assert 'rel="icon"' in body
    assert AdmissionApplication.objects.count() == 0 and Decision.objects.count() == 0  # a GET writes nothing
