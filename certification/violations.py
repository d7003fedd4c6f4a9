"""Violations with their consequences: recording or confirming one is where certification reacts (DESIGN §4, §5)."""

from typing import Any

from django.db import transaction

from providers import services as provider_services
from providers.choices import ProviderStatus, Severity, ViolationStatus
from providers.models import Violation

from .operators import operator_certificates_suspend_for_violation
from .services import delist_propose_for_violation


def _follow_up(violation: Violation) -> Violation:
    """A confirmed serious violation naming an operator suspends the operator's certificates, and proposes
    delisting its provider (an open proposal is reused, not doubled)."""
    operator_certificates_suspend_for_violation(violation=violation)
    if (
        violation.severity == Severity.SERIOUS
        and violation.status == ViolationStatus.CONFIRMED
        and violation.provider.status != ProviderStatus.DELISTED
    ):
        delist_propose_for_violation(violation=violation)
    return violation


@transaction.atomic
def violation_record(**fields: Any) -> Violation:
    """Record a violation (providers.services.violation_row_create's fields) and apply what it entails."""
    return _follow_up(provider_services.violation_row_create(**fields))


@transaction.atomic
def violation_update(*, violation: Violation, **changes: Any) -> Violation:
    return _follow_up(provider_services.violation_row_update(violation=violation, **changes))
