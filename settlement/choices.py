"""Choice lists of the settlement app (DESIGN §11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StatementState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("statement state", "Draft")
    CONFIRMED = "confirmed", pgettext_lazy("statement state", "Confirmed")
    DISPUTED = "disputed", pgettext_lazy("statement state", "Disputed")
    APPROVED = "approved", pgettext_lazy("statement state", "Approved")
    PAID = "paid", pgettext_lazy("statement state", "Paid")
    VOID = "void", pgettext_lazy("statement state", "Void")


class LineKind(models.TextChoices):
    CARRIED = "carried", _("Carried negative total")
    FIXED_FEE = "fixed_fee", _("Fixed fee")
    COMMISSION = "commission", _("Commission")
    UPLIFT_BONUS = "uplift_bonus", _("Uplift bonus")
    TIER_INCENTIVE = "tier_incentive", _("Tier incentive")


# Kinds computed per engagement, in the order a statement lists them.
ENGAGEMENT_KINDS = [LineKind.FIXED_FEE, LineKind.COMMISSION, LineKind.UPLIFT_BONUS, LineKind.TIER_INCENTIVE]


class Account(models.TextChoices):
    MERCHANT_PAYABLE = "merchant_payable", _("Merchant payable")
    PLATFORM_INCENTIVE = "platform_incentive", _("Platform incentive")
    PROVIDER_RECEIVABLE = "provider_receivable", _("Provider receivable")


# Who pays each kind of line (the other leg is always provider_receivable).
PAYER = {
    LineKind.FIXED_FEE: Account.MERCHANT_PAYABLE,
    LineKind.COMMISSION: Account.MERCHANT_PAYABLE,
    LineKind.UPLIFT_BONUS: Account.MERCHANT_PAYABLE,
    LineKind.TIER_INCENTIVE: Account.PLATFORM_INCENTIVE,
}


class UnsettledReason(models.TextChoices):
    NO_ENGAGEMENT = "no_engagement", _("No engagement of the provider covers the session's date")
    NO_AGREEMENT_VERSION = "no_agreement_version", _("No agreement version is in force on the session's date")


class PayoutStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PAID = "paid", pgettext_lazy("payout status", "Paid")
