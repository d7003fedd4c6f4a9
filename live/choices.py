"""Choices of the live app: dimension groups and directions, event kinds, ingest kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DimensionGroup(models.TextChoices):
    TRAFFIC = "traffic", _("Traffic 流量")
    INTERACTION = "interaction", _("Interaction 互动")
    FOLLOWERS = "followers", _("Followers 涨粉")
    PRODUCT = "product", _("Product 商品")
    CONVERSION = "conversion", _("Conversion 成交")
    PAID = "paid", _("Paid 投放")


class DimensionDirection(models.TextChoices):
    UP = "up", _("higher is better")
    DOWN = "down", _("lower is better")
    NONE = "none", _("not ranked")


class EventKind(models.TextChoices):
    PRODUCT_ON = "product_on", _("product on")
    PRODUCT_OFF = "product_off", _("product off")
    COUPON = "coupon", _("coupon")
    LUCKY_BAG = "lucky_bag", _("lucky bag")
    PRICE_CHANGE = "price_change", _("price change")
    HOST_CHANGE = "host_change", _("host change")
    NOTE = "note", _("note")


class IngestKind(models.TextChoices):
    SNAPSHOTS = "snapshots", _("snapshots")
    EVENTS = "events", _("events")
