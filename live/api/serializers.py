"""API v1 serializers of the live app (reads; the writes are the ingest endpoints' row reports)."""

from rest_framework import serializers

from live.models import COUNT_FIELDS, FIGURE_FIELDS, Dimension, DimensionSet, LiveEvent, LiveIngestBatch, LiveStream


class DimensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dimension
        fields = ["code", "label_zh", "label_en", "group", "unit", "direction", "formula", "core", "position"]


class DimensionSetSerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)

    class Meta:
        model = DimensionSet
        fields = ["id", "version", "name", "created_at", "dimensions"]


class LiveStreamSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.platform_account_id", read_only=True)
    operator = serializers.CharField(source="operator.platform_user_id", read_only=True, default=None)

    class Meta:
        model = LiveStream
        fields = [
            "external_id",
            "merchant",
            "operator",
            "started_at",
            "last_at",
            "last_gmv",
            "last_online",
            "peak_online",
            "snapshot_count",
            "alert_count",
        ]


class LiveSnapshotSerializer(serializers.Serializer):
    external_id = serializers.CharField(source="stream.external_id")
    at = serializers.DateTimeField()
    k = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        for name in FIGURE_FIELDS:
            fields[name] = (
                serializers.IntegerField()
                if name in COUNT_FIELDS or name == "online_viewers"
                else serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
            )
        return fields


class LiveEventSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(source="stream.external_id", read_only=True)

    class Meta:
        model = LiveEvent
        fields = ["id", "external_id", "at", "kind", "label"]


class LiveIngestBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = LiveIngestBatch
        fields = ["id", "kind", "received", "created", "updated", "unchanged", "rejected", "errors", "created_at"]
