"""API v1 viewsets of the providers app: reads narrowed by core.access, writes through providers.services."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.viewsets import RestrictedModelViewSet, RestrictedReadOnlyViewSet
from providers import filtersets, services
from providers.models import (
    Complaint,
    Employment,
    Engagement,
    IngestBatch,
    LiveSession,
    Merchant,
    Operator,
    Provider,
    ProviderUser,
)

from . import serializers
from .ingest import ingest_response


class ServiceWriteViewSet(RestrictedModelViewSet):
    """Creates, updates and deletes through the named service functions of providers.services.

    ``services_for = (create, update, delete, instance_kwarg)``: the update and delete services take
    the object as ``instance_kwarg`` (e.g. ``provider=``), plus the validated fields.
    """

    services_for: tuple = ()

    def perform_create(self, serializer):
        create, _update, _delete, _kwarg = self.services_for
        serializer.instance = create(**serializer.validated_data)

    def perform_update(self, serializer):
        _create, update, _delete, kwarg = self.services_for
        serializer.instance = update(**{kwarg: serializer.instance}, **serializer.validated_data)

    def perform_destroy(self, instance):
        _create, _update, delete, kwarg = self.services_for
        delete(**{kwarg: instance})  # a row still referenced answers 409 "protected" (core.api)


class ProviderViewSet(ServiceWriteViewSet):
    """服务商. Staff (admission reviewers) write; a provider user reads its own provider only."""

    queryset = Provider.objects.all()
    serializer_class = serializers.ProviderSerializer
    filterset_class = filtersets.ProviderFilterSet
    ordering_fields = ["id", "name", "tier", "status", "deposit", "admitted_at", "created_at"]
    services_for = (services.provider_create, services.provider_update, services.provider_delete, "provider")


class ProviderUserViewSet(ServiceWriteViewSet):
    """A provider's logins. Staff create them (username, password, email, provider)."""

    queryset = ProviderUser.objects.select_related("user")
    serializer_class = serializers.ProviderUserSerializer
    filterset_class = filtersets.ProviderUserFilterSet
    ordering_fields = ["id", "created_at"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return serializers.ProviderUserUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.provider_user_create(
            provider=data["provider"],
            username=data["user"]["username"],
            password=data["password"],
            email=data["user"].get("email", ""),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        user = data.get("user", {})
        serializer.instance = services.provider_user_update(
            provider_user=serializer.instance,
            email=user.get("email"),
            password=data.get("password"),
            is_active=user.get("is_active"),
        )

    def perform_destroy(self, instance):
        services.provider_user_delete(provider_user=instance)


class OperatorViewSet(ServiceWriteViewSet):
    """操盘手. A provider user sees the operators it employs or employed; phones are masked for non-staff."""

    queryset = Operator.objects.all()
    serializer_class = serializers.OperatorSerializer
    filterset_class = filtersets.OperatorFilterSet
    ordering_fields = ["id", "name", "platform_user_id"]
    services_for = (services.operator_create, services.operator_update, services.operator_delete, "operator")


class EmploymentViewSet(ServiceWriteViewSet):
    """An operator's employment at a provider; at most one open, never two overlapping."""

    queryset = Employment.objects.select_related("operator", "provider")
    serializer_class = serializers.EmploymentSerializer
    filterset_class = filtersets.EmploymentFilterSet
    ordering_fields = ["id", "start_date", "end_date"]
    action_permissions = {"end": ["providers.change_employment"]}
    services_for = (
        services.employment_start,
        services.employment_update,
        services.employment_delete,
        "employment",
    )

    @extend_schema(request=serializers.EmploymentEndSerializer, responses=serializers.EmploymentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End an open employment on ``end_date`` (inclusive)."""
        employment = self.get_object()
        body = serializers.EmploymentEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        employment = services.employment_end(employment=employment, end_date=body.validated_data["end_date"])
        return Response(self.get_serializer(employment).data)


class MerchantViewSet(ServiceWriteViewSet):
    """商家 / 主播. A provider user sees the merchants it serves or served."""

    queryset = Merchant.objects.all()
    serializer_class = serializers.MerchantSerializer
    filterset_class = filtersets.MerchantFilterSet
    ordering_fields = ["id", "name", "category", "platform_account_id"]
    services_for = (services.merchant_create, services.merchant_update, services.merchant_delete, "merchant")


class EngagementViewSet(ServiceWriteViewSet):
    """结对子: a provider serving a merchant over a date range."""

    queryset = Engagement.objects.select_related("provider", "merchant")
    serializer_class = serializers.EngagementSerializer
    filterset_class = filtersets.EngagementFilterSet
    ordering_fields = ["id", "start_date", "end_date"]
    services_for = (
        services.engagement_create,
        services.engagement_update,
        services.engagement_delete,
        "engagement",
    )


class LiveSessionViewSet(RestrictedModelViewSet):
    """Live sessions: list/retrieve for everyone in scope; POST a list of sessions to ingest them."""

    queryset = LiveSession.objects.select_related("merchant")
    serializer_class = serializers.LiveSessionSerializer
    filterset_class = filtersets.LiveSessionFilterSet
    ordering_fields = ["id", "started_at", "gmv", "orders", "viewers", "duration_minutes"]
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {"create": ["providers.ingest_livesession"]}
    # Ingest batches have their own rate (API_INGEST_RATE), so the pipeline's other calls cannot starve them.
    throttle_scopes = {"create": "ingest"}

    def create(self, request, *args, **kwargs):
        return ingest_response(request)


class ComplaintViewSet(ServiceWriteViewSet):
    """投诉. Cycle managers record them; a provider user reads its own."""

    queryset = Complaint.objects.select_related("merchant")
    serializer_class = serializers.ComplaintSerializer
    filterset_class = filtersets.ComplaintFilterSet
    ordering_fields = ["id", "received_at"]
    services_for = (services.complaint_record, services.complaint_update, services.complaint_delete, "complaint")


class IngestBatchViewSet(RestrictedReadOnlyViewSet):
    """What each ingest did (staff only: a provider user's scope holds no batch)."""

    queryset = IngestBatch.objects.select_related("submitted_by")
    serializer_class = serializers.IngestBatchSerializer
    filterset_class = filtersets.IngestBatchFilterSet
    ordering_fields = ["id", "created_at"]
