"""Appeals (申诉): filing, the appeal window, deciding, and flagging overdue appeals (DESIGN §5).

Words: the reviewer judges the appealed *decision*. ``upheld`` = the decision stands (the appeal is
rejected; ledger kind ``appeal_upheld``); ``overturned`` = the decision is reversed (the appeal is
granted; ledger kind ``appeal_overturned``, plus a ``reinstate`` for a delisting or suspension).
The original decision is never edited. Full rules: docs/appeals.md.

Stable helpers for pages: ``appeal_window(decision, today, appeals=)``, ``appeal_overdue(appeal, now=)``,
``appeal_file(...)``, ``appeal_decide(...)``, ``appeal_reviewer_refusal(appeal, user)``, ``appeals_flag_overdue(now=)``.
"""

import datetime as dt
import uuid

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import provider_id_of
from core.dates import SHANGHAI, shanghai_today
from core.errors import Refusal
from providers.choices import ProviderStatus, Tier
from providers.files import inspect_upload
from providers.models import Provider

from . import standing
from .choices import CertificateStatus, DecisionKind, DecisionStatus
from .ledger import decision_append, ledger_lock
from .models import Appeal, AppealAttachment, AppealStatus, Certificate, Decision

APPEALABLE_KINDS = [
    DecisionKind.DEMOTE,
    DecisionKind.WARN,
    DecisionKind.PROBATION,
    DecisionKind.DELIST,
    DecisionKind.SUSPEND,
]
FIRST_APPEAL_DAYS = 15  # after the Shanghai day the decision took effect (that day + 15 is the last)
SECOND_APPEAL_DAYS = 7  # after the Shanghai day the first appeal was rejected (decision upheld)
DECIDE_WITHIN = dt.timedelta(days=10)
MAX_ATTACHMENTS = 5
FILE_FOR_PROVIDER = "certification.add_appeal"  # staff filing on a provider's behalf
DECIDE_APPEAL = "certification.decide_appeal"
OUTCOMES = [AppealStatus.UPHELD, AppealStatus.OVERTURNED]
APPEAL_LOCK_NS = 0x5A1C  # advisory lock namespace: "filing an appeal of decision N"
TIERS = [t.value for t in Tier]


def _refuse(code: str, message: str):
    raise Refusal(code, message)


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def appeal_window(decision: Decision, today: dt.date | None = None, *, appeals: list | None = None) -> dict:
    """Whether the decision's provider may appeal it on ``today`` (Shanghai date): the one implementation of
    the windows of DESIGN §5, for the service and the pages alike.

    Returns {"open": bool, "stage": "first"|"second"|None, "last_day": date|None, "code": str,
    "parent": Appeal|None}; ``code`` is "open" or the reason it is closed (the same code
    appeal_file refuses with). ``appeals``: the decision's appeals when already fetched (a page of many
    decisions prefetches them: no query per decision).
    """
    today = today or shanghai_today()
    if appeals is None:
        first = Appeal.objects.filter(decision=decision, parent__isnull=True).first()
        second = Appeal.objects.filter(parent=first).first() if first is not None else None
    else:
        first = next((a for a in appeals if a.parent_id is None), None)
        second = next((a for a in appeals if first is not None and a.parent_id == first.pk), None)

    def closed(code, last_day=None, stage=None):
        return {"open": False, "stage": stage, "last_day": last_day, "code": code, "parent": None}

    if decision.provider_id is None or decision.kind not in APPEALABLE_KINDS:
        return closed("not_appealable")
    if decision.status != DecisionStatus.EFFECTIVE or decision.effective_at is None:
        return closed("not_appealable")
    if first is None:
        last_day = _day(decision.effective_at) + dt.timedelta(days=FIRST_APPEAL_DAYS)
        if today > last_day:
            return closed("appeal_window_closed", last_day, "first")
        return {"open": True, "stage": "first", "last_day": last_day, "code": "open", "parent": None}
    if first.status == AppealStatus.OPEN:
        return closed("appeal_pending", stage="first")
    if first.status == AppealStatus.OVERTURNED:
        return closed("already_overturned")
    if second is not None:
        return closed("appeal_pending" if second.status == AppealStatus.OPEN else "no_more_appeals", stage="second")
    last_day = _day(first.decided_at) + dt.timedelta(days=SECOND_APPEAL_DAYS)
    if today > last_day:
        return closed("appeal_window_closed", last_day, "second")
    return {"open": True, "stage": "second", "last_day": last_day, "code": "open", "parent": first}


def may_file_for(user, decision: Decision) -> bool:
    """A user of the decision's provider, or staff holding certification.add_appeal."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return user.has_perm(FILE_FOR_PROVIDER)
    return decision.provider_id is not None and provider_id_of(user) == decision.provider_id


def _messages_of(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else str(exc)


@transaction.atomic
def appeal_file(
    *, decision: Decision, filed_by, statement: str, attachments=(), now: dt.datetime | None = None
) -> Appeal:
    """File a first appeal, or a second one after the first was rejected; attachments are sniffed
    (PDF/JPEG/PNG, ≤ 10 MB each, at most 5) before anything is stored."""
    if not may_file_for(filed_by, decision):
        raise PermissionDenied(_("Only the provider's users, or staff on its behalf, may appeal this decision."))
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": ValidationError(_("An appeal needs a statement."), code="required")})
    attachments = list(attachments or [])
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": ValidationError(
                    _("At most %(max)d attachments.") % {"max": MAX_ATTACHMENTS}, code="too_many_attachments"
                )
            }
        )
    facts = []
    for upload in attachments:
        try:
            facts.append(inspect_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"attachments": ValidationError(_messages_of(exc), code=exc.code)}) from exc
    now = now or timezone.now()
    with connection.cursor() as cursor:  # two filings of one decision run one after the other
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [APPEAL_LOCK_NS, decision.pk])
    window = appeal_window(decision, _day(now))
    if not window["open"]:
        messages = {
            "not_appealable": _(
                "Only an effective demotion, warning, probation, delisting or suspension is appealable."
            ),
            "appeal_window_closed": _("The appeal window closed on %(day)s.") % {"day": window["last_day"]},
            "appeal_pending": _("An appeal of this decision is still open."),
            "already_overturned": _("This decision has already been overturned."),
            "no_more_appeals": _("This decision has been appealed twice; no further appeal is possible."),
        }
        _refuse(window["code"], messages[window["code"]])
    appeal = Appeal.objects.create(
        decision=decision,
        provider_id=decision.provider_id,
        parent=window["parent"],
        filed_by=filed_by,
        statement=statement,
        filed_at=now,
        due_by=now + DECIDE_WITHIN,
    )
    for upload, fact in zip(attachments, facts, strict=True):
        attachment = AppealAttachment(
            appeal=appeal,
            original_name=(getattr(upload, "name", "") or "")[:255],
            content_type=fact["content_type"],
            size=fact["size"],
            sha256=fact["sha256"],
            uploaded_by=filed_by,
        )
        attachment.file.save(f"appeals/{uuid.uuid4().hex}{fact['extension']}", upload, save=False)
        attachment.save()
    return appeal


def _makers_and_approvers(decision: Decision) -> set[int]:
    """Who made or approved the decision (and, for an effective delisting, its proposal)."""
    decisions = [decision] + ([decision.refers_to] if decision.refers_to_id else [])
    people = {d.decided_by_id for d in decisions if d.decided_by_id}
    for d in decisions:
        people.update(d.approvals.values_list("approver_id", flat=True))
    return people


def appeal_reviewer_refusal(appeal: Appeal, user) -> tuple[str, str] | None:
    """(code, message) saying why ``user`` may not decide ``appeal``, or None if they may."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff and user.has_perm(DECIDE_APPEAL)):
        return ("not_appeal_reviewer", _("Only appeal reviewers decide appeals."))
    if user.pk in _makers_and_approvers(appeal.decision):
        return (
            "reviewer_made_decision",
            _("You made or approved this decision; another reviewer must decide the appeal."),
        )
    if user.pk == appeal.filed_by_id:
        return ("reviewer_filed_appeal", _("You filed this appeal; another reviewer must decide it."))
    if appeal.parent_id and appeal.parent.reviewer_id == user.pk:
        return (
            "reviewer_decided_first_appeal",
            _("You decided the first appeal; the second needs another reviewer."),
        )
    return None


def _tier_after_overturned_demotion(decision: Decision, provider: Provider) -> str:
    """Overturning a demotion gives back the tier it took away, unless the provider has since climbed as high:
    the higher of the demotion's ``from`` tier and today's tier."""
    before = standing.tier_before(decision)
    if before is None:
        return provider.tier
    return max(before, provider.tier, key=TIERS.index)


def _overturn(*, appeal: Appeal, reviewer, reason: str, now: dt.datetime) -> dict:
    """Reverse the decision's effect (never editing it); returns what changed, for the evidence."""
    decision = appeal.decision
    provider = Provider.objects.select_for_update().get(pk=decision.provider_id)
    effects: dict = {}
    with pghistory.context(appeal_id=appeal.pk, overturns_decision_seq=decision.seq):
        if decision.kind in (DecisionKind.DELIST, DecisionKind.SUSPEND):
            certificate_ids = [int(i) for i in (decision.evidence or {}).get("certificate_ids", [])]
            if certificate_ids:  # an operator's certificates suspended for a violation
                restored = Certificate.objects.filter(
                    pk__in=certificate_ids, status=CertificateStatus.SUSPENDED
                ).update(status=CertificateStatus.ACTIVE)
                effects["certificates_reactivated"] = restored
            elif provider.status in (ProviderStatus.DELISTED, ProviderStatus.SUSPENDED):
                effects["status_before"] = provider.status
                standing.provider_status_set(provider=provider, status=ProviderStatus.ACTIVE)
                effects["status_after"] = provider.status
                if (
                    provider.tier != Tier.L0
                ):  # its revoked tier certificate is issued anew, so tier and certificate agree
                    standing.tiers_move(moves={provider.pk: provider.tier}, decided_by=reviewer)
            reinstate = decision_append(
                kind=DecisionKind.REINSTATE,
                provider=provider,
                operator=decision.operator,
                subject_type="appeal",
                subject_id=str(appeal.pk),
                reason_code="appeal_overturned",
                reason_text=reason,
                evidence={"appeal_id": appeal.pk, "overturns_seq": decision.seq, **effects},
                decided_by=reviewer,
                refers_to=decision,
                effective_at=now,
            )
            effects["reinstate_seq"] = reinstate.seq
        elif decision.kind == DecisionKind.DEMOTE:
            effects["tier_before"] = provider.tier
            standing.tiers_move(
                moves={provider.pk: _tier_after_overturned_demotion(decision, provider)}, decided_by=reviewer
            )
            provider.refresh_from_db(fields=["tier"])
            effects["tier_restored"] = provider.tier
        elif decision.kind == DecisionKind.PROBATION and provider.status == ProviderStatus.PROBATION:
            effects["status_before"] = provider.status
            standing.provider_status_set(provider=provider, status=ProviderStatus.ACTIVE)
            effects["status_after"] = provider.status
    return effects


@transaction.atomic
def appeal_decide(*, appeal: Appeal, reviewer, outcome: str, reason: str, now: dt.datetime | None = None) -> Appeal:
    """Decide an open appeal: ``upheld`` (the decision stands) or ``overturned`` (reversed by a
    compensating decision). Records an appeal_upheld / appeal_overturned decision referring to it."""
    if outcome not in OUTCOMES:
        raise ValidationError(
            {"outcome": ValidationError(_("The outcome is 'upheld' or 'overturned'."), code="invalid_choice")}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("A decision on an appeal needs a reason."), code="required")}
        )
    ledger_lock()  # lock order: ledger first, then rows (appeal, provider, certificates)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    refusal = appeal_reviewer_refusal(appeal, reviewer)
    if refusal and refusal[0] == "not_appeal_reviewer":
        raise PermissionDenied(refusal[1])
    if refusal:
        _refuse(*refusal)
    if appeal.status != AppealStatus.OPEN:
        _refuse("already_decided", _("This appeal has already been decided."))
    now = now or timezone.now()
    decision = appeal.decision
    effects = _overturn(appeal=appeal, reviewer=reviewer, reason=reason, now=now) if outcome == "overturned" else {}
    kind = DecisionKind.APPEAL_OVERTURNED if outcome == "overturned" else DecisionKind.APPEAL_UPHELD
    record = decision_append(
        kind=kind,
        provider=decision.provider,
        operator=decision.operator,
        subject_type="appeal",
        subject_id=str(appeal.pk),
        reason_code=kind.value,
        reason_text=reason,
        evidence={
            "appeal_id": appeal.pk,
            "appealed_seq": decision.seq,
            "appealed_kind": decision.kind,
            "second_appeal": appeal.parent_id is not None,
            "filed_at": appeal.filed_at,
            **effects,
        },
        decided_by=reviewer,
        refers_to=decision,
        effective_at=now,
    )
    appeal.status = outcome
    appeal.reviewer = reviewer
    appeal.decided_at = now
    appeal.decision_reason = reason
    appeal.outcome = record
    appeal.overdue = appeal.overdue or now > appeal.due_by  # a late decision stays marked late
    appeal.save()
    return appeal


def appeal_overdue(appeal: Appeal, *, now: dt.datetime | None = None) -> bool:
    """Whether an appeal is late: flagged (by the nightly job, or decided after its deadline), or still open past
    ``due_by`` (the job has not run yet). The same rule as appeals_flag_overdue's UPDATE."""
    now = now or timezone.now()
    return appeal.overdue or (appeal.status == AppealStatus.OPEN and appeal.due_by < now)


def appeal_overdue_q(*, now: dt.datetime | None = None) -> Q:
    """appeal_overdue as a filter, for counting in the database (the same rule)."""
    now = now or timezone.now()
    return Q(overdue=True) | Q(status=AppealStatus.OPEN, due_by__lt=now)


@transaction.atomic
def appeals_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """One set-based UPDATE: open appeals past their 10-day deadline are flagged. Safe to repeat."""
    now = now or timezone.now()
    return Appeal.objects.filter(status=AppealStatus.OPEN, due_by__lt=now, overdue=False).update(overdue=True)
