"""API v1 of the live app: the pipeline's ingest endpoints (row by row reports), streams, events, the registry."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.viewsets import RestrictedReadOnlyViewSet, RestrictedViewSetMixin
from live import ingest
from live.choices import IngestKind
from live.filtersets import LiveEventFilterSet, LiveSnapshotFilterSet, LiveStreamFilterSet
from live.models import DimensionSet, LiveEvent, LiveIngestBatch, LiveSnapshot, LiveStream

from . import serializers

INGEST = {"create": ["live.ingest_live"]}


def _ingest_response(request, kind: str) -> Response:
    """Read the envelope (size, JSON, a list, at most MAX_ROWS rows), then hand the rows to the ingest service."""
    user = request.user

    def refuse(code, reason, received=0):
        report = ingest.ingest_refuse(kind=kind, code=code, reason=reason, submitted_by=user, received=received)
        return Response({"code": code, "message": reason, **report.as_dict()}, status=status.HTTP_400_BAD_REQUEST)

    stream = request.stream
    raw = stream.read(ingest.MAX_BYTES + 1) if stream is not None else b""
    if len(raw) > ingest.MAX_BYTES:
        return refuse(
            "batch_too_large", _("The body is larger than 32 MiB; send at most %(n)s rows.") % {"n": ingest.MAX_ROWS}
        )
    try:
        rows = json.loads(raw, parse_float=str)
    except (ValueError, UnicodeDecodeError) as exc:
        return refuse("parse_error", _("The body is not valid JSON (%(error)s).") % {"error": exc})
    except RecursionError:
        return refuse("parse_error", _("The body is not valid JSON (nested too deeply)."))
    if not isinstance(rows, list):
        return refuse("invalid_body", _("The body must be a JSON list of row objects."))
    if not rows:
        return refuse("empty_batch", _("The batch is empty."))
    if len(rows) > ingest.MAX_ROWS:
        return refuse(
            "batch_too_large",
            _("The batch has %(rows)s rows; at most %(max)s are accepted per request.")
            % {"rows": len(rows), "max": ingest.MAX_ROWS},
            received=len(rows),
        )
    service = ingest.snapshots_ingest if kind == IngestKind.SNAPSHOTS else ingest.events_ingest
    report = service(rows=rows, submitted_by=user)
    # Some row accepted: 200 with the refused rows listed; every row refused: 400 with the same report.
    ok = report.accepted > 0 or report.rejected == 0
    return Response(report.as_dict(), status=status.HTTP_200_OK if ok else status.HTTP_400_BAD_REQUEST)


class LiveSnapshotViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """盯盘 snapshots: the pipeline POSTs a list (row by row accept/refuse); readers list a stream's snapshots
    (``?external_id=``)."""

    queryset = LiveSnapshot.objects.select_related("stream").order_by("stream_id", "at")
    serializer_class = serializers.LiveSnapshotSerializer
    filterset_class = LiveSnapshotFilterSet
    action_permissions = INGEST
    throttle_scopes = {"create": "ingest"}

    @extend_schema(request={"application/json": {"type": "array", "items": {"type": "object"}}}, responses={200: dict})
    def create(self, request, *args, **kwargs):
        return _ingest_response(request, IngestKind.SNAPSHOTS)


class LiveEventViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Timeline events (product on/off, coupon, lucky bag, price change, host change, note)."""

    queryset = LiveEvent.objects.select_related("stream")
    serializer_class = serializers.LiveEventSerializer
    filterset_class = LiveEventFilterSet
    action_permissions = INGEST
    throttle_scopes = {"create": "ingest"}

    @extend_schema(request={"application/json": {"type": "array", "items": {"type": "object"}}}, responses={200: dict})
    def create(self, request, *args, **kwargs):
        return _ingest_response(request, IngestKind.EVENTS)


class LiveStreamViewSet(RestrictedReadOnlyViewSet):
    """Streams the user may see (DESIGN §10 "who sees it"), by external id."""

    queryset = LiveStream.objects.select_related("merchant", "operator")
    serializer_class = serializers.LiveStreamSerializer
    filterset_class = LiveStreamFilterSet
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    ordering_fields = ["started_at", "last_gmv", "alert_count"]


class DimensionSetViewSet(RestrictedReadOnlyViewSet):
    """The versioned dimension registry (≥ 42 dimensions each), with labels, groups, units, directions, formulas."""

    queryset = DimensionSet.objects.prefetch_related("dimensions")
    serializer_class = serializers.DimensionSetSerializer


class LiveIngestBatchViewSet(RestrictedReadOnlyViewSet):
    """What each snapshot or event POST did (staff only)."""

    queryset = LiveIngestBatch.objects.all()
    serializer_class = serializers.LiveIngestBatchSerializer
