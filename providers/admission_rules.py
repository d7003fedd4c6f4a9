"""The rules of strict admission (严准入): every threshold and state in one settings-free place."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# Thresholds of the automatic checks (DESIGN §5). docs/admission.md explains each one.
MIN_REGISTERED_CAPITAL = Decimal("1000000.00")  # yuan, inclusive
MIN_DEPOSIT = Decimal("50000.00")  # yuan, inclusive
MIN_CERTIFIED_OPERATORS = 3  # proposed operators holding an operator certificate valid on the check date
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # 10 MB, inclusive; an empty file is refused
LOOKBACK_MONTHS = 12  # serious violations and delistings under the same credit code
REJECTION_WAIT_DAYS = 90  # calendar days (Asia/Shanghai) after a rejection before the next submission passes

# Accepted document types, recognised by their first bytes (never by name or declared type).
DOCUMENT_SIGNATURES = (
    ("application/pdf", ".pdf", b"%PDF-"),
    ("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", ".jpg", b"\xff\xd8\xff"),
)


class AdmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    ADMITTED = "admitted", _("Admitted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (AdmissionStatus.DRAFT, AdmissionStatus.SUBMITTED, AdmissionStatus.UNDER_REVIEW)


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")


class Check(models.TextChoices):
    """The automatic checks, in the order they are shown."""

    CREDIT_CODE = "credit_code", _("Valid unified social credit code")
    BUSINESS_LICENCE = "business_licence", _("Business licence document valid and not expired")
    REGISTERED_CAPITAL = "registered_capital", _("Registered capital ≥ ¥1,000,000")
    CERTIFIED_OPERATORS = "certified_operators", _("≥ 3 operators with valid certificates")
    DEPOSIT = "deposit", _("Deposit ≥ ¥50,000 recorded")
    NOT_ALREADY_PROVIDER = "not_already_provider", _("The credit code is not already a provider")
    NO_OTHER_OPEN_APPLICATION = "no_other_open_application", _("No earlier open application under this credit code")
    NO_SERIOUS_VIOLATION = "no_serious_violation", _("No confirmed serious violation in 12 months")
    NO_RECENT_DELISTING = "no_recent_delisting", _("Not delisted in the last 12 months")
    REJECTION_WAIT = "rejection_wait", _("90 days have passed since a rejection")
