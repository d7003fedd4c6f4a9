"""Models of strict admission (严准入): applications and their documents (DESIGN §5).

They were born in the providers app and keep its tables (``providers_admission…``, their event tables
and the operators table): migrations/0001_initial.py moved only Django's idea of where they live.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited
from providers.choices import ProviderType
from providers.models import MONEY, PrivateFile, Provider

from .choices import AdmissionStatus, DocumentKind


@audited(meta={"db_table": "providers_admissionapplicationevent"})
class AdmissionApplication(models.Model):
    """严准入: a company's application to become a provider, checked automatically then reviewed."""

    company_name = models.CharField(_("company name"), max_length=200)
    # Not validated on the model: an invalid code is stored and reported by the credit-code check.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    type = models.CharField(_("type"), max_length=20, choices=ProviderType.choices)
    province = models.CharField(_("province"), max_length=50)
    city = models.CharField(_("city"), max_length=50)
    registered_capital = models.DecimalField(_("registered capital (yuan)"), **MONEY)
    deposit_amount = models.DecimalField(_("deposit recorded (yuan)"), default=0, **MONEY)
    # Platform user ids exactly as the application supplied them (sorted, without repeats): an id that is no
    # registered operator is kept, not refused, so that naming one tells an applicant nothing about who exists.
    # The certified-operators check resolves them when it runs.
    proposed_operators = ArrayField(
        models.CharField(max_length=64), default=list, blank=True, verbose_name=_("proposed operators")
    )
    licence_expires_on = models.DateField(_("business licence expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AdmissionStatus.choices, default=AdmissionStatus.DRAFT, db_index=True
    )
    checks = models.JSONField(_("automatic checks"), default=list, blank=True)
    checks_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="admission_applications_created"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_applications",
        help_text=_("The user who becomes the provider's user on admission."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_applications_reviewed",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_applications_decided",
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="admission_applications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        db_table = "providers_admissionapplication"
        ordering = ["-id"]
        permissions = [("review_admission", "Can review admission applications")]
        indexes = [models.Index(fields=["credit_code", "status"])]

    def __str__(self):
        return f"{self.company_name} ({self.get_status_display()})"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)

    @staticmethod
    def applicant_scope(user):
        """What a user who is neither staff nor a provider user sees: the applications they made."""
        return Q(created_by=user) | Q(applicant=user)


@audited(meta={"db_table": "providers_admissiondocumentevent"})
class AdmissionDocument(PrivateFile):
    """A document of an admission application, stored privately under a random name."""

    application = models.ForeignKey(AdmissionApplication, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)

    class Meta:
        db_table = "providers_admissiondocument"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(application__provider_id=provider_id)

    @staticmethod
    def applicant_scope(user):
        return Q(application__created_by=user) | Q(application__applicant=user)
