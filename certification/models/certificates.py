"""Certificates: provider tier certificates (SP-…) and operator certificates (OP-…)."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited
from core.dates import shanghai_today
from providers.models import Employment

from ..choices import OPERATOR_LEVELS, PROVIDER_LEVELS, CertificateKind, CertificateLevel, CertificateStatus


@audited()
class Certificate(models.Model):
    """A certificate; dates are Asia/Shanghai calendar dates, both ends inclusive."""

    kind = models.CharField(_("kind"), max_length=10, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=20, unique=True)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    operator = models.ForeignKey(
        "providers.Operator", on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    level = models.CharField(_("level"), max_length=12, choices=CertificateLevel.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=CertificateStatus.choices, default="active")
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    decision = models.ForeignKey(
        "certification.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        help_text=_("The ledger entry (certify) that issued this certificate."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["provider", "status"]),
            models.Index(fields=["operator", "status"]),
            models.Index(fields=["status", "valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="provider", provider__isnull=False, operator__isnull=True, level__in=PROVIDER_LEVELS)
                    | Q(kind="operator", operator__isnull=False, provider__isnull=True, level__in=OPERATOR_LEVELS)
                ),
                name="certificate_holder_matches_kind",
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="certificate_dates_ordered"),
        ]

    def __str__(self):
        return self.number

    @staticmethod
    def provider_scope(provider_id):
        """The provider's own certificates, and those of operators it employs today."""
        today = shanghai_today()
        employs = Employment.objects.filter(
            operator=OuterRef("operator_id"), provider_id=provider_id, start_date__lte=today
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        return Q(provider_id=provider_id) | Q(Exists(employs))

    @property
    def holder_name(self) -> str:
        return self.provider.name if self.provider_id else self.operator.name

    def status_on(self, day) -> str:
        """The status a verifier should see on ``day``: an active certificate past its dates is expired
        even before the nightly job has marked it."""
        if self.status == CertificateStatus.ACTIVE and not (self.valid_from <= day <= self.valid_until):
            return CertificateStatus.EXPIRED if day > self.valid_until else "not_yet_valid"
        return self.status


class CertificateCounter(models.Model):
    """The last number handed out per kind and year; bumped with one INSERT … ON CONFLICT DO UPDATE,
    whose row lock serialises concurrent issuers until commit (no duplicates, no gaps)."""

    kind = models.CharField(max_length=10, choices=CertificateKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="one_counter_per_kind_year")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"
