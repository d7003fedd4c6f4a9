"""Choice lists of the scoring app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CapabilityKey(models.TextChoices):
    GROWTH = "growth", _("运营力")
    CONTENT = "content", _("内容力")
    TRAFFIC = "traffic", _("投放力")
    PRODUCT = "product", _("选品力")
    SERVICE = "service", _("服务力")


class MetricKey(models.TextChoices):
    GMV_UPLIFT = "gmv_uplift", _("单场 GMV 提升")
    LEAP_RATE = "leap_rate", _("商家跃迁率")
    MERCHANT_RETENTION = "merchant_retention", _("商家留存率")
    GPM = "gpm", _("千次观看成交 GPM")
    FOLLOWERS_PER_SESSION = "followers_per_session", _("场均涨粉")
    LIVE_HOURS_PER_MERCHANT_WEEK = "live_hours_per_merchant_week", _("商家周均直播时长")
    PAID_ROI = "paid_roi", _("投放 ROI")
    LOSS_SESSION_RATE = "loss_session_rate", _("投放亏损场次占比")
    REFUND_RATE = "refund_rate", _("退款率")
    SELL_THROUGH = "sell_through", _("动销率")
    ORDERS_PER_1K_VIEWERS = "orders_per_1k_viewers", _("千次观看订单")
    COMPLAINTS_PER_1K_ORDERS = "complaints_per_1k_orders", _("千单投诉")
    VIOLATION_POINTS = "violation_points", _("违规扣分")
    CERTIFIED_OPERATOR_RATIO = "certified_operator_ratio", _("持证操盘手比例")


class Direction(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")


class CycleKind(models.TextChoices):
    MONTHLY = "monthly", _("月度")
    QUARTERLY = "quarterly", _("季度")
    SIMULATION = "simulation", _("模拟")


class CycleStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待运行")
    RUNNING = "running", _("运行中")
    COMPUTED = "computed", _("已计算（预览）")
    PUBLISHED = "published", _("已发布")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class NotRankedReason(models.TextChoices):
    INSUFFICIENT_ACTIVITY = "insufficient_activity", _("活跃度不足")
