"""Choice lists of the providers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderType(models.TextChoices):
    MCN = "mcn", _("MCN 机构")
    INDUSTRIAL_BELT = "industrial_belt", _("产业带服务商")
    BRAND = "brand", _("品牌服务商")
    GENERAL = "general", _("综合服务商")


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    PROBATION = "probation", _("观察期")
    SUSPENDED = "suspended", _("暂停")
    DELISTED = "delisted", _("已清退")


class Tier(models.TextChoices):
    L0 = "L0", _("L0 未认证")
    L1 = "L1", _("L1 认证")
    L2 = "L2", _("L2 铜牌")
    L3 = "L3", _("L3 银牌")
    L4 = "L4", _("L4 金牌")
    L5 = "L5", _("L5 白金")


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    MAJOR = "major", _("严重")
    SERIOUS = "serious", _("特别严重")


class ViolationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已确认")
    OVERTURNED = "overturned", _("已撤销")
