"""API v1 views of the ecosystem app: the monthly report and its drill-downs, the 造风者 programme."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import provider_id_of
from core.dates import SHANGHAI, within_platform_data
from core.viewsets import RestrictedModelViewSet
from ecosystem import selectors, services
from ecosystem.choices import GMV_THRESHOLDS, LeapKind
from ecosystem.models import Programme
from providers.choices import ProviderType

from . import serializers

MONTH_PARAM = OpenApiParameter("month", str, required=False, description="YYYY-MM (default: last finished month)")


def jsonable(value):
    """Decimals as fixed-notation strings (money and ratios are never floats); dates and times as ISO (+08:00)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(SHANGHAI).isoformat()  # API times carry +08:00
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def month_param(request) -> dt.date:
    raw = request.query_params.get("month")
    if not raw:
        return selectors.last_finished_month()
    month = selectors.parse_month(raw)
    if month is None or not within_platform_data(month):
        raise exceptions.ValidationError({"month": [_("Use YYYY-MM, between 2000-01 and a year from today.")]})
    return month


class StaffPermission(permissions.BasePermission):
    """Staff holding the permission the view names (``staff_perm``); everyone else is refused."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm(view.staff_perm))


class ReportView(APIView):
    """The ecosystem report of a month (§13): every figure with its ratio to a year earlier and the stored
    operation effect (staff)."""

    permission_classes = [StaffPermission]
    staff_perm = "ecosystem.view_monthlyreport"

    @extend_schema(parameters=[MONTH_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(jsonable(selectors.report(month_param(request))))


class ReportMerchantsView(APIView):
    """The merchants behind one count of the report (staff): ?kind=gmv_at_least|first_time|served|not_served|
    stagnant|stagnant_cohort, &threshold= for gmv_at_least, &limit= (≤ 500) &offset=."""

    permission_classes = [StaffPermission]
    staff_perm = "ecosystem.view_monthlyreport"

    @extend_schema(
        parameters=[
            MONTH_PARAM,
            OpenApiParameter("kind", str, required=True, enum=list(selectors.DRILLDOWNS)),
            OpenApiParameter("threshold", int, required=False, enum=list(GMV_THRESHOLDS)),
            OpenApiParameter("limit", int, required=False),
            OpenApiParameter("offset", int, required=False),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        month = month_param(request)
        kind = request.query_params.get("kind")
        errors = {}
        if kind not in selectors.DRILLDOWNS:
            errors["kind"] = [_("One of: %(kinds)s.") % {"kinds": ", ".join(selectors.DRILLDOWNS)}]
        try:
            threshold = int(request.query_params.get("threshold", GMV_THRESHOLDS[0]))
            limit = min(500, max(1, int(request.query_params.get("limit", 100))))
            offset = max(0, int(request.query_params.get("offset", 0)))
        except ValueError:
            errors["limit"] = [_("threshold, limit and offset are whole numbers.")]
        else:
            if threshold not in GMV_THRESHOLDS:
                errors["threshold"] = [_("One of: %(values)s.") % {"values": ", ".join(map(str, GMV_THRESHOLDS))}]
        if errors:
            raise exceptions.ValidationError(errors)
        rows, total = selectors.drilldown(kind, month, threshold=threshold, limit=limit, offset=offset)
        return Response(jsonable({"month": month, "kind": kind, "count": total, "results": rows}))


class ReportProvidersView(APIView):
    """The providers behind one provider type's operated GMV in a month (staff)."""

    permission_classes = [StaffPermission]
    staff_perm = "ecosystem.view_monthlyreport"

    @extend_schema(
        parameters=[MONTH_PARAM, OpenApiParameter("type", str, required=True, enum=ProviderType.values)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        month = month_param(request)
        provider_type = request.query_params.get("type")
        if provider_type not in ProviderType.values:
            raise exceptions.ValidationError({"type": [_("Not a provider type.")]})
        rows = selectors.providers_by_type(month, provider_type, limit=500)
        return Response(jsonable({"month": month, "type": provider_type, "results": rows}))


class ProgrammeView(APIView):
    """The 造风者 programme at a month (staff): targets, progress, providers on track, each provider's counts."""

    permission_classes = [StaffPermission]
    staff_perm = "ecosystem.view_programmemerchant"

    @extend_schema(parameters=[MONTH_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        overview = selectors.programme_overview(month_param(request))
        if overview is None:
            raise exceptions.NotFound(_("No programme is configured."))
        return Response(jsonable(overview))


class ProgrammeMerchantsView(APIView):
    """Successful-leap and "almost" merchants for the 12 months ending with the month: staff see any provider's
    (?provider=), a provider user only its own."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            MONTH_PARAM,
            OpenApiParameter("provider", int, required=False),
            OpenApiParameter("kind", str, required=False, enum=LeapKind.values),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        user = request.user
        own = provider_id_of(user)
        if own is None and not (user.is_staff and user.has_perm("ecosystem.view_programmemerchant")):
            raise exceptions.NotFound
        month = month_param(request)
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in LeapKind.values:
            raise exceptions.ValidationError(
                {"kind": [_("One of: %(kinds)s.") % {"kinds": ", ".join(LeapKind.values)}]}
            )
        raw = request.query_params.get("provider")
        provider_id = None
        if raw:
            if not raw.isdigit():
                raise exceptions.ValidationError({"provider": [_("A provider id.")]})
            provider_id = int(raw)
        if own is not None:
            if provider_id is not None and provider_id != own:
                rows = []  # another provider's: answers like one with no merchants
            else:
                rows = selectors.programme_merchants(month, provider_id=own, kind=kind)
        else:
            rows = selectors.programme_merchants(month, provider_id=provider_id, kind=kind)
        leaps = sum(1 for r in rows if r["kind"] == LeapKind.LEAP)
        return Response(jsonable({"month": month, "leaps": leaps, "almost": len(rows) - leaps, "results": rows}))


class ProgrammeViewSet(RestrictedModelViewSet):
    """造风者 programmes' terms: everyone signed in reads; staff with the permission create and change."""

    queryset = Programme.objects.all()
    serializer_class = serializers.ProgrammeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.programme_save(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.programme_save(programme=serializer.instance, **serializer.validated_data)
