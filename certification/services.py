"""Every write of the certification app: delisting (maker-checker), certificates, rule sets, the inbox's read state."""

import datetime as dt
import logging
from dataclasses import dataclass

import pghistory
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import provider_id_of
from core.dates import add_years, shanghai_today
from core.errors import Refusal
from providers.choices import ProviderStatus, Severity, ViolationStatus
from providers.models import Employment, Engagement, Provider

from . import standing
from .choices import (
    OPERATOR_LEVELS,
    CertificateKind,
    CertificateStatus,
    DecisionKind,
    DecisionStatus,
)
from .ledger import decision_append, ledger_lock
from .models import Certificate, Decision, DecisionApproval, Notification, RuleSet
from .numbering import certificate_number_allocate

logger = logging.getLogger(__name__)

APPROVE_DELISTING = "certification.approve_delisting"
# Advisory-lock namespace for "resolving proposal N" (two-key form: namespace, decision id).
PROPOSAL_LOCK_NS = 0x5A1A
RULESET_LOCK_NS = 0x5A1B
# Maker-checker: a delisting takes effect at the second distinct approval (DESIGN §4).
APPROVALS_REQUIRED = 2


def _refuse(code: str, message: str):
    raise Refusal(code, message)


# --- Delisting (清退), maker-checker ---------------------------------------------------------------


def proposal_resolution(decision: Decision) -> Decision | None:
    """The decision that made a pending proposal effective or rejected it, if any."""
    return decision.followups.filter(kind=decision.kind).exclude(status=DecisionStatus.PENDING).first()


def unresolved_delist_proposals():
    resolved = Decision.objects.filter(refers_to=OuterRef("pk"), kind=DecisionKind.DELIST).exclude(
        status=DecisionStatus.PENDING
    )
    return Decision.objects.filter(kind=DecisionKind.DELIST, status=DecisionStatus.PENDING).exclude(Exists(resolved))


@transaction.atomic
def delist_propose(
    *,
    provider: Provider,
    reason_code: str,
    reason_text: str = "",
    evidence: dict | None = None,
    proposed_by=None,
    cycle=None,
    subject_type: str = "",
    subject_id: str = "",
) -> Decision:
    """Append a pending delist proposal (the maker's step); an open proposal is returned, not doubled."""
    ledger_lock()  # lock order: ledger first, then rows (see ledger.ledger_lock)
    Provider.objects.select_for_update().filter(pk=provider.pk).first()  # one proposer at a time per provider
    if provider.status == ProviderStatus.DELISTED:
        _refuse("already_delisted", _("This provider is already delisted."))
    existing = unresolved_delist_proposals().filter(provider=provider).first()
    if existing is not None:
        return existing
    return decision_append(
        kind=DecisionKind.DELIST,
        status=DecisionStatus.PENDING,
        provider=provider,
        cycle=cycle,
        subject_type=subject_type,
        subject_id=subject_id,
        reason_code=reason_code,
        reason_text=reason_text,
        evidence=evidence,
        decided_by=proposed_by,
    )


def delist_propose_for_violation(*, violation, proposed_by=None) -> Decision:
    """Propose delisting the provider of a confirmed serious violation (DESIGN §4)."""
    if violation.severity != Severity.SERIOUS or violation.status != ViolationStatus.CONFIRMED:
        _refuse("not_serious", _("Only a confirmed serious violation leads to a delisting proposal."))
    if proposed_by is not None and not proposed_by.is_staff:
        raise PermissionDenied(_("Only staff propose delistings."))
    return delist_propose(
        provider=violation.provider,
        reason_code="serious_violation",
        reason_text=violation.description,
        evidence={
            "violation_id": violation.pk,
            "severity": violation.severity,
            "points": violation.points,
            "occurred_at": violation.occurred_at,
        },
        proposed_by=proposed_by,
        subject_type="violation",
        subject_id=str(violation.pk),
    )


def _lock_proposal(decision: Decision) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PROPOSAL_LOCK_NS, decision.pk])


def _check_open_proposal(decision: Decision) -> None:
    if decision.kind != DecisionKind.DELIST or decision.status != DecisionStatus.PENDING:
        _refuse("not_pending", _("Only a pending delisting proposal can be approved or rejected."))
    if proposal_resolution(decision) is not None:
        _refuse("already_resolved", _("This proposal has already been decided."))


@dataclass(frozen=True)
class DelistingEffect:
    """What an effective delisting did, counted as it was done (the pages say it; nothing re-derives it)."""

    decision: Decision  # the effective delisting entry of the ledger
    certificates_revoked: int  # the provider's current (active or suspended) tier certificates
    engagements_ended: int  # its engagements with merchants still open (or starting later)
    employments_ended: int  # its operators' employments still open (or starting later)


@dataclass(frozen=True)
class ApprovalResult:
    approval: DecisionApproval
    effect: DelistingEffect | None  # None until the last approval needed


@transaction.atomic
def decision_approve(*, decision: Decision, approver) -> ApprovalResult:
    """Record one approval; the second distinct approver makes the delisting take effect (``effect`` says what it
    did)."""
    if not (approver.is_active and approver.is_staff and approver.has_perm(APPROVE_DELISTING)):
        raise PermissionDenied(_("Only cycle managers approve delistings."))
    _lock_proposal(decision)
    _check_open_proposal(decision)
    if decision.decided_by_id is not None and decision.decided_by_id == approver.pk:
        _refuse("maker_cannot_approve", _("The maker of a proposal cannot approve it."))
    if decision.approvals.filter(approver=approver).exists():
        _refuse("already_approved", _("You have already approved this proposal; a second approver is needed."))
    approval = DecisionApproval.objects.create(decision=decision, approver=approver, approved_at=timezone.now())
    approvals = list(decision.approvals.order_by("approved_at", "id").values("approver_id", "approved_at"))
    if len(approvals) >= APPROVALS_REQUIRED:
        effective = decision_append(
            kind=DecisionKind.DELIST,
            status=DecisionStatus.EFFECTIVE,
            provider=decision.provider,
            refers_to=decision,
            reason_code=decision.reason_code,
            reason_text=decision.reason_text,
            evidence={"proposal_seq": decision.seq, "approvals": approvals},
            decided_by=approver,
            effective_at=approval.approved_at,
        )
        return ApprovalResult(approval=approval, effect=_delist_apply(provider=decision.provider, decision=effective))
    return ApprovalResult(approval=approval, effect=None)


@transaction.atomic
def decision_reject(*, decision: Decision, reviewer, reason_text: str = "") -> Decision:
    """Turn a pending proposal down: a new `rejected` decision referring to it."""
    if not (reviewer.is_active and reviewer.is_staff and reviewer.has_perm(APPROVE_DELISTING)):
        raise PermissionDenied(_("Only cycle managers decide delistings."))
    _lock_proposal(decision)
    _check_open_proposal(decision)
    return decision_append(
        kind=decision.kind,
        status=DecisionStatus.REJECTED,
        provider=decision.provider,
        refers_to=decision,
        reason_code="proposal_rejected",
        reason_text=reason_text,
        evidence={"proposal_seq": decision.seq},
        decided_by=reviewer,
        effective_at=timezone.now(),
    )


def _delist_apply(*, provider: Provider, decision: Decision) -> DelistingEffect:
    """The effect of an effective delisting, in the caller's transaction (each row change is audited
    by pghistory's triggers, with the decision's seq in the audit context)."""
    today = shanghai_today()
    with pghistory.context(decision_seq=decision.seq, decision_kind=decision.kind):
        standing.provider_status_set(provider=provider, status=ProviderStatus.DELISTED)
        effect = DelistingEffect(
            decision=decision,
            certificates_revoked=standing.provider_certificates_revoke(provider=provider),
            engagements_ended=engagements_end_for_provider(provider=provider, day=today),
            employments_ended=employments_end_for_provider(provider=provider, day=today),
        )
    logger.info(
        "delisting effective provider=%s seq=%s certificates_revoked=%s engagements_ended=%s employments_ended=%s",
        provider.pk,
        decision.seq,
        effect.certificates_revoked,
        effect.engagements_ended,
        effect.employments_ended,
    )
    return effect


def _end_open(queryset, day: dt.date) -> int:
    """End rows open on or after ``day`` at ``day``; rows starting later end on their first day."""
    open_rows = queryset.filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    ended = open_rows.filter(start_date__lte=day).update(end_date=day)
    return ended + open_rows.filter(start_date__gt=day).update(end_date=F("start_date"))


def engagements_end_for_provider(*, provider: Provider, day: dt.date) -> int:
    return _end_open(Engagement.objects.filter(provider=provider), day)


def employments_end_for_provider(*, provider: Provider, day: dt.date) -> int:
    return _end_open(Employment.objects.filter(provider=provider), day)


# --- Certificates ---------------------------------------------------------------------------------


def _issue(*, kind, holder_field, holder, level, valid_from, valid_until, decided_by, reason_code, evidence):
    ledger_lock()  # lock order: ledger first, then rows (see ledger.ledger_lock)
    current = list(
        Certificate.objects.select_for_update()
        .filter(**{holder_field: holder}, status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED])
        .order_by("-valid_from", "-id")
    )
    decision = decision_append(
        kind=DecisionKind.CERTIFY,
        **{holder_field: holder},
        reason_code=reason_code,
        evidence={"level": level, "valid_from": valid_from, "valid_until": valid_until, **(evidence or {})},
        decided_by=decided_by,
    )
    certificate = Certificate.objects.create(
        kind=kind,
        number=certificate_number_allocate(kind=kind, year=valid_from.year),
        level=level,
        valid_from=valid_from,
        valid_until=valid_until,
        supersedes=current[0] if current else None,
        decision=decision,
        **{holder_field: holder},
    )
    # An operator has one current certificate: earlier ones read "expired" from now on (tier certificates are
    # superseded instead, by certification.standing).
    Certificate.objects.filter(pk__in=[c.pk for c in current]).update(status=CertificateStatus.EXPIRED)
    return certificate


@transaction.atomic
def certificate_issue_operator(
    *,
    operator,
    level: str,
    valid_from: dt.date | None = None,
    decided_by=None,
    reason_code: str = "operator_certified",
    evidence: dict | None = None,
) -> Certificate:
    """Issue an operator certificate valid for two years (eligibility is checked by the assessment)."""
    if level not in OPERATOR_LEVELS:
        _refuse(
            "invalid_level", _("Operator certificate levels are %(levels)s.") % {"levels": ", ".join(OPERATOR_LEVELS)}
        )
    valid_from = valid_from or shanghai_today()
    return _issue(
        kind=CertificateKind.OPERATOR,
        holder_field="operator",
        holder=operator,
        level=level,
        valid_from=valid_from,
        valid_until=add_years(valid_from, 2) - dt.timedelta(days=1),
        decided_by=decided_by,
        reason_code=reason_code,
        evidence=evidence,
    )


def _set_status(certificate: Certificate, status: str, allowed_from: list[str], by, reason: str) -> Certificate:
    with pghistory.context(certificate_action=status, by=getattr(by, "pk", None), reason=reason):
        changed = Certificate.objects.filter(pk=certificate.pk, status__in=allowed_from).update(status=status)
    if not changed:
        certificate.refresh_from_db(fields=["status"])
        _refuse(
            "invalid_transition",
            _("A %(current)s certificate cannot become %(status)s.")
            % {"current": certificate.status, "status": status},
        )
    certificate.status = status
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by=None, reason: str = "") -> Certificate:
    return _set_status(
        certificate, CertificateStatus.REVOKED, [CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED], by, reason
    )


@transaction.atomic
def certificate_suspend(*, certificate: Certificate, by=None, reason: str = "") -> Certificate:
    return _set_status(certificate, CertificateStatus.SUSPENDED, [CertificateStatus.ACTIVE], by, reason)


@transaction.atomic
def certificates_expire(*, today: dt.date) -> int:
    """One set-based UPDATE: active or suspended certificates whose last valid day is before today."""
    return Certificate.objects.filter(
        status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED], valid_until__lt=today
    ).update(status=CertificateStatus.EXPIRED)


# --- Rule sets ------------------------------------------------------------------------------------


def ruleset_is_used(ruleset: RuleSet) -> bool:
    """True once anything (a cycle) refers to this version: from then on it is frozen."""
    for relation in RuleSet._meta.related_objects:
        if relation.related_model is RuleSet:
            continue
        if relation.related_model.objects.filter(**{relation.field.name: ruleset}).exists():
            return True
    return False


@transaction.atomic
def ruleset_create(*, created_by=None, version: int | None = None, **fields) -> RuleSet:
    """A new version (default: one above the highest); validated before it is stored."""
    if version is None:
        # Serialise "next version" so two staff creating at once get 2 and 3, not an IntegrityError.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [RULESET_LOCK_NS])
        version = (RuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    ruleset = RuleSet(version=version, created_by=created_by, **fields)
    ruleset.full_clean()
    ruleset.save()
    return ruleset


@transaction.atomic
def ruleset_update(*, ruleset: RuleSet, **fields) -> RuleSet:
    RuleSet.objects.select_for_update().filter(pk=ruleset.pk).first()
    if ruleset_is_used(ruleset):
        _refuse("ruleset_in_use", _("A cycle used this rule set version; create a new version instead."))
    for name, value in fields.items():
        setattr(ruleset, name, value)
    ruleset.full_clean()
    ruleset.save()
    return ruleset


# --- The provider inbox's read state ---------------------------------------------------------------


def _inbox_reader(user) -> int:
    """The provider whose inbox the user reads: only a provider's own (active) users mark anything read; staff of
    any role, superusers and service accounts read the inbox's rows through the API but never mark them."""
    provider_id = provider_id_of(user)
    if provider_id is None or user.is_staff or user.is_superuser or not user.is_active:
        raise PermissionDenied(_("Only the provider's own users mark its inbox read."))
    return provider_id


def notifications_mark_read(*, user, notification_ids=None) -> int:
    """Mark a provider user's unread notifications read (all of them, or those ids among them); a notification of
    another provider is not the user's and is left alone. Returns how many changed."""
    _inbox_reader(user)
    with transaction.atomic():
        unread = Notification.objects.restrict(user).filter(read=False)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        return Notification.objects.filter(pk__in=unread.values("pk")).update(read=True)


# One statement: the provider's decisions (all, or those ids) get a read mark unless they have one.
MARK_DECISIONS_READ = """
INSERT INTO certification_decisionread (decision_id, read_by_id, read_at)
SELECT d.id, %(user)s, %(now)s FROM certification_decision d
WHERE d.provider_id = %(provider)s AND (%(all)s OR d.id = ANY(%(ids)s::bigint[]))
ON CONFLICT (decision_id) DO NOTHING
"""


def decisions_mark_read(*, user, decision_ids=None) -> int:
    """Mark the ledger decisions about a provider user's provider read (all unread ones, or those ids among them) —
    appeal outcomes are such decisions (``Appeal.outcome``). The ledger is not touched: one ``DecisionRead`` row per
    decision, written in one INSERT … SELECT. A decision about another provider is not the user's and is left alone;
    one already read keeps who read it first. Returns how many became read."""
    provider_id = _inbox_reader(user)
    if decision_ids is not None:
        decision_ids = [int(i) for i in decision_ids]
        if not decision_ids:
            return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            MARK_DECISIONS_READ,
            {
                "user": user.pk,
                "now": timezone.now(),
                "provider": provider_id,
                "all": decision_ids is None,
                "ids": decision_ids or [],
            },
        )
        return cursor.rowcount
