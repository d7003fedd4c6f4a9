"""Models of the ecosystem app: the monthly rollups that ingest keeps exact, the stored monthly report,
the 造风者 programme and its stored standings."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet

from .choices import LeapKind

ROLLUP_MONEY = {"max_digits": 20, "decimal_places": 2}


class MerchantMonth(models.Model):
    """Rollup: a merchant's sessions and GMV in one Shanghai calendar month (all sessions, operated or not).

    Written only by the database triggers on providers_livesession (migration 0001): never by Python."""

    # The primary key's index (merchant, month) serves lookups by merchant: no index of its own (each one is paid
    # for on every ingested row).
    pk = models.CompositePrimaryKey("merchant", "month")
    merchant = models.ForeignKey("providers.Merchant", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False)
    month = models.DateField(_("month"))  # first day of the Shanghai month
    gmv = models.DecimalField(_("GMV"), **ROLLUP_MONEY)
    sessions = models.BigIntegerField(_("sessions"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["month", "gmv"], name="eco_mm_month_gmv")]

    def __str__(self):
        return f"{self.merchant_id} {self.month:%Y-%m}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(merchant_id__in=[])  # platform-wide figures are staff-only


class ProviderMerchantMonth(models.Model):
    """Rollup: a provider's operated sessions and GMV with one merchant in one Shanghai month (triggers only)."""

    pk = models.CompositePrimaryKey("provider", "merchant", "month")
    provider = models.ForeignKey("providers.Provider", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False)
    merchant = models.ForeignKey("providers.Merchant", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False)
    month = models.DateField(_("month"))
    gmv = models.DecimalField(_("operated GMV"), **ROLLUP_MONEY)
    sessions = models.BigIntegerField(_("operated sessions"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["month", "provider"], name="eco_pmm_month_provider")]

    def __str__(self):
        return f"{self.provider_id}/{self.merchant_id} {self.month:%Y-%m}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)


class ReportSettings(models.Model):
    """The one row of the report's configuration: the platform's data start (first month with data)."""

    data_start = models.DateField(
        _("data start"), help_text=_("First day of the first month of the platform's data (Asia/Shanghai).")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self):
        return f"data start {self.data_start:%Y-%m}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(pk__in=[])


class MonthlyReport(models.Model):
    """A finished month's §13 figures and platform-wide operation effect, stored by the monthly job."""

    month = models.DateField(_("month"), unique=True)
    figures = models.JSONField(_("figures"))
    operation_effect = models.JSONField(_("operation effect"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(pk__in=[])


class Programme(models.Model):
    """造风者: targets between a start month and a deadline month (both included)."""

    name = models.CharField(_("name"), max_length=200, default="造风者")
    start_month = models.DateField(_("start month"))
    deadline_month = models.DateField(_("deadline month"))
    high_bar = models.PositiveIntegerField(_("merchants per provider (upper bar)"), default=50)
    high_providers = models.PositiveIntegerField(_("providers at the upper bar"), default=50)
    low_bar = models.PositiveIntegerField(_("merchants per provider (lower bar)"), default=20)
    low_providers = models.PositiveIntegerField(_("providers at the lower bar"), default=100)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_month__gte=models.F("start_month")), name="programme_months_ordered"
            ),
            models.CheckConstraint(condition=Q(high_bar__gte=models.F("low_bar")), name="programme_bars_nested"),
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def provider_scope(provider_id):
        return Q()  # the programme's terms are public to every signed-in provider


class ProgrammeMerchant(models.Model):
    """A merchant credited to a provider for the 12 complete months ending with `month`: a successful leap
    (first month `leap_month`) or "almost". Stored by the monthly job."""

    month = models.DateField(_("month"))
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="+")
    merchant = models.ForeignKey("providers.Merchant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=LeapKind.choices)
    leap_month = models.DateField(_("first leap month"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["month", "provider", "merchant"]
        constraints = [
            models.UniqueConstraint(fields=["month", "provider", "merchant"], name="programme_merchant_once"),
        ]

    def __str__(self):
        return f"{self.provider_id}/{self.merchant_id} {self.month:%Y-%m} {self.kind}"

    @staticmethod
    def provider_scope(provider_id):
        return Q(provider_id=provider_id)
