"""API v1 serializers of the scoring app."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from scoring import services
from scoring.choices import CapabilityKey, Direction, MetricKey
from scoring.models import (
    Capability,
    CapabilityModel,
    CapabilityScore,
    Metric,
    ProviderScore,
)


class MetricSerializer(serializers.ModelSerializer):
    key = serializers.ChoiceField(choices=MetricKey.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    weight = serializers.DecimalField(max_digits=7, decimal_places=4)

    class Meta:
        model = Metric
        fields = ["key", "weight", "direction"]


class CapabilitySerializer(serializers.ModelSerializer):
    key = serializers.ChoiceField(choices=CapabilityKey.choices)
    label = serializers.CharField(read_only=True)
    weight = serializers.DecimalField(max_digits=7, decimal_places=4)
    metrics = MetricSerializer(many=True)

    class Meta:
        model = Capability
        fields = ["key", "label", "weight", "metrics"]


class CapabilityModelSerializer(serializers.ModelSerializer):
    """A capability-model version with its nested capabilities and metrics (created in one POST)."""

    capabilities = CapabilitySerializer(many=True)
    locked = serializers.BooleanField(source="is_locked", read_only=True)

    class Meta:
        model = CapabilityModel
        fields = ["id", "version", "name", "locked", "created_at", "capabilities"]
        read_only_fields = ["id", "locked", "created_at"]
        # version uniqueness is reported by the service with a clearer message
        extra_kwargs = {"version": {"validators": []}}

    def validate(self, attrs):
        try:
            services.capability_model_validate(attrs.get("capabilities"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc
        return attrs

    def create(self, validated_data):
        try:
            return services.capability_model_create(
                version=validated_data["version"],
                name=validated_data["name"],
                capabilities=validated_data["capabilities"],
                created_by=self.context["request"].user,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from exc


class CapabilityScoreSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_key_display", read_only=True)

    class Meta:
        model = CapabilityScore
        fields = ["key", "label", "weight", "score", "contribution"]


class ProviderScoreSerializer(serializers.ModelSerializer):
    capabilities = CapabilityScoreSerializer(source="capability_scores", many=True, read_only=True)

    class Meta:
        model = ProviderScore
        fields = [
            "id",
            "cycle",
            "provider",
            "cohort",
            "status",
            "ranked",
            "reason",
            "session_count",
            "window_gmv",
            "overall",
            "rank",
            "cohort_size",
            "percentile",
            "capabilities",
        ]
        read_only_fields = fields
