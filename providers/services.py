"""Every write of the providers app: validate, write in one transaction, answer clean ValidationErrors.

Views, admin and commands call these functions; none saves provider models itself. Validation runs
the model's own validators and constraints (``full_clean``) plus the cross-provider rules below, and
an ``IntegrityError`` raised by a concurrent write is turned into the same field error, never a 500.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.passwords import ProviderNameSimilarityValidator

from .choices import ViolationStatus
from .models import Complaint, Employment, Engagement, Merchant, Operator, Provider, ProviderUser, Violation

# Database constraint name → (field, message) so a lost race answers like the validation it raced.
_CONSTRAINT_ERRORS = {
    "one_open_employment_per_operator": ("operator", "This operator already has an open employment."),
    "employments_do_not_overlap": ("start_date", "This operator is employed elsewhere during these dates."),
    "employment_dates_ordered": ("end_date", "An employment cannot end before it starts."),
    "engagement_dates_ordered": ("end_date", "An engagement cannot end before it starts."),
    "providers_provider_credit_code_key": ("credit_code", "A provider with this credit code already exists."),
    "providers_operator_platform_user_id_key": ("platform_user_id", "An operator with this id already exists."),
    "auth_user_username_key": ("username", "A user with that username already exists."),
    "providers_merchant_platform_account_id_key": (
        "platform_account_id",
        "A merchant with this account id already exists.",
    ),
}


def _integrity_error(exc: IntegrityError) -> ValidationError:
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    field, message = _CONSTRAINT_ERRORS.get(name, ("non_field_errors", "This change conflicts with existing data."))
    return ValidationError({field: [ValidationError(_(message), code="conflict")]})


def _apply(instance: models.Model, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(instance, field, value)


def _save(
    instance: models.Model, *, extra_errors: dict[str, list] | None = None, validate_constraints: bool = True
) -> models.Model:
    """Validate (fields, uniqueness, constraints, plus the caller's own rule errors) and save.

    The save runs in a savepoint so a constraint violation leaves the caller's transaction usable.
    """
    errors: dict[str, list] = {}
    try:
        instance.full_clean(validate_constraints=validate_constraints)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for field, messages in (extra_errors or {}).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        # DRF's name for errors of the whole object, so API clients see one convention.
        if NON_FIELD_ERRORS in errors:
            errors["non_field_errors"] = errors.pop(NON_FIELD_ERRORS)
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise _integrity_error(exc) from exc
    return instance


def _shanghai_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


# Providers -------------------------------------------------------------------------------------


@transaction.atomic
def provider_create(
    *,
    name: str,
    credit_code: str,
    type: str,  # noqa: A002 - the product's own field name
    province: str,
    city: str,
    deposit: Decimal = Decimal("0"),
    admitted_at: dt.datetime | None = None,
) -> Provider:
    """A provider's registry record; it starts active at L0 (its standing then moves only through
    certification.standing)."""
    provider = Provider(
        name=name,
        credit_code=credit_code,
        type=type,
        province=province,
        city=city,
        deposit=deposit,
        admitted_at=admitted_at,
    )
    return _save(provider)


@transaction.atomic
def provider_update(*, provider: Provider, **changes: Any) -> Provider:
    """The registry fields; ``status`` and ``tier`` are certification.standing's alone."""
    if {"status", "tier"} & set(changes):
        raise ValueError("a provider's status and tier change only through certification.standing")
    _apply(provider, changes)
    return _save(provider)


@transaction.atomic
def provider_delete(*, provider: Provider) -> None:
    provider.delete()


# Provider users (logins) -----------------------------------------------------------------------


@transaction.atomic
def provider_user_create(*, provider: Provider, username: str, password: str, email: str = "") -> ProviderUser:
    """A login of ``provider``: never staff, password checked by the project's validators."""
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_staff=False, is_superuser=False)
    errors: dict[str, list] = {}
    # The login has no provider account yet: the provider-name rule is given the provider explicitly.
    validators = [*get_default_password_validators(), ProviderNameSimilarityValidator(provider=provider)]
    try:
        validate_password(password, user=user, password_validators=validators)
    except ValidationError as exc:
        errors["password"] = exc.error_list
    user.set_password(password)
    _save(user, extra_errors=errors)
    return _save(ProviderUser(user=user, provider=provider))


@transaction.atomic
def provider_user_update(
    *, provider_user: ProviderUser, email: str | None = None, password: str | None = None, is_active: bool | None = None
) -> ProviderUser:
    user = provider_user.user
    errors: dict[str, list] = {}
    if email is not None:
        user.email = email
    if is_active is not None:
        user.is_active = is_active
    if password is not None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            errors["password"] = exc.error_list
        user.set_password(password)
    _save(user, extra_errors=errors)
    return provider_user


@transaction.atomic
def provider_user_delete(*, provider_user: ProviderUser) -> None:
    """Remove the login (its ProviderUser row goes with it)."""
    provider_user.user.delete()


# Operators and their employments ----------------------------------------------------------------


@transaction.atomic
def operator_create(*, platform_user_id: str, name: str, phone: str = "") -> Operator:
    return _save(Operator(platform_user_id=platform_user_id, name=name, phone=phone))


@transaction.atomic
def operator_update(*, operator: Operator, **changes: Any) -> Operator:
    _apply(operator, changes)
    return _save(operator)


@transaction.atomic
def operator_delete(*, operator: Operator) -> None:
    operator.delete()


def employment_rule_errors(employment: Employment) -> dict[str, list]:
    """Say which rule an employment breaks, field by field, before the database has to."""
    if employment.operator_id is None or employment.start_date is None:
        return {}
    others = Employment.objects.filter(operator_id=employment.operator_id).exclude(pk=employment.pk)
    errors: dict[str, list] = {}
    if employment.end_date is not None and employment.end_date < employment.start_date:
        errors["end_date"] = [ValidationError(_("An employment cannot end before it starts."), code="dates_order")]
    elif employment.end_date is None and others.filter(end_date__isnull=True).exists():
        errors["operator"] = [ValidationError(_("This operator already has an open employment."), code="open")]
    else:
        overlapping = others.filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=employment.start_date),
            **({"start_date__lte": employment.end_date} if employment.end_date else {}),
        )
        if overlapping.exists():
            errors["start_date"] = [
                ValidationError(_("This operator is employed elsewhere during these dates."), code="overlap")
            ]
    return errors


def _save_employment(employment: Employment) -> Employment:
    # Lock the operator row so two concurrent starts for the same operator queue up.
    Operator.objects.select_for_update().filter(pk=employment.operator_id).exists()
    # The rules above say field by field what the table's constraints would refuse.
    return _save(employment, extra_errors=employment_rule_errors(employment), validate_constraints=False)


@transaction.atomic
def employment_start(
    *, operator: Operator, provider: Provider, start_date: dt.date, end_date: dt.date | None = None
) -> Employment:
    """Employ ``operator`` at ``provider`` from ``start_date`` (an ``end_date`` records a past employment)."""
    return _save_employment(Employment(operator=operator, provider=provider, start_date=start_date, end_date=end_date))


@transaction.atomic
def employment_end(*, employment: Employment, end_date: dt.date) -> Employment:
    if employment.end_date is not None:
        raise ValidationError({"end_date": [ValidationError(_("This employment has already ended."), code="ended")]})
    employment.end_date = end_date
    return _save_employment(employment)


@transaction.atomic
def employment_update(*, employment: Employment, **changes: Any) -> Employment:
    _apply(employment, changes)
    return _save_employment(employment)


@transaction.atomic
def employment_delete(*, employment: Employment) -> None:
    employment.delete()


# Merchants and engagements ---------------------------------------------------------------------


@transaction.atomic
def merchant_create(*, platform_account_id: str, name: str, category: str, public_consent: bool = False) -> Merchant:
    return _save(
        Merchant(platform_account_id=platform_account_id, name=name, category=category, public_consent=public_consent)
    )


@transaction.atomic
def merchant_update(*, merchant: Merchant, **changes: Any) -> Merchant:
    _apply(merchant, changes)
    return _save(merchant)


@transaction.atomic
def merchant_delete(*, merchant: Merchant) -> None:
    merchant.delete()


def engagement_rule_errors(engagement: Engagement) -> dict[str, list]:
    """A lead operator must work for the engagement's provider: no data attached across providers."""
    if engagement.lead_operator_id is None or engagement.provider_id is None:
        return {}
    if not Employment.objects.filter(
        operator_id=engagement.lead_operator_id, provider_id=engagement.provider_id
    ).exists():
        return {
            "lead_operator": [
                ValidationError(_("The lead operator is not employed by this provider."), code="not_employed")
            ]
        }
    return {}


@transaction.atomic
def engagement_create(
    *,
    provider: Provider,
    merchant: Merchant,
    start_date: dt.date,
    end_date: dt.date | None = None,
    lead_operator: Operator | None = None,
) -> Engagement:
    engagement = Engagement(
        provider=provider, merchant=merchant, start_date=start_date, end_date=end_date, lead_operator=lead_operator
    )
    return _save(engagement, extra_errors=engagement_rule_errors(engagement))


@transaction.atomic
def engagement_update(*, engagement: Engagement, **changes: Any) -> Engagement:
    _apply(engagement, changes)
    return _save(engagement, extra_errors=engagement_rule_errors(engagement))


@transaction.atomic
def engagement_delete(*, engagement: Engagement) -> None:
    engagement.delete()


# Violations and complaints ---------------------------------------------------------------------


def violation_rule_errors(violation: Violation) -> dict[str, list]:
    """An operator named in a violation must have worked for that provider on that (Shanghai) day."""
    if violation.operator_id is None or violation.provider_id is None or violation.occurred_at is None:
        return {}
    day = _shanghai_date(violation.occurred_at)
    employed = Employment.objects.filter(
        models.Q(end_date__isnull=True) | models.Q(end_date__gte=day),
        operator_id=violation.operator_id,
        provider_id=violation.provider_id,
        start_date__lte=day,
    )
    if not employed.exists():
        return {
            "operator": [
                ValidationError(_("This operator was not employed by this provider at that time."), code="not_employed")
            ]
        }
    return {}


@transaction.atomic
def violation_row_create(
    *,
    provider: Provider,
    severity: str,
    points: int,
    occurred_at: dt.datetime,
    operator: Operator | None = None,
    status: str = ViolationStatus.CONFIRMED,
    description: str = "",
) -> Violation:
    """The registry row only: callers go through certification.violations, which adds the consequences."""
    violation = Violation(
        provider=provider,
        operator=operator,
        severity=severity,
        points=points,
        occurred_at=occurred_at,
        status=status,
        description=description,
    )
    return _save(violation, extra_errors=violation_rule_errors(violation))


@transaction.atomic
def violation_row_update(*, violation: Violation, **changes: Any) -> Violation:
    """The registry row only: callers go through certification.violations, which adds the consequences."""
    _apply(violation, changes)
    return _save(violation, extra_errors=violation_rule_errors(violation))


@transaction.atomic
def violation_delete(*, violation: Violation) -> None:
    violation.delete()


def complaint_rule_errors(complaint: Complaint) -> dict[str, list]:
    """A complaint comes from a merchant the provider has served (an engagement, at any time)."""
    if complaint.merchant_id is None or complaint.provider_id is None:
        return {}
    if not Engagement.objects.filter(merchant_id=complaint.merchant_id, provider_id=complaint.provider_id).exists():
        return {
            "merchant": [ValidationError(_("This merchant has no engagement with this provider."), code="not_engaged")]
        }
    return {}


@transaction.atomic
def complaint_record(
    *, provider: Provider, merchant: Merchant, received_at: dt.datetime, upheld: bool = False, description: str = ""
) -> Complaint:
    complaint = Complaint(
        provider=provider, merchant=merchant, received_at=received_at, upheld=upheld, description=description
    )
    return _save(complaint, extra_errors=complaint_rule_errors(complaint))


@transaction.atomic
def complaint_update(*, complaint: Complaint, **changes: Any) -> Complaint:
    _apply(complaint, changes)
    return _save(complaint, extra_errors=complaint_rule_errors(complaint))


@transaction.atomic
def complaint_delete(*, complaint: Complaint) -> None:
    complaint.delete()


# The cross-row rules above by model, so admin forms refuse what the services would.
RULE_CHECKS = {
    Employment: employment_rule_errors,
    Engagement: engagement_rule_errors,
    Violation: violation_rule_errors,
    Complaint: complaint_rule_errors,
}
