"""Choices of the live app: dimension groups and directions, event kinds, ingest kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DimensionGroup(models.TextChoices):
    TRAFFIC = "traffic", pgettext_lazy("live dimension group", "Traffic")
    INTERACTION = "interaction", pgettext_lazy("live dimension group", "Interaction")
    FOLLOWERS = "followers", pgettext_lazy("live dimension group", "Followers")
    PRODUCT = "product", pgettext_lazy("live dimension group", "Product")
    CONVERSION = "conversion", pgettext_lazy("live dimension group", "Conversion")
    PAID = "paid", pgettext_lazy("live dimension group", "Paid")


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
