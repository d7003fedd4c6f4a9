"""A cycle's tier side: its pinned rule set, the outcomes the rules propose, and the notifications of publish."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from scoring.choices import CycleKind, CycleStatus
from scoring.models import SCORE

from ..choices import EmailStatus, OutcomeChange


class CycleRules(models.Model):
    """The rule-set version a qualification cycle is judged by (pinned at creation; a used version is frozen)."""

    cycle = models.OneToOneField(
        "scoring.QualificationCycle", on_delete=models.CASCADE, primary_key=True, related_name="rules"
    )
    rule_set = models.ForeignKey("certification.RuleSet", on_delete=models.PROTECT, related_name="cycles")

    def __str__(self):
        return f"{self.cycle_id}: rule set {self.rule_set_id}"


class CycleOutcome(models.Model):
    """What the rules propose for one provider in one cycle (the preview; applied when published)."""

    cycle = models.ForeignKey("scoring.QualificationCycle", on_delete=models.CASCADE, related_name="outcomes")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="cycle_outcomes")
    cohort = models.CharField(_("cohort (provider type)"), max_length=20)
    status_before = models.CharField(_("provider status at computation"), max_length=20)
    ranked = models.BooleanField(_("ranked"))
    overall = models.DecimalField(_("overall score"), **SCORE)
    current_tier = models.CharField(_("current tier"), max_length=2)
    proposed_tier = models.CharField(_("proposed tier"), max_length=2)
    change = models.CharField(_("change"), max_length=10, choices=OutcomeChange.choices)
    warn = models.BooleanField(_("warning"), default=False)
    probation = models.BooleanField(_("probation"), default=False)
    delist_proposal = models.BooleanField(_("delisting proposal"), default=False)
    reasons = models.JSONField(_("reasons"), default=list)
    fix_by = models.DateTimeField(_("fix by (end of probation)"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        db_table = "scoring_cycleoutcome"
        ordering = ["cycle", "cohort", "provider"]
        constraints = [models.UniqueConstraint(fields=["cycle", "provider"], name="outcome_once_per_cycle_provider")]
        indexes = [models.Index(fields=["provider", "cycle"])]

    def __str__(self):
        return f"{self.provider_id} @ {self.cycle_id}: {self.current_tier}→{self.proposed_tier}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id, cycle__status=CycleStatus.PUBLISHED) & ~Q(cycle__kind=CycleKind.SIMULATION)


class Notification(models.Model):
    """A message to a provider (its users see it in the API; it is also e-mailed to them)."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="notifications")
    cycle = models.ForeignKey(
        "scoring.QualificationCycle", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20)
    text = models.TextField(_("text"), help_text=_("In English, as e-mailed; pages read it from kind and params."))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(_("read"), default=False)
    # The e-mail to the provider's users, sent after commit by a Celery task and retried (certification.mailing).
    email_status = models.CharField(
        _("e-mail"), max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING, db_index=True
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_error = models.TextField(_("last e-mail error"), blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        db_table = "scoring_notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["provider", "-created_at"])]

    def __str__(self):
        return f"{self.kind} → {self.provider_id}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)
