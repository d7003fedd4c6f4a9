"""Models of the live wall (DESIGN §10): streams, their minute snapshots (a table partitioned by day), timeline
events, the versioned dimension registry, the frozen peer distributions and the ingest batches."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited
from providers.models import Employment, Engagement, Merchant, Operator

from .choices import DimensionDirection, DimensionGroup, EventKind, IngestKind

MONEY = {"max_digits": 14, "decimal_places": 2}
# Cumulative counters of a snapshot (since the stream's start), money counters, and the one gauge.
COUNT_FIELDS = (
    "entries",
    "exits",
    "watch_seconds",
    "comments",
    "likes",
    "shares",
    "new_followers",
    "fan_club_joins",
    "product_impressions",
    "product_clicks",
    "cart_adds",
    "orders",
    "room_impressions",
    "entries_feed",
    "entries_follow",
    "entries_search",
    "entries_paid",
    "entries_other",
)
MONEY_FIELDS = ("gmv", "refund_amount", "paid_spend", "paid_gmv")
CUMULATIVE_FIELDS = COUNT_FIELDS + MONEY_FIELDS
GAUGE_FIELDS = ("online_viewers",)
FIGURE_FIELDS = CUMULATIVE_FIELDS + GAUGE_FIELDS
SOURCES = ("feed", "follow", "search", "paid", "other")


def stream_scope(provider_id, operator="operator_id", merchant="merchant_id", start_date="start_date"):
    """DESIGN §10 "who sees it": a stream whose operator the provider employed at its start (Shanghai date), or a
    stream without an operator of a merchant the provider was engaged with on that date. Field paths are relative
    to the queried model (a stream, or a row pointing at one)."""

    def on_date():
        return Q(start_date__lte=OuterRef(start_date)) & (
            Q(end_date__isnull=True) | Q(end_date__gte=OuterRef(start_date))
        )

    employed = Employment.objects.filter(on_date(), operator_id=OuterRef(operator), provider_id=provider_id)
    engaged = Engagement.objects.filter(on_date(), merchant_id=OuterRef(merchant), provider_id=provider_id)
    operator_null = {operator.removesuffix("_id") + "__isnull": True}
    return (~Q(**operator_null) & Q(Exists(employed))) | (Q(**operator_null) & Q(Exists(engaged)))


class LiveStream(models.Model):
    """One live stream as the pipeline reports it while it runs; its final LiveSession row has the same external_id.

    The last snapshot's figures and the alert count are kept here (written by the ingest and the alert refresh)
    so the wall of walls reads one row per stream."""

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="live_streams")
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="live_streams")
    started_at = models.DateTimeField(_("started at"))
    start_minute = models.DateTimeField(_("start minute"), help_text=_("started_at truncated to its minute: k = 0."))
    start_date = models.DateField(_("start date"), help_text=_("Shanghai calendar date of started_at."))
    # Not indexed: each batch rewrites its streams' last figures, and with no indexed column changed (and room on the
    # page: fillfactor 50, migration 0003) PostgreSQL updates the row in place (HOT) instead of adding an entry to
    # every index. The live streams are found by started_at (a snapshot is at most 24 hours after the start).
    last_at = models.DateTimeField(_("last snapshot"), null=True, blank=True)
    last_gmv = models.DecimalField(_("GMV"), default=0, **MONEY)
    last_online = models.PositiveIntegerField(_("online now"), default=0)
    peak_online = models.PositiveIntegerField(_("peak online"), default=0)
    snapshot_count = models.PositiveIntegerField(_("snapshots"), default=0)
    alert_count = models.PositiveIntegerField(_("alerts"), default=0)
    alerts_at = models.DateTimeField(_("alerts computed for"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "id"]
        indexes = [models.Index(fields=["merchant", "started_at"]), models.Index(fields=["started_at"])]

    def __str__(self):
        return self.external_id

    @staticmethod
    def provider_scope(provider_id):
        return stream_scope(provider_id)


class LiveSnapshot(models.Model):
    """One minute of a stream: cumulative counters since the start and the online gauge.

    Stored in ``live_livesnapshot``, a PostgreSQL table partitioned by range of ``at``, one partition per Shanghai
    day (live migration 0001; partitions are made ahead and dropped after 180 days by live.partitions). The
    primary key (stream, at) holds the partition key, as PostgreSQL requires of a partitioned table's keys; it is
    also the upsert key of ingest and the index every read uses."""

    pk = models.CompositePrimaryKey("stream_id", "at")
    stream = models.ForeignKey(LiveStream, on_delete=models.DO_NOTHING, related_name="snapshots", db_index=False)
    at = models.DateTimeField(_("at"))
    k = models.PositiveIntegerField(_("minute"), help_text=_("Completed minutes from the start minute to at."))
    entries = models.BigIntegerField(_("entries"))
    exits = models.BigIntegerField(_("exits"))
    watch_seconds = models.BigIntegerField(_("watch seconds"))
    comments = models.BigIntegerField(_("comments"))
    likes = models.BigIntegerField(_("likes"))
    shares = models.BigIntegerField(_("shares"))
    new_followers = models.BigIntegerField(_("new followers"))
    fan_club_joins = models.BigIntegerField(_("fan club joins"))
    product_impressions = models.BigIntegerField(_("product impressions"))
    product_clicks = models.BigIntegerField(_("product clicks"))
    cart_adds = models.BigIntegerField(_("cart adds"))
    orders = models.BigIntegerField(_("orders"))
    room_impressions = models.BigIntegerField(_("room impressions"))
    entries_feed = models.BigIntegerField(_("entries from the feed"))
    entries_follow = models.BigIntegerField(_("entries from follows"))
    entries_search = models.BigIntegerField(_("entries from search"))
    entries_paid = models.BigIntegerField(_("paid entries"))
    entries_other = models.BigIntegerField(_("other entries"))
    gmv = models.DecimalField(_("GMV"), **MONEY)
    refund_amount = models.DecimalField(_("refund amount"), **MONEY)
    paid_spend = models.DecimalField(_("paid spend"), **MONEY)
    paid_gmv = models.DecimalField(_("paid GMV"), **MONEY)
    online_viewers = models.BigIntegerField(_("online viewers"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["stream", "at"]

    def __str__(self):
        return f"{self.stream_id}@{self.at:%Y-%m-%d %H:%M}"

    @staticmethod
    def provider_scope(provider_id):
        return stream_scope(
            provider_id, operator="stream__operator_id", merchant="stream__merchant_id", start_date="stream__start_date"
        )


@audited()
class LiveEvent(models.Model):
    """A timeline event of a stream (product on/off, coupon, lucky bag, ...) with its label."""

    stream = models.ForeignKey(LiveStream, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    label = models.CharField(_("label"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["stream", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "at", "kind", "label"], name="live_event_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.label}"

    @staticmethod
    def provider_scope(provider_id):
        return stream_scope(
            provider_id, operator="stream__operator_id", merchant="stream__merchant_id", start_date="stream__start_date"
        )


@audited()
class DimensionSet(models.Model):
    """One version of the dimension registry (like the capability model): immutable once published."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["version"]

    def __str__(self):
        return f"v{self.version} {self.name}"

    @staticmethod
    def provider_scope(provider_id):
        return Q()  # the registry is public to every signed-in user


@audited()
class Dimension(models.Model):
    """One dimension of the wall: code, labels, group, unit, direction and formula (computed by live.dimensions)."""

    dimension_set = models.ForeignKey(DimensionSet, on_delete=models.CASCADE, related_name="dimensions")
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=40)
    label_zh = models.CharField(_("Chinese label"), max_length=60)
    label_en = models.CharField(_("English label"), max_length=80)
    group = models.CharField(_("group"), max_length=20, choices=DimensionGroup.choices)
    unit = models.CharField(_("unit"), max_length=20)
    direction = models.CharField(_("direction"), max_length=4, choices=DimensionDirection.choices)
    formula = models.CharField(_("formula"), max_length=200)
    core = models.BooleanField(_("core"), default=False, help_text=_("One of the exact core of DESIGN §10."))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["dimension_set", "position"]
        constraints = [models.UniqueConstraint(fields=["dimension_set", "code"], name="live_dimension_code_once")]

    def __str__(self):
        return self.code

    @property
    def ranked(self) -> bool:
        return self.direction != DimensionDirection.NONE

    @staticmethod
    def provider_scope(provider_id):
        return Q()


class PeerFreeze(models.Model):
    """The nightly freeze for one start date: the peer distributions streams starting that day are ranked against
    were taken from the streams that started in the 30 Shanghai days before it."""

    dimension_set = models.ForeignKey(DimensionSet, on_delete=models.PROTECT, related_name="freezes")
    for_date = models.DateField(_("for streams starting on"))
    streams = models.PositiveIntegerField(_("peer streams"))
    distributions = models.PositiveIntegerField(_("distributions"))
    frozen_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-for_date"]
        constraints = [models.UniqueConstraint(fields=["dimension_set", "for_date"], name="live_freeze_once")]

    def __str__(self):
        return f"{self.for_date} v{self.dimension_set_id}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(pk__in=[])  # staff only


class PeerDistribution(models.Model):
    """The sorted 4-decimal values at minute k of one dimension over one category's peer streams (frozen)."""

    freeze = models.ForeignKey(PeerFreeze, on_delete=models.CASCADE, related_name="distributions_set")
    category = models.CharField(_("category"), max_length=50)
    code = models.CharField(_("code"), max_length=40)
    minute = models.PositiveSmallIntegerField(_("minute"))
    vals = ArrayField(models.DecimalField(max_digits=24, decimal_places=4), verbose_name=_("values"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["freeze", "category", "code", "minute"]
        constraints = [
            models.UniqueConstraint(fields=["freeze", "category", "code", "minute"], name="live_distribution_once")
        ]

    def __str__(self):
        return f"{self.category}/{self.code}@{self.minute}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(pk__in=[])


class LiveIngestBatch(models.Model):
    """One POST of snapshots or events: who sent it and what became of each row (the audit entry of ingest)."""

    kind = models.CharField(max_length=10, choices=IngestKind.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    received = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "live ingest batches"
        permissions = [("ingest_live", "Can push live snapshots and events")]

    def __str__(self):
        return f"{self.kind} batch {self.pk}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(pk__in=[])
