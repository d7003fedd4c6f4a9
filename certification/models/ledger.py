"""The decision ledger: append-only, hash-chained decisions and their approvals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet

from ..choices import DecisionKind, DecisionStatus

GENESIS_HASH = "0" * 64

# Both ledger tables refuse UPDATE, DELETE (row triggers) and TRUNCATE (statement triggers) in the
# database itself: plain PostgreSQL triggers created by migration 0007, enabled ALWAYS, that no
# session setting (pgtrigger.ignore, session_replication_role) turns off. Only the tables' owner can
# disable them (docs/ledger.md); the app's role, owning nothing, may only SELECT and INSERT (core.dbroles).
APPEND_ONLY_TRIGGERS = ("append_only_no_update_delete", "append_only_no_truncate")


class Decision(models.Model):
    """One entry of the ledger. Rows are only ever inserted, by certification.ledger.decision_append.

    A decision needing approval (a delisting) is appended with status ``pending``; its approvals are
    rows of DecisionApproval, and the outcome is a *new* decision of the same kind with status
    ``effective`` or ``rejected`` whose ``refers_to`` is the proposal (see docs/ledger.md).
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=DecisionKind.choices)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    operator = models.ForeignKey(
        "providers.Operator", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    cycle = models.ForeignKey(
        "scoring.QualificationCycle", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    # Any other subject (e.g. subject_type="admission_application", subject_id="42").
    subject_type = models.CharField(_("subject type"), max_length=50, blank=True)
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    reason_code = models.CharField(_("reason code"), max_length=64)
    reason_text = models.TextField(_("reason"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: decided by the system."),
    )
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices, default="effective")
    refers_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        help_text=_("The decision this one resolves, reverses or compensates."),
    )
    effective_at = models.DateTimeField(_("effective at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    # The app's database role may only SELECT and INSERT here (core.dbroles).
    append_only = True
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        permissions = [("approve_delisting", "Can approve a delisting (maker-checker)")]
        indexes = [
            models.Index(fields=["provider", "kind"]),
            models.Index(fields=["operator", "kind"]),
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["cycle", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(seq__gte=1), name="decision_seq_positive"),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(refers_to__isnull=True), name="decision_pending_is_a_proposal"
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.kind} ({self.status})"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


class DecisionApproval(models.Model):
    """One approval of a pending decision (maker-checker); append-only like the ledger itself."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"))

    append_only = True  # see Decision
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "approver"], name="one_approval_per_approver"),
        ]

    def __str__(self):
        return f"{self.approver} approved #{self.decision_id}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(decision__provider_id=provider_id)


class LedgerVerification(models.Model):
    """One verification of the ledger (nightly, or started by staff from the console), run on a worker.

    Written only by certification.ledger (requested, then claimed and finished by the task); the console
    page shows the latest one instead of walking the chain on every GET.
    """

    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the nightly job."),
    )
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("intact"), null=True)
    decisions_checked = models.PositiveBigIntegerField(_("decisions verified"), default=0)
    anchors_checked = models.PositiveIntegerField(_("known heads checked"), default=0)
    # The last verified link: the head when intact, else the link before the break.
    head_seq = models.PositiveBigIntegerField(_("head sequence"), null=True, blank=True)
    head_hash = models.CharField(_("head hash"), max_length=64, blank=True)
    broken_seq = models.PositiveBigIntegerField(_("first broken sequence"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=40, blank=True)
    expected = models.CharField(_("expected"), max_length=140, blank=True)
    stored = models.CharField(_("stored"), max_length=140, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        permissions = [("verify_ledger", "Can start a ledger verification")]
        indexes = [models.Index(fields=["-finished_at"])]

    def __str__(self):
        return f"ledger verification {self.pk} ({'ok' if self.ok else 'broken' if self.ok is False else 'pending'})"
