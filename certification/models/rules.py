"""RuleSet: the versioned numbers of the qualification-cycle rules (DESIGN §4)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet

SCORE = {"max_digits": 7, "decimal_places": 4}
SHARE = {"max_digits": 5, "decimal_places": 4}

TIER_BAR_FIELDS = ["l1_overall", "l2_overall", "l3_overall", "l4_overall", "l5_overall"]
SCORE_FIELDS = [*TIER_BAR_FIELDS, "l4_min_capability", "l5_min_capability", "demotion_hysteresis", "warn_overall_below"]
SHARE_FIELDS = ["l5_min_percentile", "warn_percentile_below"]


class RuleSet(models.Model):
    """One version of the cycle rules. Staff create a new version to change anything; a version a
    cycle has used can no longer change (certification.services.ruleset_update refuses)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # Tier bars: overall score at least …, plus per-capability and percentile conditions for L4/L5.
    l1_overall = models.DecimalField(_("L1 Certified: overall ≥"), **SCORE)
    l2_overall = models.DecimalField(_("L2 Bronze: overall ≥"), **SCORE)
    l3_overall = models.DecimalField(_("L3 Silver: overall ≥"), **SCORE)
    l4_overall = models.DecimalField(_("L4 Gold: overall ≥"), **SCORE)
    l4_min_capability = models.DecimalField(_("L4 every capability ≥"), **SCORE)
    l5_overall = models.DecimalField(_("L5 Platinum: overall ≥"), **SCORE)
    l5_min_capability = models.DecimalField(_("L5 every capability ≥"), **SCORE)
    l5_min_percentile = models.DecimalField(_("L5 cohort percentile ≥"), **SHARE)
    # Demotion by one level when overall < current level's overall bar − hysteresis.
    demotion_hysteresis = models.DecimalField(_("demotion hysteresis"), **SCORE)
    # Warning: percentile < …, or overall < …, or not ranked this many cycles running.
    warn_percentile_below = models.DecimalField(_("warn when percentile <"), **SHARE)
    warn_overall_below = models.DecimalField(_("warn when overall <"), **SCORE)
    warn_unranked_cycles = models.PositiveSmallIntegerField(_("warn when not ranked N cycles running"))
    # Probation: warned this many consecutive cycles; fix_by = end of the cycle this many cycles later.
    probation_consecutive_warnings = models.PositiveSmallIntegerField(_("probation after N consecutive warnings"))
    probation_fix_by_cycles = models.PositiveSmallIntegerField(_("fix_by: end of the Nth next cycle"))
    # Delist proposal (清退): warned again while on probation / a confirmed serious violation.
    delist_on_warning_in_probation = models.BooleanField(_("propose delisting on a warning while on probation"))
    delist_on_serious_violation = models.BooleanField(_("propose delisting on a confirmed serious violation"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(l1_overall__lt=models.F("l2_overall"))
                & Q(l2_overall__lt=models.F("l3_overall"))
                & Q(l3_overall__lt=models.F("l4_overall"))
                & Q(l4_overall__lt=models.F("l5_overall"))
                & Q(l1_overall__gte=0)
                & Q(l5_overall__lte=100),
                name="ruleset_tier_bars_ascending",
            ),
            models.CheckConstraint(
                condition=Q(l5_min_percentile__gte=0)
                & Q(l5_min_percentile__lte=1)
                & Q(warn_percentile_below__gte=0)
                & Q(warn_percentile_below__lte=1),
                name="ruleset_shares_in_unit_interval",
            ),
        ]

    def __str__(self):
        return f"RuleSet v{self.version} {self.name}"

    @staticmethod
    def provider_scope(provider_id):
        # Rules are public to every signed-in provider user: they say how tiers are earned.
        return Q()

    def clean(self):
        errors = {}
        for field in SCORE_FIELDS:
            value = getattr(self, field)
            if value is not None and not (Decimal(0) <= value <= Decimal(100)):
                errors[field] = _("A score must be between 0 and 100.")
        for field in SHARE_FIELDS:
            value = getattr(self, field)
            if value is not None and not (Decimal(0) <= value <= Decimal(1)):
                errors[field] = _("A percentile must be between 0 and 1.")
        bars = [getattr(self, f) for f in TIER_BAR_FIELDS]
        if None not in bars and any(a >= b for a, b in zip(bars, bars[1:], strict=False)):
            errors.setdefault("l2_overall", _("Tier bars must be strictly ascending from L1 to L5."))
        for field in ("warn_unranked_cycles", "probation_consecutive_warnings", "probation_fix_by_cycles"):
            if getattr(self, field) is not None and getattr(self, field) < 1:
                errors[field] = _("Must be at least 1.")
        if errors:
            raise ValidationError(errors)

    def overall_bar(self, tier: str) -> Decimal | None:
        """The overall score a tier needs (None for L0)."""
        return {f"L{i}": getattr(self, f"l{i}_overall") for i in range(1, 6)}.get(tier)
