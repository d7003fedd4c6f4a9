"""The automatic checks of strict admission (严准入), each returning pass/fail with its evidence.

Stored results do not depend on the language of whoever submitted: labels and error sentences are
written in English, and each error also as a code with its parameters (``evidence["errors"]``), from
which ``evidence_error_text`` says it again in the reader's language.
"""

import calendar
import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from certification.choices import CertificateStatus, DecisionKind, DecisionStatus
from certification.models import Certificate, Decision
from providers.choices import ProviderStatus, Severity, ViolationStatus
from providers.files import MAX_DOCUMENT_BYTES, sniff_type
from providers.models import Employment, Operator, Provider, Violation
from providers.validators import CREDIT_CODE_MESSAGES, validate_credit_code

from .choices import AdmissionStatus, Check, DocumentKind
from .models import AdmissionApplication, AdmissionDocument
from .rules import (
    LOOKBACK_MONTHS,
    MIN_CERTIFIED_OPERATORS,
    MIN_DEPOSIT,
    MIN_REGISTERED_CAPITAL,
    REJECTION_WAIT_DAYS,
)

# Errors a check may record, by code (the credit code's come from its validator).
EVIDENCE_ERRORS = {
    **CREDIT_CODE_MESSAGES,
    "document_missing": _("No business licence document uploaded."),
    "document_unreadable": _("The stored document cannot be read."),
    "document_empty": _("The document is empty."),
    "document_too_large": _("The document is larger than %(max)d bytes."),
    "document_type": _("The document is not a PDF, JPEG or PNG file."),
    "licence_expiry_missing": _("The licence expiry date is missing."),
    "licence_expired": _("The licence has expired (its expiry date must be after the check date)."),
}


def _errors(errors: list[tuple[str, dict]]) -> dict:
    """Evidence of failure: codes with parameters, and the sentences in English (never the submitter's language)."""
    with translation.override("en"):
        text = " ".join(
            str(EVIDENCE_ERRORS[code]) % params if params else str(EVIDENCE_ERRORS[code]) for code, params in errors
        )
    return {"error": text, "errors": [{"code": code, "params": params} for code, params in errors]}


def evidence_error_text(evidence: dict) -> str:
    """The stored errors of a check in the active language (older evidence without codes: as stored)."""
    parts = []
    for error in evidence.get("errors") or []:
        message = EVIDENCE_ERRORS.get(error.get("code"))
        if message is None:
            return evidence.get("error", "")
        params = error.get("params") or {}
        parts.append(str(message) % params if params else str(message))
    return " ".join(parts) if parts else evidence.get("error", "")


def check_label(result: dict) -> str:
    """A stored check's label in the active language (its stored label if the check is unknown)."""
    try:
        return str(Check(result.get("check")).label)
    except ValueError:
        return result.get("label", "")


def _result(check: Check, passed: bool, evidence: dict) -> dict:
    with translation.override("en"):
        label = str(check.label)
    return {"check": check.value, "label": label, "passed": bool(passed), "evidence": evidence}


def _start_of_day(day: dt.date) -> dt.datetime:
    """The instant a Shanghai calendar day begins."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def lookback_start(on: dt.date) -> dt.date:
    """First day of the 12-month lookback ending on `on` (same calendar date a year before)."""
    months = on.year * 12 + on.month - 1 - LOOKBACK_MONTHS
    year, month = divmod(months, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(on.day, last_day))  # 29 Feb → 28 Feb


def check_credit_code(app: AdmissionApplication, on: dt.date) -> dict:
    try:
        validate_credit_code(app.credit_code)
    except ValidationError as exc:
        errors = [(e.code, e.params or {}) for e in exc.error_list]
        return _result(Check.CREDIT_CODE, False, {"credit_code": app.credit_code, **_errors(errors)})
    return _result(Check.CREDIT_CODE, True, {"credit_code": app.credit_code})


def latest_licence(app: AdmissionApplication) -> AdmissionDocument | None:
    return app.documents.filter(kind=DocumentKind.BUSINESS_LICENCE).order_by("-id").first()


def check_business_licence(app: AdmissionApplication, on: dt.date) -> dict:
    doc = latest_licence(app)
    expires = app.licence_expires_on
    evidence = {"expires_on": expires.isoformat() if expires else None, "checked_on": on.isoformat()}
    if doc is None:
        return _result(Check.BUSINESS_LICENCE, False, {**evidence, **_errors([("document_missing", {})])})
    # The stored bytes are examined again: a document that reached storage another way is held to the same rule.
    try:
        with doc.file.open("rb") as fh:
            head = fh.read(16)
        size = doc.file.size
    except OSError:
        return _result(Check.BUSINESS_LICENCE, False, {**evidence, **_errors([("document_unreadable", {})])})
    kind = sniff_type(head)
    evidence.update(
        {"document_id": doc.pk, "content_type": kind[0] if kind else None, "size": size, "sha256": doc.sha256}
    )
    errors = []
    if size == 0:
        errors.append(("document_empty", {}))
    if size > MAX_DOCUMENT_BYTES:
        errors.append(("document_too_large", {"max": MAX_DOCUMENT_BYTES}))
    if kind is None:
        errors.append(("document_type", {}))
    if expires is None:
        errors.append(("licence_expiry_missing", {}))
    elif expires <= on:
        errors.append(("licence_expired", {}))
    if errors:
        evidence.update(_errors(errors))
    return _result(Check.BUSINESS_LICENCE, not errors, evidence)


def check_registered_capital(app: AdmissionApplication, on: dt.date) -> dict:
    passed = app.registered_capital is not None and app.registered_capital >= MIN_REGISTERED_CAPITAL
    return _result(
        Check.REGISTERED_CAPITAL,
        passed,
        {"registered_capital": str(app.registered_capital), "minimum": str(MIN_REGISTERED_CAPITAL)},
    )


def check_certified_operators(app: AdmissionApplication, on: dt.date) -> dict:
    supplied = app.proposed_operators
    registered = dict(Operator.objects.filter(platform_user_id__in=supplied).values_list("platform_user_id", "id"))
    ids = list(registered.values())
    certified = {}
    rows = (
        Certificate.objects.filter(
            kind="operator",
            operator_id__in=ids,
            status=CertificateStatus.ACTIVE,
            valid_from__lte=on,
            valid_until__gte=on,
        )
        .order_by("operator_id", "-valid_until")
        .values_list("operator_id", "number", "valid_until")
    )
    for operator_id, number, valid_until in rows:
        certified.setdefault(operator_id, {"number": number, "valid_until": valid_until.isoformat()})
    # An operator counts for one provider only (DESIGN §5): not while another provider employs it on the
    # check date, nor while another open (submitted or under review) application proposes it.
    employed = dict(
        Employment.objects.filter(operator_id__in=ids, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .exclude(provider__credit_code=app.credit_code)
        .order_by("operator_id", "provider_id")
        .values_list("operator_id", "provider_id")
    )
    contested: dict[str, list[int]] = {}
    for other_id, other_proposed in (
        AdmissionApplication.objects.filter(
            proposed_operators__overlap=supplied,
            status__in=[AdmissionStatus.SUBMITTED, AdmissionStatus.UNDER_REVIEW],
        )
        .exclude(pk=app.pk)
        .order_by("pk")
        .values_list("pk", "proposed_operators")
    ):
        for uid in set(other_proposed) & set(supplied):
            contested.setdefault(uid, []).append(other_id)
    operators = []
    for uid in supplied:
        pk = registered.get(uid)
        row = {"platform_user_id": uid, "registered": pk is not None, "certified": pk in certified}
        row.update(certified.get(pk, {}))
        row["employed_by_provider_id"] = employed.get(pk)
        row["proposed_by_application_ids"] = contested.get(uid, [])
        row["counts"] = pk in certified and pk not in employed and uid not in contested
        operators.append(row)
    counting = sum(row["counts"] for row in operators)
    return _result(
        Check.CERTIFIED_OPERATORS,
        counting >= MIN_CERTIFIED_OPERATORS,
        {
            "checked_on": on.isoformat(),
            "proposed": len(supplied),
            "certified": len(certified),
            "counting": counting,
            "minimum": MIN_CERTIFIED_OPERATORS,
            "operators": operators,
        },
    )


def check_deposit(app: AdmissionApplication, on: dt.date) -> dict:
    passed = app.deposit_amount is not None and app.deposit_amount >= MIN_DEPOSIT
    return _result(Check.DEPOSIT, passed, {"deposit_amount": str(app.deposit_amount), "minimum": str(MIN_DEPOSIT)})


def check_not_already_provider(app: AdmissionApplication, on: dt.date) -> dict:
    existing = Provider.objects.filter(credit_code=app.credit_code).values("id", "status").first()
    # A delisted company may apply again (its record is reinstated on admission); the delisting check covers it.
    passed = existing is None or existing["status"] == ProviderStatus.DELISTED
    return _result(
        Check.NOT_ALREADY_PROVIDER,
        passed,
        {"provider_id": existing["id"], "provider_status": existing["status"]} if existing else {"provider_id": None},
    )


def check_no_other_open_application(app: AdmissionApplication, on: dt.date) -> dict:
    """Applications for one company are decided in the order they were submitted: an earlier one that is
    still submitted or under review holds this one back (drafts do not count)."""
    others = AdmissionApplication.objects.filter(
        credit_code=app.credit_code, status__in=[AdmissionStatus.SUBMITTED, AdmissionStatus.UNDER_REVIEW]
    ).exclude(pk=app.pk)
    if app.submitted_at is not None:
        others = others.filter(Q(submitted_at__lt=app.submitted_at) | Q(submitted_at=app.submitted_at, pk__lt=app.pk))
    ids = list(others.order_by("submitted_at", "pk").values_list("id", flat=True))
    return _result(Check.NO_OTHER_OPEN_APPLICATION, not ids, {"earlier_open_application_ids": ids})


def check_no_serious_violation(app: AdmissionApplication, on: dt.date) -> dict:
    since = lookback_start(on)
    rows = list(
        Violation.objects.filter(
            provider__credit_code=app.credit_code,
            severity=Severity.SERIOUS,
            status=ViolationStatus.CONFIRMED,
            occurred_at__gte=_start_of_day(since),
            occurred_at__lt=_start_of_day(on + dt.timedelta(days=1)),
        )
        .order_by("-occurred_at")
        .values_list("id", "occurred_at")
    )
    return _result(
        Check.NO_SERIOUS_VIOLATION,
        not rows,
        {
            "since": since.isoformat(),
            "violations": [{"id": pk, "occurred_at": at.isoformat()} for pk, at in rows],
        },
    )


def check_no_recent_delisting(app: AdmissionApplication, on: dt.date) -> dict:
    since = lookback_start(on)
    delistings = Decision.objects.filter(
        kind=DecisionKind.DELIST, provider__credit_code=app.credit_code, status=DecisionStatus.EFFECTIVE
    )
    recent = list(
        delistings.filter(
            effective_at__gte=_start_of_day(since), effective_at__lt=_start_of_day(on + dt.timedelta(days=1))
        )
        .order_by("-effective_at")
        .values_list("id", "effective_at")
    )
    evidence = {
        "since": since.isoformat(),
        "delistings": [{"decision_id": pk, "effective_at": at.isoformat()} for pk, at in recent],
    }
    # A provider marked delisted whose delisting is not dated by the ledger cannot be shown to be old enough.
    undated = Provider.objects.filter(credit_code=app.credit_code, status=ProviderStatus.DELISTED).exclude(
        pk__in=delistings.values("provider_id")
    )
    undated_ids = list(undated.values_list("id", flat=True))
    if undated_ids:
        evidence["delisted_without_ledger_record"] = undated_ids
    return _result(Check.NO_RECENT_DELISTING, not recent and not undated_ids, evidence)


def check_rejection_wait(app: AdmissionApplication, on: dt.date) -> dict:
    last = (
        AdmissionApplication.objects.filter(
            credit_code=app.credit_code, status=AdmissionStatus.REJECTED, decided_at__isnull=False
        )
        .exclude(pk=app.pk)
        .order_by("-decided_at")
        .values("id", "decided_at")
        .first()
    )
    if last is None:
        return _result(Check.REJECTION_WAIT, True, {"last_rejection": None})
    rejected_on = timezone.localdate(last["decided_at"])
    eligible_on = rejected_on + dt.timedelta(days=REJECTION_WAIT_DAYS)
    return _result(
        Check.REJECTION_WAIT,
        on >= eligible_on,
        {
            "last_rejected_application_id": last["id"],
            "rejected_on": rejected_on.isoformat(),
            "days_since": (on - rejected_on).days,
            "wait_days": REJECTION_WAIT_DAYS,
            "eligible_on": eligible_on.isoformat(),
        },
    )


CHECKS: list[Callable[[AdmissionApplication, dt.date], dict]] = [
    check_credit_code,
    check_business_licence,
    check_registered_capital,
    check_certified_operators,
    check_deposit,
    check_not_already_provider,
    check_no_other_open_application,
    check_no_serious_violation,
    check_no_recent_delisting,
    check_rejection_wait,
]


def run_checks(app: AdmissionApplication, *, on: dt.date | None = None) -> list[dict]:
    """Every automatic check of an application on a Shanghai calendar date (default: today)."""
    on = on or timezone.localdate()
    return [check(app, on) for check in CHECKS]


# What an applicant (and the admitted provider's users) may read of each check's evidence: pass/fail and
# what the application itself supplied, with the rule's thresholds. Everything found about other
# companies (their provider id and status, other applications, violations, delistings, rejections) and
# about operators (who is certified, employed or proposed elsewhere) is for staff only: a credit code or
# a platform user id typed into an application must not become a way to look things up.
APPLICANT_EVIDENCE: dict[str, tuple[str, ...]] = {
    Check.CREDIT_CODE: ("credit_code", "error", "errors"),
    Check.BUSINESS_LICENCE: (
        "expires_on",
        "checked_on",
        "document_id",
        "content_type",
        "size",
        "sha256",
        "error",
        "errors",
    ),
    Check.REGISTERED_CAPITAL: ("registered_capital", "minimum"),
    Check.CERTIFIED_OPERATORS: ("checked_on", "proposed", "minimum"),
    Check.DEPOSIT: ("deposit_amount", "minimum"),
    Check.NOT_ALREADY_PROVIDER: (),
    Check.NO_OTHER_OPEN_APPLICATION: (),
    Check.NO_SERIOUS_VIOLATION: ("since",),
    Check.NO_RECENT_DELISTING: ("since",),
    Check.REJECTION_WAIT: ("wait_days",),
}


def applicant_view(result: dict) -> dict:
    """A stored check result as an applicant may read it (see APPLICANT_EVIDENCE; unknown checks: no evidence)."""
    keys = APPLICANT_EVIDENCE.get(result.get("check"), ())
    evidence = result.get("evidence") or {}
    shown = {key: evidence[key] for key in keys if key in evidence}
    if result.get("check") == Check.CERTIFIED_OPERATORS and "operators" in evidence:
        shown["operators"] = [{"platform_user_id": row["platform_user_id"]} for row in evidence["operators"]]
    return {**{k: result[k] for k in ("check", "label", "passed") if k in result}, "evidence": shown}


def failed_checks(results: list[dict]) -> list[dict]:
    return [r for r in results if not r["passed"]]
