"""Appeals (申诉) against decisions of the ledger, and their private attachments (DESIGN §5)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited
from providers.models import PrivateFile


class AppealStatus(models.TextChoices):
    # The reviewer judges the *decision*: "upheld" = the decision stands (the appeal is rejected),
    # "overturned" = the decision is reversed by a compensating decision (the appeal succeeds).
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Decision upheld (appeal rejected)")
    OVERTURNED = "overturned", _("Decision overturned (appeal granted)")


@audited()
class Appeal(models.Model):
    """A provider's appeal of one decision; a second appeal names the first as its ``parent``."""

    decision = models.ForeignKey("certification.Decision", on_delete=models.PROTECT, related_name="appeals")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="appeals")
    parent = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_appeal",
        help_text=_("For a second appeal: the first appeal, whose rejection it contests."),
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("statement"))
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    filed_at = models.DateTimeField(_("filed at"))
    due_by = models.DateTimeField(_("decide by"), help_text=_("filed_at + 10 days"))
    overdue = models.BooleanField(_("overdue"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    outcome = models.ForeignKey(
        "certification.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The appeal_upheld / appeal_overturned ledger entry that records the outcome."),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        permissions = [("decide_appeal", "Can decide appeals")]
        indexes = [
            models.Index(fields=["status", "due_by"]),
            models.Index(fields=["provider", "status"]),
        ]
        constraints = [
            # One first appeal per decision; a second one hangs off it (parent is one-to-one).
            models.UniqueConstraint(
                fields=["decision"], condition=Q(parent__isnull=True), name="one_first_appeal_per_decision"
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True, reviewer__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False, reviewer__isnull=False)),
                name="appeal_decided_fields_match_status",
            ),
        ]

    def __str__(self):
        return f"Appeal #{self.pk} of decision #{self.decision_id} ({self.status})"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


@audited()
class AppealAttachment(PrivateFile):
    """A supporting file of an appeal (PDF/JPEG/PNG by content, ≤ 10 MB), stored privately."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="attachments")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Attachment #{self.pk} of appeal #{self.appeal_id}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(appeal__provider_id=provider_id)
