"""Choice lists of the providers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProviderType(models.TextChoices):
    MCN = "mcn", _("MCN agency")
    INDUSTRIAL_BELT = "industrial_belt", _("Industrial-belt provider")
    BRAND = "brand", _("Brand provider")
    GENERAL = "general", _("General provider")


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("provider status", "Active")
    PROBATION = "probation", _("Probation")
    SUSPENDED = "suspended", pgettext_lazy("provider status", "Suspended")
    DELISTED = "delisted", _("Delisted")


class Tier(models.TextChoices):
    L0 = "L0", _("L0 Not certified")
    L1 = "L1", _("L1 Certified")
    L2 = "L2", _("L2 Bronze")
    L3 = "L3", _("L3 Silver")
    L4 = "L4", _("L4 Gold")
    L5 = "L5", _("L5 Platinum")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    SERIOUS = "serious", _("Serious")


class ViolationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    OVERTURNED = "overturned", _("Revoked")
