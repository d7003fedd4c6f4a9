"""The provider inbox's read state of ledger decisions (decisions about a provider, appeal outcomes among them).

The ledger is append-only and hash-chained, so whether a provider has read a decision is not a field of it: it is
a row here, written only by ``certification.services.decisions_mark_read``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import RestrictedQuerySet


class DecisionRead(models.Model):
    """A decision about a provider that one of the provider's users has read (in the portal inbox or the API).

    One row per decision, so the read state is the provider's, as a notification's ``read`` flag is: a provider has
    one inbox, the header's unread count is the same for each of its users, and what one of them read is read for
    the others. Who read it and when are kept."""

    decision = models.OneToOneField(
        "certification.Decision", on_delete=models.PROTECT, primary_key=True, related_name="read_mark"
    )
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision read")
        verbose_name_plural = _("decisions read")

    def __str__(self):
        return f"decision #{self.decision_id} read"

    @staticmethod
    def provider_scope(provider_id):
        return Q(decision__provider_id=provider_id)
