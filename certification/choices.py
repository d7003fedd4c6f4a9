"""Choice lists of the certification app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DecisionKind(models.TextChoices):
    ADMIT = "admit", _("Admit")
    REJECT = "reject", pgettext_lazy("decision kind", "Reject")
    CERTIFY = "certify", _("Certify")
    PROMOTE = "promote", _("Promote")
    DEMOTE = "demote", _("Demote")
    WARN = "warn", _("Warning")
    PROBATION = "probation", _("Probation")
    DELIST = "delist", _("Delist")
    REINSTATE = "reinstate", _("Reinstate")
    SUSPEND = "suspend", _("Suspend")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal: decision upheld")
    APPEAL_OVERTURNED = "appeal_overturned", _("Appeal: decision overturned")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    EFFECTIVE = "effective", pgettext_lazy("decision status", "Effective")
    REJECTED = "rejected", _("Rejected")


class CertificateKind(models.TextChoices):
    PROVIDER = "provider", _("Provider tier certificate")
    OPERATOR = "operator", _("Operator certificate")


class CertificateLevel(models.TextChoices):
    L1 = "L1", _("L1 Certified")
    L2 = "L2", _("L2 Bronze")
    L3 = "L3", _("L3 Silver")
    L4 = "L4", _("L4 Gold")
    L5 = "L5", _("L5 Platinum")
    JUNIOR = "junior", _("Junior operator")
    INTERMEDIATE = "intermediate", _("Intermediate operator")
    SENIOR = "senior", _("Senior operator")


PROVIDER_LEVELS = ["L1", "L2", "L3", "L4", "L5"]
OPERATOR_LEVELS = ["junior", "intermediate", "senior"]
NUMBER_PREFIX = {CertificateKind.PROVIDER: "SP", CertificateKind.OPERATOR: "OP"}


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("certificate status", "Active")
    SUPERSEDED = "superseded", _("Superseded")
    EXPIRED = "expired", _("Expired")
    SUSPENDED = "suspended", pgettext_lazy("certificate status", "Suspended")
    REVOKED = "revoked", _("Revoked")


class EmailStatus(models.TextChoices):
    """Where a notification's e-mail stands (certification.mailing sends it)."""

    PENDING = "pending", _("To be sent")
    SENT = "sent", _("Sent")
    NO_ADDRESS = "no_address", _("No address to send to")
    FAILED = "failed", _("Failed")


class OutcomeChange(models.TextChoices):
    PROMOTE = "promote", _("Promoted")
    DEMOTE = "demote", _("Demoted")
    NONE = "none", _("Unchanged")
