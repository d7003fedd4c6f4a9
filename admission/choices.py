"""Choices of strict admission (严准入): the states of an application, its document kinds, its automatic checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
