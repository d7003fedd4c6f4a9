"""Operator certification (操盘手认证): assessments, granting, renewal and suspension (DESIGN §5).

Rules, all on Asia/Shanghai calendar dates, with ``today`` the day of the request:

- *Assessment*: the operator's latest assessment (highest ``assessed_on``, then id) must lie in the
  last 12 months ``[today − 12 months, today]`` and score ≥ 80. A later failing assessment replaces
  an earlier passing one.
- *Operated sessions*: live sessions whose ``operator`` is the operator and whose start falls on a
  Shanghai day in ``[today − 12 months, today]``: ≥ 10 for 初级 junior, 50 for 中级 intermediate,
  200 for 高级 senior.
- *Time at the level below* (intermediate, senior): an active certificate of the level below, valid
  today, whose ``valid_from`` is at least 6 calendar months ago (``valid_from ≤ today − 6 months``).
- A certificate lasts 2 years (``valid_until = valid_from + 2 years − 1 day``). Renewal opens
  6 months before expiry (``today ≥ valid_until − 6 months``), needs the assessment and the sessions
  again, and issues the next certificate from the day after the current one ends (no gap, no overlap).
See docs/certificates.md, "Operator certification".
"""

import datetime as dt
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import SHANGHAI, add_months, shanghai_today
from core.errors import Refusal
from providers.choices import Severity, ViolationStatus
from providers.models import LiveSession, Operator

from .choices import OPERATOR_LEVELS, CertificateKind, CertificateStatus, DecisionKind
from .ledger import decision_append, ledger_lock
from .models import Certificate, OperatorAssessment
from .services import certificate_issue_operator

RECORD_ASSESSMENT = "certification.add_operatorassessment"
PASSING_SCORE = Decimal("80")
SESSIONS_REQUIRED = {"junior": 10, "intermediate": 50, "senior": 200}
LEVEL_BELOW = {"intermediate": "junior", "senior": "intermediate"}
LOOKBACK_MONTHS = 12
MONTHS_AT_LEVEL_BELOW = 6
RENEWAL_OPENS_MONTHS = 6


def _refuse(code: str, message: str, **params):
    raise Refusal(code, message, params=params)


def _require_staff(user) -> None:
    if user is None or not (user.is_active and user.is_staff and user.has_perm(RECORD_ASSESSMENT)):
        raise PermissionDenied(_("Only staff who assess operators may do this."))


@transaction.atomic
def operator_assessment_record(
    *, operator: Operator, score: Decimal, assessed_on: dt.date, assessor, notes: str = ""
) -> OperatorAssessment:
    """Record one assessment (staff holding certification.add_operatorassessment)."""
    _require_staff(assessor)
    if assessed_on > shanghai_today():
        raise ValidationError(
            {"assessed_on": ValidationError(_("An assessment cannot be dated in the future."), code="future_date")}
        )
    assessment = OperatorAssessment(
        operator=operator, score=Decimal(score), assessed_on=assessed_on, assessor=assessor, notes=notes
    )
    assessment.full_clean()
    assessment.save()
    return assessment


def operated_sessions(*, operator: Operator, today: dt.date) -> int:
    """Sessions the operator ran on Shanghai days [today − 12 months, today] (an index range on started_at)."""
    start = dt.datetime.combine(add_months(today, -LOOKBACK_MONTHS), dt.time(), tzinfo=SHANGHAI)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    return LiveSession.objects.filter(operator=operator, started_at__gte=start, started_at__lt=end).count()


def latest_assessment(*, operator: Operator, today: dt.date) -> OperatorAssessment | None:
    return (
        OperatorAssessment.objects.filter(operator=operator, assessed_on__lte=today)
        .order_by("-assessed_on", "-id")
        .first()
    )


def operator_eligibility(*, operator: Operator, level: str, today: dt.date, renewal: bool = False) -> dict:
    """Every requirement of ``level`` with its evidence: {"eligible", "checks": [{"check","passed",…}]}."""
    if level not in OPERATOR_LEVELS:
        _refuse(
            "invalid_level", _("Operator certificate levels are %(levels)s.") % {"levels": ", ".join(OPERATOR_LEVELS)}
        )
    checks = []
    assessment = latest_assessment(operator=operator, today=today)
    since = add_months(today, -LOOKBACK_MONTHS)
    recent = assessment is not None and assessment.assessed_on >= since
    checks.append(
        {
            "check": "assessment",
            "passed": bool(recent and assessment.score >= PASSING_SCORE),
            "required": f"latest assessment on or after {since.isoformat()} scoring ≥ {PASSING_SCORE}",
            "assessment_id": assessment.pk if assessment else None,
            "score": str(assessment.score) if assessment else None,
            "assessed_on": assessment.assessed_on.isoformat() if assessment else None,
        }
    )
    sessions = operated_sessions(operator=operator, today=today)
    checks.append(
        {
            "check": "operated_sessions",
            "passed": sessions >= SESSIONS_REQUIRED[level],
            "required": SESSIONS_REQUIRED[level],
            "sessions": sessions,
            "since": since.isoformat(),
        }
    )
    below = LEVEL_BELOW.get(level)
    if below and not renewal:
        held_since = add_months(today, -MONTHS_AT_LEVEL_BELOW)
        holding = (
            Certificate.objects.filter(
                kind=CertificateKind.OPERATOR,
                operator=operator,
                level=below,
                status=CertificateStatus.ACTIVE,
                valid_from__lte=held_since,
                valid_until__gte=today,
            )
            .order_by("valid_from")
            .first()
        )
        checks.append(
            {
                "check": "time_at_level_below",
                "passed": holding is not None,
                "required": f"an active {below} certificate valid from {held_since.isoformat()} or earlier",
                "certificate": holding.number if holding else None,
            }
        )
    return {"eligible": all(c["passed"] for c in checks), "checks": checks}


def _require_eligible(result: dict) -> None:
    failed = [c for c in result["checks"] if not c["passed"]]
    if failed:
        raise Refusal(
            "requirements_not_met",
            _("Requirements not met: %(checks)s.") % {"checks": ", ".join(c["check"] for c in failed)},
            params={"checks": result["checks"]},
            errors={"checks": result["checks"]},
        )


def _current(operator: Operator, today: dt.date):
    return (
        Certificate.objects.select_for_update()
        .filter(
            kind=CertificateKind.OPERATOR, operator=operator, status=CertificateStatus.ACTIVE, valid_until__gte=today
        )
        .order_by("-valid_from", "-id")
    )


@transaction.atomic
def operator_certificate_grant(
    *, operator: Operator, level: str, granted_by, today: dt.date | None = None
) -> Certificate:
    """Issue a first certificate of ``level`` (or a higher one, superseding the lower) when every rule holds."""
    _require_staff(granted_by)
    today = today or shanghai_today()
    ledger_lock()  # lock order: ledger first, then rows (see ledger.ledger_lock)
    Operator.objects.select_for_update().filter(pk=operator.pk).first()  # one grant per operator at a time
    result = operator_eligibility(operator=operator, level=level, today=today)
    held = [c.level for c in _current(operator, today)]
    if any(OPERATOR_LEVELS.index(h) >= OPERATOR_LEVELS.index(level) for h in held if h in OPERATOR_LEVELS):
        _refuse(
            "already_certified",
            _("The operator already holds a certificate of this level or higher; renew it instead."),
        )
    _require_eligible(result)
    return certificate_issue_operator(
        operator=operator,
        level=level,
        valid_from=today,
        decided_by=granted_by,
        reason_code="operator_certified",
        evidence={"checks": result["checks"]},
    )


@transaction.atomic
def operator_certificate_renew(*, certificate: Certificate, renewed_by, today: dt.date | None = None) -> Certificate:
    """Renew an active operator certificate from 6 months before its last day; the new one starts the
    day after the current one ends (the current one stays active until then)."""
    _require_staff(renewed_by)
    today = today or shanghai_today()
    ledger_lock()  # lock order: ledger first, then rows
    current = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if (
        current.kind != CertificateKind.OPERATOR
        or current.status != CertificateStatus.ACTIVE
        or current.valid_until < today
    ):
        _refuse("not_renewable", _("Only an active, unexpired operator certificate can be renewed."))
    opens = add_months(current.valid_until, -RENEWAL_OPENS_MONTHS)
    if today < opens:
        _refuse(
            "renewal_not_open",
            _("Renewal opens 6 months before expiry, on %(opens)s (the certificate is valid until %(until)s).")
            % {"opens": opens.isoformat(), "until": current.valid_until.isoformat()},
        )
    if Certificate.objects.filter(supersedes=current).exists():
        _refuse("already_renewed", _("This certificate has already been renewed or replaced."))
    result = operator_eligibility(operator=current.operator, level=current.level, today=today, renewal=True)
    _require_eligible(result)
    renewed = certificate_issue_operator(
        operator=current.operator,
        level=current.level,
        valid_from=current.valid_until + dt.timedelta(days=1),
        decided_by=renewed_by,
        reason_code="operator_renewed",
        evidence={"renews": current.number, "checks": result["checks"]},
    )
    # Issuing supersedes the holder's current certificate at once; a renewal only takes over the day
    # after it ends, so the current one stays active until then (the nightly job expires it).
    with pghistory.context(certificate_action="renewal_keeps_current_until_end"):
        Certificate.objects.filter(pk=current.pk).update(status=CertificateStatus.ACTIVE)
    return renewed


@transaction.atomic
def operator_certificates_suspend_for_violation(*, violation) -> int:
    """A confirmed serious violation naming an operator suspends that operator's active certificates,
    recorded as one `suspend` decision (evidence: the violation and the certificate numbers).
    Returns how many were suspended; calling it again for the same violation suspends nothing more."""
    if (
        violation.operator_id is None
        or violation.severity != Severity.SERIOUS
        or violation.status != ViolationStatus.CONFIRMED
    ):
        return 0
    ledger_lock()  # lock order: ledger first, then rows
    active = list(
        Certificate.objects.select_for_update()
        .filter(kind=CertificateKind.OPERATOR, operator_id=violation.operator_id, status=CertificateStatus.ACTIVE)
        .order_by("id")
    )
    if not active:
        return 0
    decision = decision_append(
        kind=DecisionKind.SUSPEND,
        provider=violation.provider,
        operator=violation.operator,
        subject_type="violation",
        subject_id=str(violation.pk),
        reason_code="serious_violation",
        reason_text=violation.description,
        evidence={
            "violation_id": violation.pk,
            "certificate_ids": [c.pk for c in active],
            "certificates": [c.number for c in active],
        },
    )
    with pghistory.context(decision_seq=decision.seq, decision_kind=decision.kind):
        return Certificate.objects.filter(pk__in=[c.pk for c in active]).update(status=CertificateStatus.SUSPENDED)
