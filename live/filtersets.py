"""API filters of the live app (relations by plain id or external id: "not yours" and "none" answer alike)."""

from django_filters import rest_framework as filters

from core.filtersets import FilterSet
from live.models import LiveEvent, LiveSnapshot, LiveStream


class LiveStreamFilterSet(FilterSet):
    merchant = filters.CharFilter(field_name="merchant__platform_account_id")
    started_after = filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = LiveStream
        fields = ["merchant"]


class LiveSnapshotFilterSet(FilterSet):
    external_id = filters.CharFilter(field_name="stream__external_id", required=True)

    class Meta:
        model = LiveSnapshot
        fields = ["external_id"]


class LiveEventFilterSet(FilterSet):
    external_id = filters.CharFilter(field_name="stream__external_id")

    class Meta:
        model = LiveEvent
        fields = ["external_id", "kind"]
