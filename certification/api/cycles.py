"""API v1 of a qualification cycle's lifecycle and tier side: cycles (run, publish, cancel, preview,
comparison, nested scores), their outcomes and the notifications of publish."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.dates import SHANGHAI, within_platform_data
from core.permissions import ProviderUserOnly
from core.viewsets import RestrictedModelViewSet, RestrictedReadOnlyViewSet
from scoring import filtersets as scoring_filtersets
from scoring.api import serializers as scoring_serializers
from scoring.api.views import jsonable
from scoring.choices import CycleKind, CycleStatus
from scoring.models import ProviderScore, QualificationCycle

from .. import cycles, reasons, services
from ..models import CycleOutcome, Notification, RuleSet


class QualificationCycleSerializer(serializers.ModelSerializer):
    rule_set = serializers.PrimaryKeyRelatedField(
        queryset=RuleSet.objects.all(), required=False, source="rules.rule_set", allow_null=False
    )

    class Meta:
        model = QualificationCycle
        fields = [
            "id",
            "kind",
            "window_start",
            "window_end",
            "capability_model",
            "rule_set",
            "min_sessions",
            "confidence_sessions",
            "status",
            "stage",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "published_at",
        ]
        read_only_fields = [
            "status",
            "stage",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "published_at",
        ]
        extra_kwargs = {"capability_model": {"required": False}}
        validators = []  # the service checks the (kind, window) uniqueness with a clear message

    def _window_instant(self, value):
        if not within_platform_data(value.astimezone(SHANGHAI).date()):
            raise serializers.ValidationError(_("The window must lie between 2000-01-01 and a year from today."))
        return value

    def validate_window_start(self, value):
        return self._window_instant(value)

    def validate_window_end(self, value):
        return self._window_instant(value)

    def create(self, validated_data):
        rule_set = validated_data.pop("rules", {}).get("rule_set")
        return cycles.cycle_create(created_by=self.context["request"].user, rule_set=rule_set, **validated_data)


class CycleOutcomeSerializer(serializers.ModelSerializer):
    reason_texts = serializers.SerializerMethodField(help_text="The reasons as sentences in the request's language.")

    class Meta:
        model = CycleOutcome
        fields = [
            "id",
            "cycle",
            "provider",
            "cohort",
            "ranked",
            "overall",
            "current_tier",
            "proposed_tier",
            "change",
            "warn",
            "probation",
            "delist_proposal",
            "reasons",
            "reason_texts",
            "fix_by",
        ]
        read_only_fields = fields

    def get_reason_texts(self, outcome) -> list[str]:
        return reasons.sentences(outcome.reasons)


class NotificationSerializer(serializers.ModelSerializer):
    message = serializers.SerializerMethodField(help_text="The notification in the request's language.")

    class Meta:
        model = Notification
        fields = ["id", "provider", "cycle", "kind", "text", "params", "message", "created_at", "read"]
        read_only_fields = fields

    def get_message(self, note) -> str:
        return reasons.notice(note.kind, note.params) or note.text


class QualificationCycleViewSet(RestrictedModelViewSet):
    """强赛马 cycles: list/retrieve; staff with add permission create; cycle managers (``scoring.run_cycle``)
    run, publish and cancel; staff read the preview and a simulation's comparison."""

    queryset = QualificationCycle.objects.all()
    serializer_class = QualificationCycleSerializer
    filterset_class = scoring_filtersets.QualificationCycleFilterSet
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {
        "run": ["scoring.run_cycle"],
        "publish": ["scoring.run_cycle"],
        "cancel": ["scoring.run_cycle"],
        "preview": ["scoring.view_qualificationcycle"],
        "comparison": ["scoring.view_qualificationcycle"],
    }

    def _staff_only(self, request):
        if not request.user.is_staff:
            raise Http404

    @extend_schema(request=None, responses=QualificationCycleSerializer)
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Claim and enqueue the run (409 while it runs; ``{"force": true}`` takes over a running cycle)."""
        cycle = self.get_object()
        force = str(request.data.get("force", "")).lower() in ("1", "true", "yes")
        cycle = cycles.cycle_start(cycle=cycle, user=request.user, force=force)
        return Response({**self.get_serializer(cycle).data, "task_id": cycle.run_token}, status=202)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        cycle = self.get_object()
        summary = cycles.cycle_publish(cycle=cycle, user=request.user)
        return Response(summary)

    @extend_schema(request=None, responses=QualificationCycleSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        cycle = self.get_object()
        cycle = cycles.cycle_cancel(cycle=cycle, user=request.user)
        return Response(self.get_serializer(cycle).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """Per provider: current and proposed tier, warning, probation, delisting proposal, reasons; counts."""
        self._staff_only(request)
        cycle = self.get_object()
        if cycle.status not in (CycleStatus.COMPUTED, CycleStatus.PUBLISHED):
            raise cycles.conflict("not_computed", _("The cycle has no preview until it is computed."))
        body = cycles.cycle_preview(cycle=cycle)
        for row in body["outcomes"]:
            row["reason_texts"] = reasons.sentences(row["reasons"])
        return Response(jsonable(body))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def comparison(self, request, pk=None):
        """A simulation beside what was published for the same window."""
        self._staff_only(request)
        cycle = self.get_object()
        if cycle.kind != CycleKind.SIMULATION:
            raise cycles.conflict("not_simulation", _("Only a simulation cycle has a comparison."))
        if cycle.status != CycleStatus.COMPUTED:
            raise cycles.conflict("not_computed", _("Run the simulation first."))
        return Response(jsonable(cycles.cycle_comparison(cycle=cycle)))

    @extend_schema(responses=scoring_serializers.ProviderScoreSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="scores")
    def scores(self, request, pk=None):
        cycle = self.get_object()
        queryset = (
            ProviderScore.objects.restrict(request.user)
            .filter(cycle=cycle)
            .prefetch_related("capability_scores")
            .order_by("cohort", "rank", "provider_id")
        )
        filterset = scoring_filtersets.ProviderScoreFilterSet(request.query_params, queryset=queryset, request=request)
        queryset = filterset.qs
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(scoring_serializers.ProviderScoreSerializer(page, many=True).data)


class CycleOutcomeViewSet(RestrictedReadOnlyViewSet):
    """Cycle outcomes: staff see all; a provider user only its own, of published cycles (404 otherwise)."""

    queryset = CycleOutcome.objects.select_related("cycle")
    serializer_class = CycleOutcomeSerializer
    filterset_fields = ["cycle", "provider", "change", "warn", "probation", "delist_proposal"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.is_staff:
            queryset = queryset.filter(cycle__status=CycleStatus.PUBLISHED)
        return queryset


class NotificationViewSet(RestrictedReadOnlyViewSet):
    """A provider's notifications (its users see only their own); ``read`` marks one read."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_fields = ["cycle", "kind", "read"]

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ProviderUserOnly])
    def read(self, request, pk=None):
        note = self.get_object()
        services.notifications_mark_read(user=request.user, notification_ids=[note.pk])  # the one writer
        note.refresh_from_db(fields=["read"])
        return Response(self.get_serializer(note).data)
