"""Models of the scoring app: the versioned five-capability model, qualification cycles and the stored scores."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited

from .choices import CapabilityKey, CycleKind, CycleStatus, Direction, MetricKey, NotRankedReason

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Scores carry 4 decimals (DESIGN §3: rounded half-up to 4 decimals at each step).
SCORE = {"max_digits": 9, "decimal_places": 4, "null": True, "blank": True}


@audited()
class CapabilityModel(models.Model):
    """五力模型: one immutable-once-used version of the five capabilities and their metrics."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    locked = models.BooleanField(_("locked"), default=False, help_text=_("Set once a cycle has used this version."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["version"]

    def __str__(self):
        return f"v{self.version} {self.name}"

    @property
    def is_locked(self) -> bool:
        return self.locked or self.cycles.exists()

    @staticmethod
    def provider_scope(provider_id):
        return Q()  # the model is public to every signed-in user, providers included


@audited()
class Capability(models.Model):
    """One of the five capabilities of a model version, with its weight (the five sum to 100)."""

    model = models.ForeignKey(CapabilityModel, on_delete=models.CASCADE, related_name="capabilities")
    key = models.CharField(_("key"), max_length=20, choices=CapabilityKey.choices)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=4)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["model", "id"]
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="capability_once_per_model")]

    def __str__(self):
        return f"{self.get_key_display()} {self.weight}"

    @property
    def label(self) -> str:
        return str(self.get_key_display())

    @staticmethod
    def provider_scope(provider_id):
        return Q()


@audited()
class Metric(models.Model):
    """One metric of a capability, with its weight (a capability's metrics sum to 1) and direction."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="metrics")
    key = models.CharField(_("key"), max_length=40, choices=MetricKey.choices)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=4)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["capability", "id"]
        constraints = [models.UniqueConstraint(fields=["capability", "key"], name="metric_once_per_capability")]

    def __str__(self):
        return f"{self.key} {self.weight} {self.direction}"

    @staticmethod
    def provider_scope(provider_id):
        return Q()


@audited()
class QualificationCycle(models.Model):
    """强赛马: one scoring-and-ranking run over the half-open window [window_start, window_end)."""

    kind = models.CharField(_("kind"), max_length=12, choices=CycleKind.choices)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    capability_model = models.ForeignKey(CapabilityModel, on_delete=models.PROTECT, related_name="cycles")
    min_sessions = models.PositiveIntegerField(_("minimum operated sessions to be ranked"), default=10)
    confidence_sessions = models.PositiveIntegerField(_("sessions for full confidence"), default=30)
    status = models.CharField(_("status"), max_length=12, choices=CycleStatus.choices, default=CycleStatus.SCHEDULED)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Run guard (docs/cycles.md): the claim stores a fresh token; only the run holding it may write.
    run_token = models.CharField(max_length=36, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-window_start", "-id"]
        permissions = [("run_cycle", "Can run a qualification cycle")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "window_start", "window_end"],
                condition=~Q(kind="simulation"),
                name="one_cycle_per_kind_and_window",
                violation_error_message=_("A cycle of this kind already exists for this window."),
            ),
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")),
                name="cycle_window_ordered",
                violation_error_message=_("The window must end after it starts."),
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="cycle_percent_le_100"),
        ]

    def __str__(self):
        # Shanghai calendar dates of the half-open window [start, end).
        start, end = (t.astimezone(SHANGHAI) for t in (self.window_start, self.window_end))
        return f"{self.get_kind_display()} {start:%Y-%m-%d}–{end:%Y-%m-%d}"

    @staticmethod
    def provider_scope(provider_id):
        # Providers see published cycles only: not staff's what-ifs, nor a computed cycle under review.
        return Q(status=CycleStatus.PUBLISHED) & ~Q(kind=CycleKind.SIMULATION)


class CohortMember(models.Model):
    """The cohort a cycle used for one provider (type and status as they stood at its first run)."""

    cycle = models.ForeignKey(QualificationCycle, on_delete=models.CASCADE, related_name="cohort_members")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="+")
    cohort = models.CharField(_("cohort (provider type)"), max_length=20)
    status = models.CharField(_("provider status"), max_length=20)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "provider"]
        constraints = [models.UniqueConstraint(fields=["cycle", "provider"], name="cohort_member_once")]

    def __str__(self):
        return f"{self.provider_id} in {self.cohort} @ {self.cycle_id}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id, cycle__status=CycleStatus.PUBLISHED) & ~Q(cycle__kind=CycleKind.SIMULATION)


class ProviderScore(models.Model):
    """A provider's result in one cycle: ranked or not, overall score, rank and cohort percentile."""

    cycle = models.ForeignKey(QualificationCycle, on_delete=models.CASCADE, related_name="scores")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="scores")
    cohort = models.CharField(_("cohort (provider type)"), max_length=20)
    status = models.CharField(_("provider status when scored"), max_length=20)
    ranked = models.BooleanField(_("ranked"))
    reason = models.CharField(_("reason not ranked"), max_length=30, choices=NotRankedReason.choices, blank=True)
    session_count = models.PositiveIntegerField(_("operated sessions"))
    window_gmv = models.DecimalField(_("window GMV"), max_digits=18, decimal_places=2)
    overall = models.DecimalField(_("overall score"), **SCORE)
    rank = models.PositiveIntegerField(_("rank in cohort"), null=True, blank=True)
    cohort_size = models.PositiveIntegerField(_("ranked providers in cohort"), null=True, blank=True)
    percentile = models.DecimalField(_("cohort percentile"), max_digits=12, decimal_places=10, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "cohort", "rank", "provider"]
        constraints = [models.UniqueConstraint(fields=["cycle", "provider"], name="score_once_per_cycle_provider")]
        indexes = [models.Index(fields=["provider", "cycle"])]

    def __str__(self):
        return f"{self.provider_id} @ {self.cycle_id}: {self.overall}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id, cycle__status=CycleStatus.PUBLISHED) & ~Q(cycle__kind=CycleKind.SIMULATION)


class CapabilityScore(models.Model):
    """A provider's score on one capability in one cycle."""

    provider_score = models.ForeignKey(ProviderScore, on_delete=models.CASCADE, related_name="capability_scores")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=20, choices=CapabilityKey.choices)
    weight = models.DecimalField(max_digits=7, decimal_places=4)
    score = models.DecimalField(**SCORE)
    contribution = models.DecimalField(_("points of overall"), **SCORE)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["provider_score", "capability"]
        constraints = [models.UniqueConstraint(fields=["provider_score", "capability"], name="capscore_once")]

    def __str__(self):
        return f"{self.key} {self.score}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_score__provider_id=provider_id, provider_score__cycle__status=CycleStatus.PUBLISHED) & ~Q(
            provider_score__cycle__kind=CycleKind.SIMULATION
        )


class MetricScore(models.Model):
    """Everything that went into one metric's score: value, sample, percentile, raw and shrunk score."""

    provider_score = models.ForeignKey(ProviderScore, on_delete=models.CASCADE, related_name="metric_scores")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    capability_key = models.CharField(max_length=20, choices=CapabilityKey.choices)
    key = models.CharField(max_length=40, choices=MetricKey.choices)
    direction = models.CharField(max_length=4, choices=Direction.choices)
    weight = models.DecimalField(max_digits=7, decimal_places=4)
    # Exact value; NULL is "no value" (an empty denominator or a mean over nothing), never 0.
    raw_value = models.DecimalField(_("value"), max_digits=50, decimal_places=24, null=True, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"))
    cohort_n = models.PositiveIntegerField(_("ranked providers with a value"), null=True, blank=True)
    percentile = models.DecimalField(max_digits=12, decimal_places=10, null=True, blank=True)
    raw_score = models.DecimalField(_("score before shrinking"), **SCORE)
    score = models.DecimalField(_("score"), **SCORE)
    contribution = models.DecimalField(_("points of overall"), **SCORE)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["provider_score", "metric"]
        constraints = [models.UniqueConstraint(fields=["provider_score", "metric"], name="metricscore_once")]

    def __str__(self):
        return f"{self.key} {self.raw_value} → {self.score}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_score__provider_id=provider_id, provider_score__cycle__status=CycleStatus.PUBLISHED) & ~Q(
            provider_score__cycle__kind=CycleKind.SIMULATION
        )


class CategoryMedian(models.Model):
    """Medians of a merchant category over the 7 Shanghai days ending on `end_date` (diagnosis benchmark)."""

    category = models.CharField(max_length=50)
    end_date = models.DateField(_("last day (inclusive)"))
    merchants = models.PositiveIntegerField(_("merchants with sessions"))
    sessions = models.DecimalField(max_digits=30, decimal_places=10, null=True)
    gmv = models.DecimalField(max_digits=30, decimal_places=10, null=True)
    viewers = models.DecimalField(max_digits=30, decimal_places=10, null=True)
    gpm = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    conversion = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    paid_roi = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    refund_rate = models.DecimalField(max_digits=40, decimal_places=20, null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-end_date", "category"]
        constraints = [models.UniqueConstraint(fields=["category", "end_date"], name="category_median_once")]

    def __str__(self):
        return f"{self.category} ≤ {self.end_date}"
