"""Models of standard operating plans (操盘标准化), reviews (复盘) and the operator record's opt-in (DESIGN §12)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited
from providers.models import MONEY, Engagement, LiveSession, Operator, PrivateFile, Provider

from .choices import ItemNeed, PlanStatus, StageKey


@audited()
class Playbook(models.Model):
    """《跨越周期——操盘手工作手册》 as a version: stages in order, each with checklist items. Immutable once a
    plan pinned it (as a capability model is once a cycle used it): staff make a new version instead."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @staticmethod
    def provider_scope(provider_id):
        return Q()  # every provider reads the playbook


@audited()
class PlaybookStage(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(_("stage"), max_length=20, choices=StageKey.choices)
    position = models.PositiveSmallIntegerField(_("position"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["playbook", "position"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "key"], name="playbook_stage_unique"),
            models.UniqueConstraint(fields=["playbook", "position"], name="playbook_stage_position_unique"),
        ]

    def __str__(self):
        return self.get_key_display()

    @staticmethod
    def provider_scope(provider_id):
        return Q()


@audited()
class PlaybookItem(models.Model):
    """A checklist item: required or not, and what it needs to be done. ``diagnosis_figure`` names the
    merchant-diagnosis figure that fills it in one click (scoring.selectors.DIAGNOSIS_FIGURES)."""

    stage = models.ForeignKey(PlaybookStage, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(_("key"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    needs = models.CharField(_("needs"), max_length=10, choices=ItemNeed.choices)
    diagnosis_figure = models.CharField(_("filled from diagnosis figure"), max_length=20, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["stage__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="playbook_item_unique"),
        ]

    def __str__(self):
        return self.title

    def label(self, language: str) -> str:
        return self.title_zh if language.startswith("zh") else self.title

    @staticmethod
    def provider_scope(provider_id):
        return Q()


@audited()
class OperationPlan(models.Model):
    """A planned big session (专场/大场) of an engagement, run by the pinned playbook version."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="operation_plans")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="operation_plans")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("title"), max_length=200)
    planned_date = models.DateField(_("date"))
    lead_operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="operation_plans")
    target_gmv = models.DecimalField(_("target GMV (yuan)"), null=True, blank=True, **MONEY)
    target_entries = models.PositiveIntegerField(_("target entries"), null=True, blank=True)
    target_new_followers = models.PositiveIntegerField(_("target new followers"), null=True, blank=True)
    target_paid_roi = models.DecimalField(
        _("target paid ROI"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PREPARING, db_index=True
    )
    stream_external_id = models.CharField(_("stream (external id)"), max_length=64, blank=True)
    diagnosis = models.JSONField(_("diagnosis (as filled)"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_date", "-id"]
        indexes = [models.Index(fields=["provider", "planned_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["stream_external_id"], condition=~Q(stream_external_id=""), name="plan_stream_unique"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.planned_date})"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


@audited()
class TickFile(PrivateFile):
    """A file attached to a tick, stored privately under a random name after sniffing its content."""

    plan = models.ForeignKey(OperationPlan, on_delete=models.PROTECT, related_name="files")

    class Meta:
        ordering = ["-id"]

    @staticmethod
    def provider_scope(provider_id):
        return Q(plan__provider_id=provider_id)


@audited()
class ItemTick(models.Model):
    """An item of a plan done: who and when, and what it needed (text, number, file or stream)."""

    plan = models.ForeignKey(OperationPlan, on_delete=models.CASCADE, related_name="ticks")
    item = models.ForeignKey(PlaybookItem, on_delete=models.PROTECT, related_name="ticks")
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ticked_at = models.DateTimeField()
    text = models.TextField(_("text"), blank=True)
    number = models.DecimalField(_("number"), max_digits=20, decimal_places=4, null=True, blank=True)
    file = models.ForeignKey(TickFile, on_delete=models.PROTECT, null=True, blank=True, related_name="ticks")
    stream_external_id = models.CharField(_("stream (external id)"), max_length=64, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["item__stage__position", "item__position"]
        constraints = [models.UniqueConstraint(fields=["plan", "item"], name="tick_once_per_item")]

    def __str__(self):
        return f"{self.item} ✓"

    @staticmethod
    def provider_scope(provider_id):
        return Q(plan__provider_id=provider_id)


@audited()
class Review(models.Model):
    """复盘 of a plan's stream: made when its final row is first ingested, refreshed when it is re-sent.

    ``session_batch`` is the ingest batch that last wrote the session's row: a row re-sent with other facts
    carries a new batch, which is how the refresh job finds the reviews to redo (set-based)."""

    plan = models.OneToOneField(OperationPlan, on_delete=models.CASCADE, related_name="review")
    # No database constraint: the sessions table is partitioned and its unique key is (id, started_at); the app
    # never deletes a session (docs/ingest.md, "Partitions").
    session = models.ForeignKey(LiveSession, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    session_batch_id = models.BigIntegerField(null=True, blank=True)
    figures = models.JSONField(_("targets against actuals"), default=list)
    baseline = models.DecimalField(_("baseline GMV"), max_digits=20, decimal_places=2, null=True, blank=True)
    uplift = models.DecimalField(_("uplift against the baseline"), max_digits=20, decimal_places=6, null=True)
    curves = models.JSONField(_("minute curves (copied from the live wall)"), default=dict, blank=True)
    exit_spikes = models.JSONField(_("largest Δ5 exits and the events around them"), default=list, blank=True)
    skipped_items = models.JSONField(_("items skipped"), default=list, blank=True)
    notes = models.TextField(_("operator's notes"), blank=True)
    made_at = models.DateTimeField()
    refreshed_at = models.DateTimeField()
    refresh_count = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self):
        return f"Review of {self.plan}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(plan__provider_id=provider_id)


@audited()
class OperatorRecordConsent(models.Model):
    """A provider's opt-in to publish its operator's record (操盘履历); the record is public while the provider
    that opted in employs the operator and the operator holds a valid operator certificate."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="operator_record_consents")
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="record_consents")
    consented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consented_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "operator"], name="record_consent_unique")]

    def __str__(self):
        return f"{self.operator} @ {self.provider}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)
