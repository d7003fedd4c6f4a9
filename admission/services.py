"""Every write of strict admission (严准入): create, submit, review, admit, reject, withdraw."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification import standing
from certification.ledger import decision_append
from core.access import is_service_account
from core.errors import Refusal
from providers.files import inspect_upload
from providers.models import Provider, ProviderUser

from .checks import failed_checks, run_checks
from .choices import OPEN_STATUSES, AdmissionStatus, DocumentKind
from .files import random_document_name
from .models import AdmissionApplication, AdmissionDocument

SUBJECT_TYPE = "admission_application"
EDITABLE_FIELDS = {
    "company_name",
    "credit_code",
    "type",
    "province",
    "city",
    "registered_capital",
    "deposit_amount",
    "licence_expires_on",
}


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A validation error on one field that keeps its machine-readable code through the API."""
    return ValidationError({field: ValidationError(message, code=code)})


def _locked(application: AdmissionApplication) -> AdmissionApplication:
    """The application row, locked for this transaction, so two steps on it run one after the other."""
    return AdmissionApplication.objects.select_for_update().get(pk=application.pk)


# Why a step is refused in the application's status (each step its own sentence, for translation).
STEP_REFUSALS = {
    "attach": gettext_lazy("Cannot change the documents of an application that is %(status)s."),
    "change": gettext_lazy("Cannot change an application that is %(status)s."),
    "submit": gettext_lazy("Cannot submit an application that is %(status)s."),
    "review": gettext_lazy("Cannot start reviewing an application that is %(status)s."),
    "admit": gettext_lazy("Cannot admit an application that is %(status)s."),
    "reject": gettext_lazy("Cannot reject an application that is %(status)s."),
    "withdraw": gettext_lazy("Cannot withdraw an application that is %(status)s."),
}


def _require_status(app: AdmissionApplication, allowed, step: str) -> None:
    if app.status not in allowed:
        raise Refusal(
            "invalid_transition",
            STEP_REFUSALS[step] % {"status": app.status},
            status=409,
            errors={"status": app.status, "allowed_from": [str(s) for s in allowed]},
        )


def _require_owner(app: AdmissionApplication, actor) -> None:
    if actor.pk not in (app.created_by_id, app.applicant_id):
        raise Refusal(
            "not_application_owner",
            _("Only the applicant or the creator of an application may do this."),
            status=403,
        )


def _require_independent_reviewer(app: AdmissionApplication, reviewer) -> None:
    if reviewer.pk in (app.created_by_id, app.applicant_id):
        raise Refusal(
            "reviewer_is_creator", _("You cannot review an application you created or applied with."), status=403
        )


def _validate_applicant(applicant) -> None:
    if applicant is None:
        return
    if applicant.is_staff:
        raise field_error("applicant", _("Staff members cannot be applicants."), "applicant_is_staff")
    if ProviderUser.objects.filter(user=applicant).exists():
        raise field_error("applicant", _("This user already belongs to a provider."), "applicant_is_provider_user")
    if is_service_account(applicant):
        raise field_error("applicant", _("A service account cannot be an applicant."), "applicant_is_service_account")


@transaction.atomic
def admission_attach_document(
    *, application: AdmissionApplication, actor, upload, kind: str = DocumentKind.BUSINESS_LICENCE
) -> AdmissionDocument:
    """Store a document of a draft application privately, under a random name, after sniffing its content."""
    app = _locked(application)
    _require_owner(app, actor)
    _require_status(app, [AdmissionStatus.DRAFT], "attach")
    try:
        facts = inspect_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"business_licence": exc}) from exc
    doc = AdmissionDocument(
        application=app,
        kind=kind,
        original_name=(getattr(upload, "name", "") or "")[:255],
        content_type=facts["content_type"],
        size=facts["size"],
        sha256=facts["sha256"],
        uploaded_by=actor,
    )
    doc.file.save(random_document_name(facts["extension"]), upload, save=False)
    doc.save()
    return doc


def proposed_ids(platform_user_ids) -> list[str]:
    """Proposed operators as stored: platform user ids, stripped, sorted, each once."""
    return sorted({i.strip() for i in platform_user_ids} - {""})


@transaction.atomic
def admission_create(
    *,
    created_by,
    company_name: str,
    credit_code: str,
    type: str,
    province: str,
    city: str,
    registered_capital: Decimal,
    deposit_amount: Decimal = Decimal("0"),
    operators: list[str] | tuple = (),
    licence_expires_on: dt.date | None = None,
    licence_file=None,
    applicant=None,
) -> AdmissionApplication:
    """A draft application. A non-staff creator is its applicant; staff may name an applicant (or none)."""
    if not created_by.is_staff:
        if applicant is not None and applicant.pk != created_by.pk:
            raise field_error("applicant", _("Only staff may apply on someone else's behalf."), "applicant_not_self")
        applicant = created_by
    _validate_applicant(applicant)
    app = AdmissionApplication(
        created_by=created_by,
        applicant=applicant,
        company_name=company_name,
        credit_code=credit_code,
        type=type,
        province=province,
        city=city,
        registered_capital=registered_capital,
        deposit_amount=deposit_amount,
        licence_expires_on=licence_expires_on,
    )
    app.proposed_operators = proposed_ids(operators)
    app.full_clean(exclude=["credit_code"])  # the credit code is judged by its check, with evidence
    app.save()
    if licence_file is not None:
        admission_attach_document(application=app, actor=created_by, upload=licence_file)
    return app


@transaction.atomic
def admission_update(*, application: AdmissionApplication, actor, operators=None, **fields) -> AdmissionApplication:
    """Change a draft's fields (and proposed operators) — only while it is a draft."""
    app = _locked(application)
    _require_owner(app, actor)
    _require_status(app, [AdmissionStatus.DRAFT], "change")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {name: ValidationError(_("This field cannot be changed."), code="not_editable") for name in sorted(unknown)}
        )
    for name, value in fields.items():
        setattr(app, name, value)
    if operators is not None:
        app.proposed_operators = proposed_ids(operators)
    app.full_clean(exclude=["credit_code"])
    app.save()
    return app


@transaction.atomic
def admission_submit(*, application: AdmissionApplication, actor, on: dt.date | None = None) -> AdmissionApplication:
    """draft → submitted, running every automatic check and storing its result and evidence."""
    app = _locked(application)
    _require_owner(app, actor)
    _require_status(app, [AdmissionStatus.DRAFT], "submit")
    now = timezone.now()
    app.checks = run_checks(app, on=on)
    app.checks_run_at = now
    app.status = AdmissionStatus.SUBMITTED
    app.submitted_at = now
    app.save()
    return app


@transaction.atomic
def admission_start_review(*, application: AdmissionApplication, reviewer) -> AdmissionApplication:
    """submitted → under_review, by a reviewer who did not create the application."""
    app = _locked(application)
    _require_independent_reviewer(app, reviewer)
    _require_status(app, [AdmissionStatus.SUBMITTED], "review")
    app.status = AdmissionStatus.UNDER_REVIEW
    app.reviewer = reviewer
    app.review_started_at = timezone.now()
    app.save()
    return app


@transaction.atomic
def admission_approve(
    *, application: AdmissionApplication, reviewer, reason: str = "", on: dt.date | None = None
) -> AdmissionApplication:
    """under_review → admitted: re-run the checks (all must pass), create the provider at L0 with its
    deposit, make the applicant its user, and record an `admit` decision in the ledger."""
    app = _locked(application)
    _require_independent_reviewer(app, reviewer)
    _require_status(app, [AdmissionStatus.UNDER_REVIEW], "admit")
    results = run_checks(app, on=on)
    failed = failed_checks(results)
    if failed:
        raise Refusal(
            "admission_checks_failed",
            _("Cannot admit while an automatic check fails: %(checks)s.")
            % {"checks": ", ".join(r["check"] for r in failed)},
            status=409,
            errors={"failed_checks": failed},
        )
    if app.applicant_id and ProviderUser.objects.filter(user_id=app.applicant_id).exists():
        raise Refusal("applicant_is_provider_user", _("The applicant already belongs to a provider."), status=409)

    now = timezone.now()
    fields = {
        "name": app.company_name,
        "type": app.type,
        "province": app.province,
        "city": app.city,
        "deposit": app.deposit_amount,
        "admitted_at": now,
    }
    # A company delisted more than 12 months ago keeps its record (credit codes are unique): it is reinstated.
    provider = Provider.objects.select_for_update().filter(credit_code=app.credit_code).first()
    if provider is None:
        provider = Provider(credit_code=app.credit_code, **fields)
        provider.full_clean()
        provider.save()
    else:
        for name, value in fields.items():
            setattr(provider, name, value)
        provider.save(update_fields=list(fields))
    standing.provider_admitted(provider=provider)  # active at L0: the one writer of tier and status
    if app.applicant_id:
        ProviderUser.objects.create(user_id=app.applicant_id, provider=provider)

    app.status = AdmissionStatus.ADMITTED
    app.checks = results
    app.checks_run_at = now
    app.provider = provider
    app.decided_by = reviewer
    app.decided_at = now
    app.decision_reason = reason
    app.save()
    decision_append(
        kind="admit",
        provider=provider,
        subject_type=SUBJECT_TYPE,
        subject_id=str(app.pk),
        reason_code="admission_checks_passed",
        reason_text=reason or "All admission checks passed; admitted at tier L0.",
        evidence={"application_id": app.pk, "credit_code": app.credit_code, "checks": results},
        decided_by=reviewer,
        effective_at=now,
    )
    return app


@transaction.atomic
def admission_reject(*, application: AdmissionApplication, reviewer, reason: str) -> AdmissionApplication:
    """under_review → rejected with a reason, recorded as a `reject` decision; the 90-day wait starts."""
    if not (reason or "").strip():
        raise field_error("reason", _("A rejection needs a reason."), "reason_required")
    app = _locked(application)
    _require_independent_reviewer(app, reviewer)
    _require_status(app, [AdmissionStatus.UNDER_REVIEW], "reject")
    now = timezone.now()
    app.status = AdmissionStatus.REJECTED
    app.decided_by = reviewer
    app.decided_at = now
    app.decision_reason = reason.strip()
    app.save()
    decision_append(
        kind="reject",
        provider=None,
        subject_type=SUBJECT_TYPE,
        subject_id=str(app.pk),
        reason_code="admission_rejected",
        reason_text=app.decision_reason,
        evidence={"application_id": app.pk, "credit_code": app.credit_code, "checks": app.checks},
        decided_by=reviewer,
        effective_at=now,
    )
    return app


@transaction.atomic
def admission_withdraw(*, application: AdmissionApplication, actor) -> AdmissionApplication:
    """draft | submitted | under_review → withdrawn, by the applicant (or the staff member who created it)."""
    app = _locked(application)
    _require_owner(app, actor)
    _require_status(app, OPEN_STATUSES, "withdraw")
    app.status = AdmissionStatus.WITHDRAWN
    app.withdrawn_at = timezone.now()
    app.save()
    return app
