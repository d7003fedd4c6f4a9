"""Choice lists of the scoring app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CapabilityKey(models.TextChoices):
    GROWTH = "growth", _("Growth")
    CONTENT = "content", _("Content")
    TRAFFIC = "traffic", _("Traffic")
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")


class MetricKey(models.TextChoices):
    GMV_UPLIFT = "gmv_uplift", _("Single-session GMV uplift")
    LEAP_RATE = "leap_rate", _("Merchant leap rate")
    MERCHANT_RETENTION = "merchant_retention", _("Merchant retention")
    GPM = "gpm", _("GMV per 1,000 views (GPM)")
    FOLLOWERS_PER_SESSION = "followers_per_session", _("New followers per session")
    LIVE_HOURS_PER_MERCHANT_WEEK = "live_hours_per_merchant_week", _("Live hours per merchant-week")
    PAID_ROI = "paid_roi", _("Paid ROI")
    LOSS_SESSION_RATE = "loss_session_rate", _("Share of loss-making paid sessions")
    REFUND_RATE = "refund_rate", _("Refund rate")
    SELL_THROUGH = "sell_through", _("Sell-through")
    ORDERS_PER_1K_VIEWERS = "orders_per_1k_viewers", _("Orders per 1,000 viewers")
    COMPLAINTS_PER_1K_ORDERS = "complaints_per_1k_orders", _("Complaints per 1,000 orders")
    VIOLATION_POINTS = "violation_points", _("Violation points")
    CERTIFIED_OPERATOR_RATIO = "certified_operator_ratio", _("Certified-operator ratio")


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class CycleKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SIMULATION = "simulation", _("Simulation")


class CycleStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    COMPUTED = "computed", _("Computed (preview)")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class NotRankedReason(models.TextChoices):
    INSUFFICIENT_ACTIVITY = "insufficient_activity", _("Insufficient activity")
