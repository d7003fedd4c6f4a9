"""API v1 of violations: recorded through certification, which applies their consequences."""

from providers import filtersets as provider_filtersets
from providers import services as provider_services
from providers.api import serializers as provider_serializers
from providers.api.views import ServiceWriteViewSet
from providers.models import Violation

from .. import violations


class ViolationViewSet(ServiceWriteViewSet):
    """违规. Cycle managers record them; a provider user reads its own."""

    queryset = Violation.objects.all()
    serializer_class = provider_serializers.ViolationSerializer
    filterset_class = provider_filtersets.ViolationFilterSet
    ordering_fields = ["id", "occurred_at", "points", "severity"]
    services_for = (
        violations.violation_record,
        violations.violation_update,
        provider_services.violation_delete,
        "violation",
    )
