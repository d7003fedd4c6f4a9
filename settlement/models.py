"""Revenue settlement (收益线上化, DESIGN §11): agreements, statements and their lines, the books, payouts."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited

from .choices import Account, LineKind, PayoutStatus, StatementState, UnsettledReason

RATE_MAX = Decimal("0.9")
RATE = {
    "max_digits": 7,
    "decimal_places": 6,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(RATE_MAX)],
}
CENTS = {"max_digits": 16, "decimal_places": 2}
# An exact amount: a sum of products of cents and rates, divided at most once (by the days of a month or a
# baseline's session count); 30 decimals carry every such quotient far below a cent's rounding.
EXACT = {"max_digits": 50, "decimal_places": 30}


@audited()
class ServiceAgreement(models.Model):
    """The agreement of one engagement; its terms live in versions, one per effective date."""

    engagement = models.OneToOneField(
        "providers.Engagement", on_delete=models.PROTECT, related_name="service_agreement"
    )
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="service_agreements")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("service agreement")

    def __str__(self):
        return f"Agreement #{self.pk} (engagement {self.engagement_id})"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


@audited()
class AgreementVersion(models.Model):
    """The terms in force from ``effective_from`` (a Shanghai date) until the next version's date."""

    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(_("effective from"))
    fixed_fee_monthly = models.DecimalField(_("fixed fee per month"), validators=[MinValueValidator(0)], **CENTS)
    commission_rate = models.DecimalField(_("commission rate"), **RATE)
    uplift_bonus_rate = models.DecimalField(_("uplift bonus rate"), **RATE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["agreement_id", "effective_from"]
        verbose_name = _("agreement version")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "effective_from"], name="agreement_one_version_per_date"),
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0, commission_rate__lte=RATE_MAX)
                & Q(uplift_bonus_rate__gte=0, uplift_bonus_rate__lte=RATE_MAX)
                & Q(fixed_fee_monthly__gte=0),
                name="agreement_version_rates_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.agreement_id} from {self.effective_from}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(agreement__provider_id=provider_id)


class TierIncentiveSchedule(models.Model):
    """The tier incentive shares (a share of the commission by tier), versioned: a month uses the latest version
    effective on or before its last day."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    l1 = models.DecimalField("L1", default=0, **RATE)
    l2 = models.DecimalField("L2", default=0, **RATE)
    l3 = models.DecimalField("L3", **RATE)
    l4 = models.DecimalField("L4", **RATE)
    l5 = models.DecimalField("L5", **RATE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("tier incentive schedule")

    def __str__(self):
        return f"v{self.version} from {self.effective_from}"


class SettlementRun(models.Model):
    """One run that made the statements of a month (the beat job or staff)."""

    month = models.DateField(_("month"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("made at"))
    statements = models.PositiveIntegerField(_("statements made"), default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"run #{self.pk} {self.month:%Y-%m}"


@audited()
class Statement(models.Model):
    """The statement of provider p for Shanghai month M (``month`` = its first day), in versions: a disputed
    statement is voided and replaced by the next version."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="statements")
    month = models.DateField(_("month"))
    version = models.PositiveIntegerField(_("version"), default=1)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    run = models.ForeignKey(SettlementRun, on_delete=models.PROTECT, null=True, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=StatementState.choices, default=StatementState.DRAFT)
    tier = models.CharField(_("tier at the month's end"), max_length=2)
    incentive_schedule = models.ForeignKey(TierIncentiveSchedule, on_delete=models.PROTECT, null=True, related_name="+")
    incentive_share = models.DecimalField(_("incentive share"), **RATE)
    total = models.DecimalField(_("total"), **CENTS)
    created_at = models.DateTimeField(_("made at"))
    confirm_by = models.DateTimeField(_("confirm or dispute by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispute_reason = models.TextField(_("dispute reason"), blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=128, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "provider_id", "-version"]
        verbose_name = _("statement")
        permissions = [
            ("run_settlement", "Can make the statements of a month"),
            ("finance_statement", "Can resolve disputes, approve, record invoices and request payouts"),
            ("report_payment", "Can report a payout paid (the payment system)"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["provider", "month", "version"], name="statement_one_per_version"),
            models.UniqueConstraint(
                fields=["provider", "month"], condition=~Q(state="void"), name="statement_one_standing_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day"),
        ]
        indexes = [models.Index(fields=["state", "confirm_by"])]

    def __str__(self):
        return f"{self.provider_id} {self.month:%Y-%m} v{self.version}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)

    @property
    def payable(self) -> Decimal:
        """What is paid: the total when positive (a negative total is carried to the next statement)."""
        return max(self.total, Decimal("0.00"))


class StatementApproval(models.Model):
    """One finance approval of a statement (two different approvers above ¥1,000,000 in absolute value)."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "approver"], name="statement_one_approval_per_approver")
        ]

    def __str__(self):
        return f"{self.approver_id} approved {self.statement_id}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(statement__provider_id=provider_id)


class StatementLine(models.Model):
    """One line: an engagement and kind for the statement's month (``for_month`` = its month) or an adjustment of
    an earlier month (``for_month`` before it), or the carried negative total of the previous statement."""

    # The run writes a statement's lines in one INSERT: their references are checked per statement, not per row
    # (migration 0003: settlement_references_exist), and an index of the constraints below serves each.
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="lines", db_constraint=False, db_index=False
    )
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    for_month = models.DateField(_("for month"))
    engagement = models.ForeignKey(
        "providers.Engagement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    carried_from = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # set on one line in a thousand: a partial index below
    )
    exact = models.DecimalField(_("exact amount"), **EXACT)
    amount = models.DecimalField(_("amount"), **CENTS)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["statement_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="statement_line_position"),
            models.CheckConstraint(
                condition=Q(kind="carried", engagement__isnull=True, carried_from__isnull=False)
                | (~Q(kind="carried") & Q(engagement__isnull=False, carried_from__isnull=True)),
                name="statement_line_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["engagement", "for_month", "kind"]),
            models.Index(
                fields=["carried_from"], condition=Q(carried_from__isnull=False), name="statement_line_carried"
            ),
        ]

    def __str__(self):
        return f"{self.statement_id}#{self.position} {self.kind} {self.amount}"

    @property
    def is_adjustment(self) -> bool:
        return self.kind != LineKind.CARRIED and self.for_month != self.statement.month

    @staticmethod
    def provider_scope(provider_id):
        return Q(statement__provider_id=provider_id)


class StatementSession(models.Model):
    """A session a statement's lines rest on: for one month (the statement's or an adjusted one) and engagement,
    with its own figures (net GMV, the rates in force on its date, its baseline). The commission, uplift bonus
    and tier incentive lines of that engagement and month rest on these rows (the bonus on those with a
    baseline)."""

    # Written a month's sessions at a time: references checked per statement (migration 0003), and indexed by the
    # constraint and the index below (each a prefix of an equality lookup: by statement, by engagement).
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="session_rows", db_constraint=False, db_index=False
    )
    # No database constraint: the sessions table is partitioned and its unique key is (id, started_at); the app
    # never deletes a session (docs/ingest.md, "Partitions"). No index either: nothing reads the linked sessions by
    # session (a line's go by statement, engagement and month), and a month's run writes a row per session.
    session = models.ForeignKey(
        "providers.LiveSession", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    engagement = models.ForeignKey(
        "providers.Engagement", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    for_month = models.DateField(_("for month"))
    net_gmv = models.DecimalField(_("net GMV"), **CENTS)
    commission_rate = models.DecimalField(_("commission rate"), **RATE)
    uplift_bonus_rate = models.DecimalField(_("uplift bonus rate"), **RATE)
    baseline = models.DecimalField(_("baseline"), null=True, **EXACT)
    commission = models.DecimalField(_("commission"), **EXACT)
    uplift_bonus = models.DecimalField(_("uplift bonus"), **EXACT)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["statement_id", "for_month", "engagement_id", "session_id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "for_month", "session"], name="statement_session_once")
        ]
        # a line's sessions (statement, engagement, month), and an engagement's rows (its deletion is protected)
        indexes = [models.Index(fields=["engagement", "for_month", "statement"], name="statement_session_line")]

    def __str__(self):
        return f"{self.statement_id}: session {self.session_id}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(statement__provider_id=provider_id)


class UnsettledSession(models.Model):
    """An operated session of the statement's month that no agreement version covers (listed, not paid)."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="unsettled")
    # No database constraint: the sessions table is partitioned and its unique key is (id, started_at); the app
    # never deletes a session (docs/ingest.md, "Partitions").
    session = models.ForeignKey(
        "providers.LiveSession", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    engagement = models.ForeignKey("providers.Engagement", on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=24, choices=UnsettledReason.choices)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["statement_id", "session_id"]
        constraints = [models.UniqueConstraint(fields=["statement", "session"], name="unsettled_session_once")]

    def __str__(self):
        return f"{self.statement_id}: session {self.session_id} unsettled"

    @staticmethod
    def provider_scope(provider_id):
        return Q(statement__provider_id=provider_id)


class JournalEntry(models.Model):
    """One double-entry posting of a statement line (or the reversal of one). Append-only; its two legs must sum
    to zero, which a deferred constraint trigger checks at commit (migration 0002)."""

    # references checked per statement (migration 0003), as for lines. Indexed: by statement (its reversal reads
    # them); not by line (lines are never deleted, nothing reads an entry by its line); ``reverses`` is unique where
    # set (a partial index: the run's entries reverse nothing, and a unique index over NULLs holds a row for each).
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="journal_entries", db_constraint=False
    )
    line = models.ForeignKey(
        StatementLine,
        on_delete=models.PROTECT,
        null=True,
        related_name="journal_entries",
        db_constraint=False,
        db_index=False,
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        db_constraint=False,
        db_index=False,
    )
    memo = models.CharField(_("memo"), max_length=120)
    posted_at = models.DateTimeField(_("posted at"))

    append_only = True  # the app's role may only SELECT and INSERT (core.dbroles); triggers refuse the rest
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="journal_entry_reversed_once"
            )
        ]

    def __str__(self):
        return f"entry #{self.pk} {self.memo}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(statement__provider_id=provider_id)


class JournalLeg(models.Model):
    """One leg of an entry: an account (of a provider) and a signed amount (+ debit, − credit)."""

    # references checked per statement (migration 0003); the entry is indexed by (entry, account), the provider by
    # (provider, account)
    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="legs", db_constraint=False, db_index=False
    )
    account = models.CharField(_("account"), max_length=24, choices=Account.choices)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    amount = models.DecimalField(_("amount"), **CENTS)

    append_only = True
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "id"]
        # one leg per account in an entry, of the three accounts there are: with the balance trigger, which reads only
        # the statement's new legs, an entry holds exactly its two (migration 0006)
        constraints = [
            models.UniqueConstraint(fields=["entry", "account"], name="journal_leg_account_once"),
            models.CheckConstraint(condition=Q(account__in=Account.values), name="journal_leg_account_known"),
        ]
        indexes = [models.Index(fields=["provider", "account"])]

    def __str__(self):
        return f"{self.account} {self.amount}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


@audited()
class Payout(models.Model):
    """A payout request of an approved statement, under the caller's idempotency key."""

    statement = models.OneToOneField(Statement, on_delete=models.PROTECT, related_name="payout")
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    amount = models.DecimalField(_("amount"), **CENTS)
    status = models.CharField(_("status"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    reference = models.CharField(_("payment reference"), max_length=128, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"payout #{self.pk} {self.amount} {self.status}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(statement__provider_id=provider_id)


class IdempotencyKey(models.Model):
    """A used payout idempotency key: the request body's hash and the first answer (status and body)."""

    key = models.CharField(max_length=128, unique=True)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
