"""Models of the provider system: who serves whom, and the live sessions they run."""

import pghistory
import pghistory.trigger
import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited

from .choices import ProviderStatus, ProviderType, Severity, Tier, ViolationStatus
from .files import private_storage
from .validators import validate_credit_code

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class DateRange(Func):
    """daterange(start, end, '[]'): both ends inclusive, NULL end = open."""

    function = "daterange"
    output_field = DateRangeField()

    def __init__(self, start, end):
        super().__init__(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=True))


@audited()
class Provider(models.Model):
    """服务商: a company running live commerce for merchants."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    type = models.CharField(_("type"), max_length=20, choices=ProviderType.choices)
    province = models.CharField(_("province"), max_length=50)
    city = models.CharField(_("city"), max_length=50)
    status = models.CharField(_("status"), max_length=20, choices=ProviderStatus.choices, default="active")
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L0)
    deposit = models.DecimalField(_("deposit (yuan)"), default=0, **MONEY)
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["type", "status"])]

    def __str__(self):
        return self.name

    @staticmethod
    def provider_scope(provider_id):
        return Q(pk=provider_id)


@audited()
class ProviderUser(models.Model):
    """A login that belongs to one provider (staff create them through `provider-users`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_account")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="users")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.user} @ {self.provider}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


@audited()
class Operator(models.Model):
    """操盘手: a person who plans and runs live sessions for merchants."""

    platform_user_id = models.CharField(_("platform user id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    @staticmethod
    def provider_scope(provider_id):
        return Q(Exists(Employment.objects.filter(operator=OuterRef("pk"), provider_id=provider_id)))


@audited()
class Employment(models.Model):
    """An operator working for a provider over [start_date, end_date] (Shanghai dates, inclusive)."""

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="employments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="employments")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator"],
                condition=Q(end_date__isnull=True),
                name="one_open_employment_per_operator",
                violation_error_message=_("This operator already has an open employment."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="employment_dates_ordered",
                violation_error_message=_("An employment cannot end before it starts."),
            ),
            # An operator counts for one provider only: no two employments overlap in time.
            ExclusionConstraint(
                name="employments_do_not_overlap",
                expressions=[
                    (DateRange("start_date", "end_date"), RangeOperators.OVERLAPS),
                    ("operator", RangeOperators.EQUAL),
                ],
                violation_error_message=_("This operator is employed elsewhere during these dates."),
            ),
        ]

    def __str__(self):
        return f"{self.operator} @ {self.provider}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


@audited()
class Merchant(models.Model):
    """商家 / 主播: a shop or streamer account that providers serve."""

    platform_account_id = models.CharField(_("platform account id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=50, db_index=True)
    public_consent = models.BooleanField(
        _("may be named on public pages"), default=False, help_text=_("DESIGN §2: default no.")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    @staticmethod
    def provider_scope(provider_id):
        return Q(Exists(Engagement.objects.filter(merchant=OuterRef("pk"), provider_id=provider_id)))


@audited()
class Engagement(models.Model):
    """结对子: a provider serving a merchant over [start_date, end_date] (Shanghai dates, inclusive)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="engagements")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="engagements")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    lead_operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="led_engagements"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["merchant", "provider", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="engagement_dates_ordered",
                violation_error_message=_("An engagement cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.provider} ↔ {self.merchant}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


class IngestBatch(models.Model):
    """One ingest of live sessions (API call or CSV file): who sent it, when, and what it did.

    Live-session inserts are audited through their batch; updates and deletes are audited per row.
    """

    source = models.CharField(max_length=20)  # "api" or "csv"
    filename = models.CharField(max_length=255, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    partial = models.BooleanField(default=False)
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
        verbose_name_plural = "ingest batches"

    def __str__(self):
        return f"{self.source} batch {self.pk}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(pk__in=[])


class _DeletedOrMoved(pghistory.trigger.Event):
    """AFTER DELETE on the partitioned sessions table: PostgreSQL runs an UPDATE that moves a row to another
    month's partition as a DELETE and an INSERT, firing the row's AFTER DELETE trigger and not its AFTER UPDATE
    one. Such a row is still there under its id when the trigger runs (at the end of the statement): it is
    recorded as the update it was, with its new values; any other deleted row as a delete."""

    def get_func(self, model):
        delete = str(super().get_func(model).func)
        head, values = delete.split(" VALUES (", 1)
        values = values.rsplit(");", 1)[0]
        moved = values.replace('OLD."', '_moved."').replace("'delete'", "'update'")
        table = model._meta.db_table
        # the model's own table and pghistory's own statement, nothing from outside
        as_update = f'{head} SELECT {moved} FROM "{table}" _moved WHERE _moved."id" = OLD."id";'  # noqa: S608
        return pgtrigger.Func(f"{as_update} IF NOT FOUND THEN {head} VALUES ({values}); END IF; RETURN NULL;")


class DeleteOrMoveEvent(pghistory.DeleteEvent):
    """pghistory's delete event, telling a row moved to another partition from a deleted one (_DeletedOrMoved)."""

    def add_event_trigger(self, event_model):
        pgtrigger.register(
            _DeletedOrMoved(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=self.level,
            )
        )(event_model.pgh_tracked_model)


@audited(pghistory.UpdateEvent(), DeleteOrMoveEvent())  # inserts are audited by batch
class LiveSession(models.Model):
    """直播场次: one live stream of a merchant; `provider` is resolved at ingest for operated ones."""

    # The table is partitioned by Shanghai month of started_at (providers/partitions.py): its primary key is
    # (id, started_at) in the database, and external_id is unique through LiveSessionKey, kept by triggers.
    # Every index is paid for on each ingested row, so the table has only those a query uses: merchant and
    # provider are found through the leading column of the (merchant, started_at) and (provider, started_at)
    # indexes below, so they get no index of their own.
    external_id = models.CharField(_("external id"), max_length=64)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="sessions", db_index=False)
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions", db_index=False
    )
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    started_at = models.DateTimeField(_("started at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    gmv = models.DecimalField(_("GMV"), **MONEY)
    orders = models.PositiveIntegerField(_("orders"))
    viewers = models.PositiveIntegerField(_("viewers"))
    new_followers = models.PositiveIntegerField(_("new followers"))
    refund_amount = models.DecimalField(_("refund amount"), **MONEY)
    paid_spend = models.DecimalField(_("paid spend"), **MONEY)
    paid_gmv = models.DecimalField(_("paid GMV"), **MONEY)
    skus_listed = models.PositiveIntegerField(_("SKUs listed"))
    skus_sold = models.PositiveIntegerField(_("SKUs sold"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "id"]
        permissions = [("ingest_livesession", "Can ingest live sessions in bulk")]
        indexes = [
            models.Index(fields=["provider", "started_at"]),
            models.Index(fields=["merchant", "started_at"]),
            models.Index(fields=["started_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(gmv__gte=0) & Q(refund_amount__gte=0) & Q(paid_spend__gte=0) & Q(paid_gmv__gte=0),
                name="session_money_not_negative",
            ),
            models.CheckConstraint(condition=Q(skus_sold__lte=F("skus_listed")), name="session_sold_le_listed"),
            models.CheckConstraint(
                condition=Q(operator__isnull=False) | Q(provider__isnull=True), name="session_provider_needs_operator"
            ),
        ]

    def __str__(self):
        return self.external_id

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


class LiveSessionKey(models.Model):
    """external_id → (session id, started_at): the global uniqueness of a session's external_id, which the
    partitioned sessions table cannot hold itself (its unique keys must include started_at). Written only by
    the triggers on providers_livesession (providers/partitions.py, migration 0007), never by Python."""

    external_id = models.CharField(max_length=64, primary_key=True)
    session_id = models.BigIntegerField()
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["external_id"]

    def __str__(self):
        return self.external_id


@audited()
class Violation(models.Model):
    """违规: a confirmed rule breach of a provider (optionally by one of its operators)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="violations")
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, null=True, blank=True, related_name="violations")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    points = models.PositiveIntegerField(_("points"))
    occurred_at = models.DateTimeField(_("occurred at"))
    status = models.CharField(_("status"), max_length=12, choices=ViolationStatus.choices, default="confirmed")
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "id"]
        indexes = [models.Index(fields=["provider", "occurred_at"])]

    def __str__(self):
        return f"{self.get_severity_display()} {self.points} @ {self.provider}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


@audited()
class Complaint(models.Model):
    """投诉: a merchant's complaint about a provider."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="complaints")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="complaints")
    received_at = models.DateTimeField(_("received at"))
    upheld = models.BooleanField(_("upheld"), default=False)
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "id"]
        indexes = [models.Index(fields=["provider", "received_at"])]

    def __str__(self):
        return f"{self.merchant} → {self.provider}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


class PrivateFile(models.Model):
    """An uploaded file kept outside the web root under a random name, with what was checked of it
    (type sniffed from the content, size, hash). Admission documents and appeal attachments."""

    file = models.FileField(storage=private_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type (sniffed)"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
