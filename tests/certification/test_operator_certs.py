"""Operator certification: assessments, the grant rules at their boundaries, renewal, suspension, expiry."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from certification import operators as ops
from certification import services, violations
from certification.models import Certificate, Decision, OperatorAssessment
from certification.operators import add_months
from certification.tasks import expire_certificates_task
from core.dates import SHANGHAI, shanghai_today
from providers.models import LiveSession
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
SINCE = add_months(TODAY, -12)  # 2025-11-20, the first day of the 12-month window


def run_sessions(operator, count, day, hour=20):
    """``count`` sessions the operator ran on a Shanghai day (one merchant, bulk insert)."""
    merchant = factories.MerchantFactory()
    start = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)
    LiveSession.objects.bulk_create(
        [
            factories.LiveSessionFactory.build(merchant=merchant, operator=operator, started_at=start)
            for _ in range(count)
        ]
    )


def assess(operator, score, day, assessor):
    return OperatorAssessment.objects.create(
        operator=operator, score=Decimal(score), assessed_on=day, assessor=assessor
    )


def snapshot():
    return (Certificate.objects.count(), Decision.objects.count())


def refused(code, **kwargs):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        ops.operator_certificate_grant(**kwargs)
    assert info.value.code == code
    assert snapshot() == before
    return info.value


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 8, 31), -6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 8, 31), -6) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(TODAY, -12) == dt.date(2025, 11, 20)


def test_score_79_refused_80_granted(manager, operator):
    run_sessions(operator, 10, TODAY)
    assess(operator, "79.99", TODAY - dt.timedelta(days=3), manager)
    error = refused("requirements_not_met", operator=operator, level="junior", granted_by=manager, today=TODAY)
    checks = {c["check"]: c for c in error.params["checks"]}
    assert checks["assessment"]["passed"] is False and checks["assessment"]["score"] == "79.99"
    assert checks["operated_sessions"] == {
        "check": "operated_sessions",
        "passed": True,
        "required": 10,
        "sessions": 10,
        "since": "2025-11-20",
    }
    assess(operator, "80", TODAY, manager)
    certificate = ops.operator_certificate_grant(operator=operator, level="junior", granted_by=manager, today=TODAY)
    assert certificate.number == "OP-2026-000001"
    assert (certificate.kind, certificate.level, certificate.status) == ("operator", "junior", "active")
    assert (certificate.valid_from, certificate.valid_until) == (TODAY, dt.date(2028, 11, 19))
    assert certificate.decision.kind == "certify" and certificate.decision.decided_by == manager
    assert certificate.decision.reason_code == "operator_certified"
    assert [c["passed"] for c in certificate.decision.evidence["checks"]] == [True, True]


def test_latest_assessment_counts_and_must_be_within_12_months(manager, operator):
    run_sessions(operator, 10, TODAY)
    assess(operator, 95, SINCE - dt.timedelta(days=1), manager)  # one day too old
    refused("requirements_not_met", operator=operator, level="junior", granted_by=manager, today=TODAY)
    assess(operator, 90, SINCE, manager)  # the first day of the window
    assess(operator, 70, SINCE - dt.timedelta(days=30), manager)  # older, ignored
    assert ops.operator_certificate_grant(operator=operator, level="junior", granted_by=manager, today=TODAY)
    # A later failing assessment replaces an earlier passing one.
    other = factories.OperatorFactory()
    run_sessions(other, 10, TODAY)
    assess(other, 90, TODAY - dt.timedelta(days=20), manager)
    assess(other, 60, TODAY - dt.timedelta(days=2), manager)
    refused("requirements_not_met", operator=other, level="junior", granted_by=manager, today=TODAY)


def test_nine_sessions_refused_ten_granted(manager, operator):
    assess(operator, 85, TODAY, manager)
    run_sessions(operator, 9, TODAY)
    # 23:59 Shanghai on the day before the window: outside (15:59 UTC that same day).
    run_sessions(operator, 1, SINCE - dt.timedelta(days=1), hour=23)
    run_sessions(operator, 1, TODAY + dt.timedelta(days=1), hour=0)  # tomorrow: outside
    assert ops.operated_sessions(operator=operator, today=TODAY) == 9
    refused("requirements_not_met", operator=operator, level="junior", granted_by=manager, today=TODAY)
    run_sessions(operator, 1, SINCE, hour=0)  # 00:00 Shanghai on the first day: inside
    assert ops.operated_sessions(operator=operator, today=TODAY) == 10
    assert ops.operator_certificate_grant(operator=operator, level="junior", granted_by=manager, today=TODAY).level == (
        "junior"
    )


def test_intermediate_needs_six_months_at_junior(manager):
    six_months_ago = add_months(TODAY, -6)  # 2026-05-20
    short, long = factories.OperatorFactory(), factories.OperatorFactory()
    for operator, since in ((short, six_months_ago + dt.timedelta(days=1)), (long, six_months_ago)):
        assess(operator, 88, TODAY, manager)
        run_sessions(operator, 50, TODAY - dt.timedelta(days=40))
        services.certificate_issue_operator(operator=operator, level="junior", valid_from=since)
    error = refused("requirements_not_met", operator=short, level="intermediate", granted_by=manager, today=TODAY)
    assert [c["check"] for c in error.params["checks"] if not c["passed"]] == ["time_at_level_below"]
    junior = Certificate.objects.get(operator=long)
    certificate = ops.operator_certificate_grant(operator=long, level="intermediate", granted_by=manager, today=TODAY)
    assert certificate.level == "intermediate" and certificate.supersedes == junior
    junior.refresh_from_db()
    assert junior.status == "expired"
    # Without any junior certificate, intermediate is refused even with 50 sessions.
    bare = factories.OperatorFactory()
    assess(bare, 99, TODAY, manager)
    run_sessions(bare, 50, TODAY)
    refused("requirements_not_met", operator=bare, level="intermediate", granted_by=manager, today=TODAY)


def test_senior_needs_200_sessions_and_grant_twice_is_refused(manager, operator):
    assess(operator, 90, TODAY, manager)
    run_sessions(operator, 199, TODAY - dt.timedelta(days=100))
    services.certificate_issue_operator(operator=operator, level="intermediate", valid_from=add_months(TODAY, -7))
    refused("requirements_not_met", operator=operator, level="senior", granted_by=manager, today=TODAY)
    run_sessions(operator, 1, TODAY)
    assert ops.operator_certificate_grant(operator=operator, level="senior", granted_by=manager, today=TODAY)
    refused("already_certified", operator=operator, level="junior", granted_by=manager, today=TODAY)


def test_only_assessing_staff_grant(reviewer, operator, provider_user):
    for user in (reviewer, provider_user):
        with pytest.raises(PermissionDenied):
            ops.operator_certificate_grant(operator=operator, level="junior", granted_by=user, today=TODAY)
    assert snapshot() == (0, 0)


def test_renewal_opens_six_months_before_expiry(manager, operator):
    assess(operator, 90, TODAY, manager)
    run_sessions(operator, 10, TODAY)
    valid_from = dt.date(2025, 5, 21)
    current = services.certificate_issue_operator(operator=operator, level="junior", valid_from=valid_from)
    assert current.valid_until == dt.date(2027, 5, 20)
    opens = add_months(current.valid_until, -6)
    assert opens == TODAY
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        ops.operator_certificate_renew(certificate=current, renewed_by=manager, today=opens - dt.timedelta(days=1))
    assert info.value.code == "renewal_not_open"
    assert snapshot() == before
    renewed = ops.operator_certificate_renew(certificate=current, renewed_by=manager, today=opens)
    assert (renewed.valid_from, renewed.valid_until) == (dt.date(2027, 5, 21), dt.date(2029, 5, 20))
    assert renewed.number == "OP-2027-000001" and renewed.supersedes == current
    assert renewed.decision.reason_code == "operator_renewed"
    current.refresh_from_db()
    assert current.status == "active"  # valid until its last day; the renewal takes over the day after
    with pytest.raises(ValidationError) as info:
        ops.operator_certificate_renew(certificate=current, renewed_by=manager, today=opens)
    assert info.value.code == "already_renewed"
    # The nightly job ends the old one after its last day; the renewal is then the one current certificate.
    services.certificates_expire(today=dt.date(2027, 5, 21))
    assert dict(Certificate.objects.values_list("pk", "status")) == {current.pk: "expired", renewed.pk: "active"}


def test_renewal_needs_the_requirements_again(manager, operator):
    current = services.certificate_issue_operator(operator=operator, level="junior", valid_from=dt.date(2025, 5, 21))
    assess(operator, 90, TODAY, manager)
    run_sessions(operator, 9, TODAY)
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        ops.operator_certificate_renew(certificate=current, renewed_by=manager, today=TODAY)
    assert info.value.code == "requirements_not_met"
    assert snapshot() == before


def test_confirmed_serious_violation_suspends_the_operators_certificates(staff, provider, operator):
    certificate = services.certificate_issue_operator(operator=operator, level="junior")
    occurred = dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI)
    violations.violation_record(provider=provider, operator=operator, severity="major", points=6, occurred_at=occurred)
    certificate.refresh_from_db()
    assert certificate.status == "active"
    violation = violations.violation_record(
        provider=provider, operator=operator, severity="serious", points=12, occurred_at=occurred, status="overturned"
    )
    certificate.refresh_from_db()
    assert certificate.status == "active"  # not confirmed: nothing happens
    violations.violation_update(violation=violation, status="confirmed")
    certificate.refresh_from_db()
    assert certificate.status == "suspended"
    decision = Decision.objects.get(kind="suspend")
    assert (decision.provider, decision.operator, decision.subject_type, decision.subject_id) == (
        provider,
        operator,
        "violation",
        str(violation.pk),
    )
    assert decision.evidence == {
        "violation_id": violation.pk,
        "certificate_ids": [certificate.pk],
        "certificates": [certificate.number],
    }
    assert ops.operator_certificates_suspend_for_violation(violation=violation) == 0  # nothing more
    assert Decision.objects.filter(kind="suspend").count() == 1


def test_assessment_api(client_for, manager, provider_user, outsider, operator):
    body = {"operator": operator.pk, "score": "80.50", "assessed_on": "2026-01-05", "notes": "笔试+实操"}
    response = client_for(manager).post("/api/v1/operator-assessments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["score"] == "80.50" and response.json()["assessor"] == "manager"
    assert client_for(provider_user).post("/api/v1/operator-assessments/", body, format="json").status_code == 403
    bad = client_for(manager).post("/api/v1/operator-assessments/", {**body, "score": "100.01"}, format="json")
    assert bad.status_code == 400
    assert OperatorAssessment.objects.count() == 1
    # The employing provider's user reads it (assessor shown as "staff"); another provider's does not.
    mine = client_for(provider_user).get("/api/v1/operator-assessments/").json()["results"]
    assert [(a["score"], a["assessor"]) for a in mine] == [("80.50", "staff")]
    assert client_for(outsider).get("/api/v1/operator-assessments/").json()["results"] == []
    pk = mine[0]["id"]
    assert client_for(outsider).get(f"/api/v1/operator-assessments/{pk}/").status_code == 404


def test_grant_api(client_for, manager, provider_user, operator):
    assess(operator, 80, shanghai_today(), manager)
    run_sessions(operator, 9, shanghai_today())
    body = {"operator": operator.pk, "level": "junior"}
    response = client_for(manager).post("/api/v1/operator-certificates/grant/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "requirements_not_met"
    assert response.json()["message"] == "未满足的条件：operated_sessions。"
    english = client_for(manager).post(
        "/api/v1/operator-certificates/grant/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400 and english.json()["code"] == "requirements_not_met"
    assert english.json()["message"] == "Requirements not met: operated_sessions."
    assert [c["passed"] for c in response.json()["errors"]["checks"]] == [True, False]
    assert (
        client_for(provider_user).post("/api/v1/operator-certificates/grant/", body, format="json").status_code == 403
    )
    assert snapshot() == (0, 0)
    run_sessions(operator, 1, shanghai_today())
    eligibility = client_for(manager).post("/api/v1/operator-certificates/eligibility/", body, format="json")
    assert eligibility.json()["eligible"] is True
    response = client_for(manager).post("/api/v1/operator-certificates/grant/", body, format="json")
    assert response.status_code == 201
    assert response.json()["number"] == f"OP-{shanghai_today().year}-000001"
    renew = client_for(manager).post(
        "/api/v1/operator-certificates/renew/", {"certificate": response.json()["id"]}, format="json"
    )
    assert renew.status_code == 400 and renew.json()["code"] == "renewal_not_open"


@pytest.mark.django_db(transaction=True)
def test_nightly_expiry_covers_operator_certificates(celery_worker_thread):
    today = shanghai_today()
    ended = services.certificate_issue_operator(
        operator=factories.OperatorFactory(), level="junior", valid_from=add_months(today, -24) - dt.timedelta(days=1)
    )
    assert ended.valid_until == today - dt.timedelta(days=1) or ended.valid_until < today
    last_day = services.certificate_issue_operator(
        operator=factories.OperatorFactory(), level="junior", valid_from=add_months(today, -24) + dt.timedelta(days=1)
    )
    assert last_day.valid_until >= today
    assert expire_certificates_task.delay().get(timeout=30) == 1
    assert dict(Certificate.objects.values_list("pk", "status")) == {ended.pk: "expired", last_day.pk: "active"}
