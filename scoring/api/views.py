"""API v1 views of the scoring app: capability models, cycles, scores, operation effect, diagnosis."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import provider_id_of
from core.dates import SHANGHAI, within_platform_data
from core.viewsets import RestrictedModelViewSet, RestrictedReadOnlyViewSet
from providers.models import Provider
from scoring import filtersets, selectors, services
from scoring.models import CapabilityModel, ProviderScore

from . import serializers


def jsonable(value):
    """Decimals as strings in fixed notation (``0.0000000000``, never ``0E-10``; DRF would turn a bare
    Decimal into a float); money is never a float; times in Asia/Shanghai (+08:00) like every API time."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.astimezone(SHANGHAI).isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class CapabilityModelViewSet(RestrictedModelViewSet):
    """五力模型 versions: everyone signed in reads; staff with add permission create (nested, one POST).

    Versions are immutable once used; changing one means creating a new version, so there is no
    update, and delete is refused for a used version.
    """

    queryset = CapabilityModel.objects.prefetch_related("capabilities__metrics")
    serializer_class = serializers.CapabilityModelSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]

    def perform_destroy(self, instance):
        services.capability_model_delete(model=instance)


class ProviderScoreViewSet(RestrictedReadOnlyViewSet):
    """Scores: staff see all; a provider user sees only its own (404 otherwise)."""

    queryset = ProviderScore.objects.select_related("cycle").prefetch_related("capability_scores")
    serializer_class = serializers.ProviderScoreSerializer
    filterset_class = filtersets.ProviderScoreFilterSet

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def explain(self, request, pk=None):
        """Each metric's value, cohort median, percentile, score and contribution, and the change."""
        return Response(jsonable(selectors.explain(self.get_object(), user=request.user)))


def parse_period(request) -> tuple[dt.datetime, dt.datetime]:
    """?start=YYYY-MM-DD&end=YYYY-MM-DD → [start 00:00, end 00:00) Asia/Shanghai; full ISO instants are
    taken as given (a naive one is read as Shanghai time). end is exclusive."""
    errors = {}
    out = []
    for name in ("start", "end"):
        raw = request.query_params.get(name)
        value = None
        if not raw:
            errors[name] = [_("This parameter is required (YYYY-MM-DD, Asia/Shanghai midnight).")]
        else:
            try:
                if len(raw) == 10:
                    value = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(0), tzinfo=services.SHANGHAI)
                else:
                    value = dt.datetime.fromisoformat(raw.replace(" ", "+").replace("Z", "+00:00"))
                    if timezone.is_naive(value):
                        value = value.replace(tzinfo=services.SHANGHAI)
            except ValueError:
                errors[name] = [_("Not a date or ISO instant: %(value)s.") % {"value": repr(raw)}]
        out.append(value)
    if not errors and out[1] <= out[0]:
        errors["end"] = [_("end must be after start (the period is [start, end)).")]
    if errors:
        raise exceptions.ValidationError(errors)
    return out[0], out[1]


def _effect_body(start, end, provider_id):
    figures = selectors.operation_effect(start=start, end=end, provider_id=provider_id)
    body = {"provider": provider_id, "start": start, "end": end}
    body.update(figures["all"])
    body["by_merchant_size"] = {"small_medium": figures["small_medium"], "large": figures["large"]}
    return jsonable(body)


class StaffReadPermission(permissions.BasePermission):
    """Staff holding the permission the view names (``staff_perm``); everyone else is refused."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.has_perm(view.staff_perm))


class ProviderOperationEffectView(APIView):
    """操盘效果 of one provider over [start, end): staff, or that provider's own users (404 otherwise)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("start", str, required=True), OpenApiParameter("end", str, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, pk):
        user = request.user
        if not (user.is_staff and user.has_perm("providers.view_provider")) and provider_id_of(user) is None:
            raise Http404
        provider = get_object_or_404(Provider.objects.restrict(user), pk=pk)
        start, end = parse_period(request)
        return Response(_effect_body(start, end, provider.pk))


class PlatformOperationEffectView(APIView):
    """操盘效果 over every operated session of the platform (staff only)."""

    permission_classes = [StaffReadPermission]
    staff_perm = "providers.view_livesession"

    @extend_schema(
        parameters=[OpenApiParameter("start", str, required=True), OpenApiParameter("end", str, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        start, end = parse_period(request)
        return Response(_effect_body(start, end, None))


class MerchantDiagnosisView(APIView):
    """A merchant's last 7 Shanghai days beside its category's medians: staff, or the provider serving it today."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("end_date", str, required=False)], responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        user = request.user
        if not (user.is_staff and user.has_perm("providers.view_merchant")) and provider_id_of(user) is None:
            raise Http404
        merchant = get_object_or_404(selectors.diagnosable_merchants(user), pk=pk)
        raw = request.query_params.get("end_date")
        if raw:
            try:
                end_date = dt.date.fromisoformat(raw)
            except ValueError as exc:
                raise exceptions.ValidationError({"end_date": [_("Use YYYY-MM-DD.")]}) from exc
            if not within_platform_data(end_date):
                raise exceptions.ValidationError(
                    {"end_date": [_("The date must be between 2000-01-01 and a year from today.")]}
                )
        else:
            end_date = selectors.diagnosis_last_day()
        return Response(jsonable(selectors.merchant_diagnosis(merchant=merchant, end_date=end_date)))
