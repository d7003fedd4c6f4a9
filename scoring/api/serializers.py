"""API v1 serializers of the scoring app."""

from rest_framework import serializers

from scoring import services
from scoring.choices import CapabilityKey, Direction, MetricKey, NotRankedReason
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
        services.capability_model_validate(attrs.get("capabilities"))
        return attrs

    def create(self, validated_data):
        return services.capability_model_create(
            version=validated_data["version"],
            name=validated_data["name"],
            capabilities=validated_data["capabilities"],
            created_by=self.context["request"].user,
        )


class CapabilityScoreSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_key_display", read_only=True)

    class Meta:
        model = CapabilityScore
        fields = ["key", "label", "weight", "score", "contribution"]


class ProviderScoreSerializer(serializers.ModelSerializer):
    capabilities = CapabilityScoreSerializer(source="capability_scores", many=True, read_only=True)
    # "" for a ranked provider: the schema says so (an enum of the reasons or blank).
    reason = serializers.ChoiceField(choices=NotRankedReason.choices, allow_blank=True, read_only=True)

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
