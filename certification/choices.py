"""Choice lists of the certification app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionKind(models.TextChoices):
    ADMIT = "admit", _("准入 admit")
    REJECT = "reject", _("拒绝 reject")
    CERTIFY = "certify", _("认证 certify")
    PROMOTE = "promote", _("晋级 promote")
    DEMOTE = "demote", _("降级 demote")
    WARN = "warn", _("预警 warn")
    PROBATION = "probation", _("观察期 probation")
    DELIST = "delist", _("清退 delist")
    REINSTATE = "reinstate", _("恢复 reinstate")
    SUSPEND = "suspend", _("暂停 suspend")
    APPEAL_UPHELD = "appeal_upheld", _("申诉维持 appeal upheld")
    APPEAL_OVERTURNED = "appeal_overturned", _("申诉改判 appeal overturned")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("待批准 pending")
    EFFECTIVE = "effective", _("已生效 effective")
    REJECTED = "rejected", _("已驳回 rejected")


class CertificateKind(models.TextChoices):
    PROVIDER = "provider", _("服务商等级证书 provider tier certificate")
    OPERATOR = "operator", _("操盘手证书 operator certificate")


class CertificateLevel(models.TextChoices):
    L1 = "L1", _("L1 认证")
    L2 = "L2", _("L2 铜牌")
    L3 = "L3", _("L3 银牌")
    L4 = "L4", _("L4 金牌")
    L5 = "L5", _("L5 白金")
    JUNIOR = "junior", _("初级操盘手 junior")
    INTERMEDIATE = "intermediate", _("中级操盘手 intermediate")
    SENIOR = "senior", _("高级操盘手 senior")


PROVIDER_LEVELS = ["L1", "L2", "L3", "L4", "L5"]
OPERATOR_LEVELS = ["junior", "intermediate", "senior"]
NUMBER_PREFIX = {CertificateKind.PROVIDER: "SP", CertificateKind.OPERATOR: "OP"}


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("有效 active")
    EXPIRED = "expired", _("已过期 expired")
    SUSPENDED = "suspended", _("已暂停 suspended")
    REVOKED = "revoked", _("已撤销 revoked")


class OutcomeChange(models.TextChoices):
    PROMOTE = "promote", _("晋级")
    DEMOTE = "demote", _("降级")
    NONE = "none", _("不变")
