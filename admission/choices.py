"""Choices of strict admission (严准入): the states of an application, its document kinds, its automatic checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdmissionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审核中")
    ADMITTED = "admitted", _("已准入")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = (AdmissionStatus.DRAFT, AdmissionStatus.SUBMITTED, AdmissionStatus.UNDER_REVIEW)


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("营业执照")


class Check(models.TextChoices):
    """The automatic checks, in the order they are shown."""

    CREDIT_CODE = "credit_code", _("统一社会信用代码有效")
    BUSINESS_LICENCE = "business_licence", _("营业执照文件有效且未过期")
    REGISTERED_CAPITAL = "registered_capital", _("注册资本 ≥ ¥1,000,000")
    CERTIFIED_OPERATORS = "certified_operators", _("≥ 3 名持有效证书的操盘手")
    DEPOSIT = "deposit", _("保证金 ≥ ¥50,000 已缴纳")
    NOT_ALREADY_PROVIDER = "not_already_provider", _("该信用代码尚非在册服务商")
    NO_OTHER_OPEN_APPLICATION = "no_other_open_application", _("该信用代码无更早提交的在审申请")
    NO_SERIOUS_VIOLATION = "no_serious_violation", _("12 个月内无已确认的特别严重违规")
    NO_RECENT_DELISTING = "no_recent_delisting", _("12 个月内未被清退")
    REJECTION_WAIT = "rejection_wait", _("驳回后已满 90 天")
