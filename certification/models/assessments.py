"""Operator assessments (操盘手考核): the score that operator certification needs (DESIGN §5)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet
from core.audit import audited
from core.dates import shanghai_today
from providers.models import Employment


@audited()
class OperatorAssessment(models.Model):
    """One assessment of an operator by staff: a score 0–100 on a (Shanghai) date."""

    operator = models.ForeignKey("providers.Operator", on_delete=models.PROTECT, related_name="assessments")
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["operator", "assessed_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_0_100"),
        ]

    def __str__(self):
        return f"{self.operator} {self.score} @ {self.assessed_on}"

    @staticmethod
    def provider_scope(provider_id):
        """Assessments of the operators the provider employs today (as for their certificates)."""
        today = shanghai_today()
        employs = Employment.objects.filter(
            operator=OuterRef("operator_id"), provider_id=provider_id, start_date__lte=today
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        return Q(Exists(employs))
