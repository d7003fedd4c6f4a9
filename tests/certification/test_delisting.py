"""Maker-checker delisting: proposals, approvals (service and API), and what an effective delisting does."""

import datetime as dt

import pghistory.models
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from certification import services, standing
from certification.models import Certificate, Decision, DecisionApproval
from core.dates import shanghai_today
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def violation(provider):
    return factories.ViolationFactory(provider=provider, severity="serious", points=12, description="fake orders")


@pytest.fixture
def proposal(violation, staff):
    return services.delist_propose_for_violation(violation=violation, proposed_by=staff)


def snapshot(provider):
    provider.refresh_from_db()
    return (
        provider.status,
        Decision.objects.count(),
        DecisionApproval.objects.count(),
        sorted(Certificate.objects.values_list("number", "status")),
        sorted(provider.engagements.values_list("id", "end_date")),
        sorted(provider.employments.values_list("id", "end_date")),
    )


def test_serious_violation_proposal_is_a_pending_delist_decision(proposal, violation, provider, staff):
    assert (proposal.kind, proposal.status, proposal.provider_id, proposal.decided_by_id) == (
        "delist",
        "pending",
        provider.pk,
        staff.pk,
    )
    assert (proposal.subject_type, proposal.subject_id, proposal.reason_code) == (
        "violation",
        str(violation.pk),
        "serious_violation",
    )
    assert proposal.evidence == {
        "violation_id": violation.pk,
        "severity": "serious",
        "points": 12,
        "occurred_at": "2025-06-02T02:00:00.000000Z",
    }
    assert proposal.effective_at is None
    # Proposing again returns the open proposal rather than appending a second one.
    assert services.delist_propose_for_violation(violation=violation, proposed_by=staff) == proposal
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("severity,status", [("major", "confirmed"), ("serious", "overturned")])
def test_only_confirmed_serious_violations_lead_to_a_proposal(provider, staff, severity, status):
    violation = factories.ViolationFactory(provider=provider, severity=severity, status=status)
    with pytest.raises(ValidationError) as info:
        services.delist_propose_for_violation(violation=violation, proposed_by=staff)
    assert info.value.code == "not_serious"
    assert not Decision.objects.exists()


def test_two_distinct_cycle_managers_make_it_effective(proposal, provider, operator, manager, manager2):
    engagement = factories.EngagementFactory(provider=provider, start_date=dt.date(2025, 1, 1))
    future = factories.EngagementFactory(provider=provider, start_date=shanghai_today() + dt.timedelta(days=30))
    ended = factories.EngagementFactory(provider=provider, end_date=dt.date(2025, 3, 1))
    other = factories.EngagementFactory()
    provider_cert = standing.provider_certify(provider=provider, level="L2")
    operator_cert = services.certificate_issue_operator(operator=operator, level="junior")
    employment = operator.employments.get()

    first = services.decision_approve(decision=proposal, approver=manager)
    assert first.approval.approver == manager and first.effect is None
    provider.refresh_from_db()
    assert provider.status == "active"  # one approval changes nothing yet
    assert services.proposal_resolution(proposal) is None

    second = services.decision_approve(decision=proposal, approver=manager2)
    today = shanghai_today()
    effective = services.proposal_resolution(proposal)
    # What it did, counted as done: the tier certificate, the open and the future engagement, the employment.
    assert second.effect == services.DelistingEffect(
        decision=effective, certificates_revoked=1, engagements_ended=2, employments_ended=1
    )
    assert (effective.kind, effective.status, effective.refers_to_id, effective.decided_by_id) == (
        "delist",
        "effective",
        proposal.pk,
        manager2.pk,
    )
    assert effective.evidence["proposal_seq"] == proposal.seq
    assert [a["approver_id"] for a in effective.evidence["approvals"]] == [manager.pk, manager2.pk]
    provider.refresh_from_db()
    assert provider.status == "delisted"
    provider_cert.refresh_from_db()
    operator_cert.refresh_from_db()
    assert provider_cert.status == "revoked"
    assert operator_cert.status == "active"  # the operator's own certificate stays theirs
    engagement.refresh_from_db()
    future.refresh_from_db()
    ended.refresh_from_db()
    other.refresh_from_db()
    employment.refresh_from_db()
    assert engagement.end_date == today
    assert future.end_date == future.start_date
    assert ended.end_date == dt.date(2025, 3, 1)
    assert other.end_date is None
    assert employment.end_date == today
    # The proposal row itself was never updated; each change is in the audit trail with the decision's seq.
    proposal_row = Decision.objects.get(pk=proposal.pk)
    assert (proposal_row.status, proposal_row.hash) == ("pending", proposal.hash)
    events = pghistory.models.Events.objects.filter(pgh_label="update", pgh_context__decision_seq=effective.seq)
    assert set(events.values_list("pgh_model", flat=True)) == {
        "providers.ProviderEvent",
        "certification.CertificateEvent",
        "providers.EngagementEvent",
        "providers.EmploymentEvent",
    }


def test_same_person_cannot_approve_twice(proposal, provider, manager):
    services.decision_approve(decision=proposal, approver=manager)
    before = snapshot(provider)
    with pytest.raises(ValidationError) as info:
        services.decision_approve(decision=proposal, approver=manager)
    assert info.value.code == "already_approved"
    assert snapshot(provider) == before


def test_maker_cannot_approve(proposal, provider, staff):
    before = snapshot(provider)
    with pytest.raises(ValidationError) as info:
        services.decision_approve(decision=proposal, approver=staff)
    assert info.value.code == "maker_cannot_approve"
    assert snapshot(provider) == before


def test_only_cycle_managers_approve(proposal, provider, auditor, reviewer, provider_user):
    before = snapshot(provider)
    for user in (auditor, reviewer, provider_user):
        with pytest.raises(PermissionDenied):
            services.decision_approve(decision=proposal, approver=user)
    assert snapshot(provider) == before


def test_a_system_proposal_needs_two_approvers_too(provider, manager, manager2):
    proposal = services.delist_propose(provider=provider, reason_code="warned_on_probation")
    assert proposal.decided_by is None
    services.decision_approve(decision=proposal, approver=manager)
    provider.refresh_from_db()
    assert provider.status == "active"
    services.decision_approve(decision=proposal, approver=manager2)
    provider.refresh_from_db()
    assert provider.status == "delisted"


def test_effective_or_rejected_proposals_cannot_be_approved_again(proposal, provider, manager, manager2, roles):
    from tests.conftest import make_staff

    services.decision_approve(decision=proposal, approver=manager)
    services.decision_approve(decision=proposal, approver=manager2)
    before = snapshot(provider)
    third = make_staff(roles, "cycle_manager", username="manager3")
    with pytest.raises(ValidationError) as info:
        services.decision_approve(decision=proposal, approver=third)
    assert info.value.code == "already_resolved"
    effective = services.proposal_resolution(proposal)
    with pytest.raises(ValidationError) as info:
        services.decision_approve(decision=effective, approver=third)
    assert info.value.code == "not_pending"
    assert snapshot(provider) == before


def test_reject_closes_the_proposal(proposal, provider, manager, manager2):
    rejection = services.decision_reject(decision=proposal, reviewer=manager, reason_text="evidence disputed")
    assert (rejection.status, rejection.refers_to_id, rejection.reason_text) == (
        "rejected",
        proposal.pk,
        "evidence disputed",
    )
    with pytest.raises(ValidationError):
        services.decision_approve(decision=proposal, approver=manager2)
    provider.refresh_from_db()
    assert provider.status == "active"


# --- API -----------------------------------------------------------------------------------------


def approve_url(decision):
    return f"/api/v1/decisions/{decision.pk}/approve/"


def test_api_two_approvals(client_for, proposal, provider, manager, manager2):
    response = client_for(manager).post(approve_url(proposal))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["resolution"]) == ("pending", "pending")
    assert [a["approver"] for a in body["approvals"]] == ["manager"]
    response = client_for(manager2).post(approve_url(proposal))
    assert response.status_code == 200
    assert response.json()["resolution"] == "effective"
    assert [a["approver"] for a in response.json()["approvals"]] == ["manager", "manager2"]
    provider.refresh_from_db()
    assert provider.status == "delisted"


def test_api_same_approver_twice_and_maker_are_refused(client_for, proposal, provider, manager, staff):
    assert client_for(manager).post(approve_url(proposal)).status_code == 200
    before = snapshot(provider)
    response = client_for(manager).post(approve_url(proposal))
    assert response.status_code == 400
    assert response.json()["code"] == "already_approved"
    response = client_for(staff).post(approve_url(proposal))
    assert response.status_code == 400
    assert response.json() == {"code": "maker_cannot_approve", "message": "提议人不能批准自己的提议。"}
    response = client_for(staff).post(approve_url(proposal), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {
        "code": "maker_cannot_approve",
        "message": "The maker of a proposal cannot approve it.",
    }
    assert snapshot(provider) == before


def test_api_approve_refused_for_non_managers(
    client_for, proposal, provider, auditor, reviewer, provider_user, outsider
):
    before = snapshot(provider)
    assert client_for(auditor).post(approve_url(proposal)).status_code == 403
    assert client_for(reviewer).post(approve_url(proposal)).status_code == 403
    assert client_for(provider_user).post(approve_url(proposal)).status_code == 403
    assert client_for(outsider).post(approve_url(proposal)).status_code == 403
    assert client_for(None).post(approve_url(proposal)).status_code in (401, 403)
    assert snapshot(provider) == before


def test_api_reject(client_for, proposal, manager, auditor):
    assert client_for(auditor).post(f"/api/v1/decisions/{proposal.pk}/reject/").status_code == 403
    response = client_for(manager).post(
        f"/api/v1/decisions/{proposal.pk}/reject/", {"reason_text": "no"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["resolution"] == "rejected"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_make_exactly_one_effective_decision(provider, staff, manager, manager2):
    import threading

    from django.db import connections

    proposal = services.delist_propose(provider=provider, reason_code="warned_on_probation", proposed_by=staff)
    barrier = threading.Barrier(2)
    errors = []

    def approve(user):
        try:
            barrier.wait()
            services.decision_approve(decision=Decision.objects.get(pk=proposal.pk), approver=user)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (manager, manager2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DecisionApproval.objects.filter(decision=proposal).count() == 2
    assert list(Decision.objects.filter(refers_to=proposal).values_list("status", flat=True)) == ["effective"]
    provider.refresh_from_db()
    assert provider.status == "delisted"
