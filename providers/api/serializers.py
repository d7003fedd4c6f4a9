"""API v1 serializers of the providers app: they validate input shape; the services do the writes."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
    Violation,
)


def mask_phone(phone: str) -> str:
    """138****1234: keep the first 3 and last 4 digits; shorter numbers keep only their last 2."""
    if not phone:
        return phone
    if len(phone) >= 8:
        return phone[:3] + "*" * 4 + phone[-4:]
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key to a row the requesting user may see (core.access): nothing else can be attached."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.restrict(request.user) if request is not None else queryset.none()


class ScopedModelSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        # Cross-row rules and constraints are checked by the services, with field-specific messages.
        validators = []


class ProviderSerializer(ScopedModelSerializer):
    class Meta(ScopedModelSerializer.Meta):
        model = Provider
        fields = [
            "id",
            "name",
            "credit_code",
            "type",
            "province",
            "city",
            "status",
            "tier",
            "deposit",
            "admitted_at",
            "created_at",
        ]
        # Status and tier move only through decisions and cycles (certification), never by hand here.
        read_only_fields = ["status", "tier", "created_at"]


class ProviderUserSerializer(ScopedModelSerializer):
    username = serializers.CharField(source="user.username", max_length=150)
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, trim_whitespace=False)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)

    class Meta(ScopedModelSerializer.Meta):
        model = ProviderUser
        fields = ["id", "username", "email", "password", "is_active", "provider", "created_at"]
        read_only_fields = ["created_at"]

    def validate_username(self, value):
        if get_user_model().objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError(_("A user with that username already exists."), code="unique")
        return value


class ProviderUserUpdateSerializer(ProviderUserSerializer):
    """Changing a login: email, password and whether it may sign in; the username and provider stay."""

    username = serializers.CharField(source="user.username", read_only=True)
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}, trim_whitespace=False
    )
    is_active = serializers.BooleanField(source="user.is_active", required=False)

    class Meta(ProviderUserSerializer.Meta):
        read_only_fields = ["username", "provider", "created_at"]


class OperatorSerializer(ScopedModelSerializer):
    class Meta(ScopedModelSerializer.Meta):
        model = Operator
        fields = ["id", "platform_user_id", "name", "phone"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not (request is not None and request.user.is_staff):
            data["phone"] = mask_phone(data["phone"])
        return data


class EmploymentSerializer(ScopedModelSerializer):
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta(ScopedModelSerializer.Meta):
        model = Employment
        fields = ["id", "operator", "operator_name", "provider", "provider_name", "start_date", "end_date"]
        extra_kwargs = {"end_date": {"required": False}}


class EmploymentEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


class MerchantSerializer(ScopedModelSerializer):
    class Meta(ScopedModelSerializer.Meta):
        model = Merchant
        fields = ["id", "platform_account_id", "name", "category", "public_consent"]


class EngagementSerializer(ScopedModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta(ScopedModelSerializer.Meta):
        model = Engagement
        fields = [
            "id",
            "provider",
            "provider_name",
            "merchant",
            "merchant_name",
            "start_date",
            "end_date",
            "lead_operator",
        ]
        extra_kwargs = {"end_date": {"required": False}, "lead_operator": {"required": False}}


class LiveSessionSerializer(ScopedModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta(ScopedModelSerializer.Meta):
        model = LiveSession
        fields = [
            "id",
            "external_id",
            "merchant",
            "merchant_name",
            "operator",
            "provider",
            "started_at",
            "duration_minutes",
            "gmv",
            "orders",
            "viewers",
            "new_followers",
            "refund_amount",
            "paid_spend",
            "paid_gmv",
            "skus_listed",
            "skus_sold",
        ]


class ViolationSerializer(ScopedModelSerializer):
    class Meta(ScopedModelSerializer.Meta):
        model = Violation
        fields = ["id", "provider", "operator", "severity", "points", "occurred_at", "status", "description"]
        extra_kwargs = {"operator": {"required": False}}


class ComplaintSerializer(ScopedModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta(ScopedModelSerializer.Meta):
        model = Complaint
        fields = ["id", "provider", "merchant", "merchant_name", "received_at", "upheld", "description"]


class IngestBatchSerializer(serializers.ModelSerializer):
    submitted_by = serializers.SerializerMethodField()

    class Meta:
        model = IngestBatch
        fields = [
            "id",
            "source",
            "filename",
            "submitted_by",
            "partial",
            "received",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "errors",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_submitted_by(self, obj):
        return obj.submitted_by.username if obj.submitted_by_id else None
