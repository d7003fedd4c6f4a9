"""API v1 viewsets of the certification app: decisions (+ approve/reject), certificates, rule sets."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import ProviderUserOnly
from core.viewsets import RestrictedModelViewSet, RestrictedReadOnlyViewSet

from .. import services
from ..filtersets import CertificateFilterSet, DecisionFilterSet
from ..models import Certificate, Decision, DecisionApproval, RuleSet
from ..selectors import decision_read_q
from .serializers import (
    CertificateSerializer,
    DecisionRejectSerializer,
    DecisionSerializer,
    RuleSetSerializer,
)


class DecisionViewSet(RestrictedReadOnlyViewSet):
    """The decision ledger (read-only); pending delisting proposals are approved or rejected here; a provider's users
    mark a decision about their provider ``read`` (its inbox; the ledger itself is not written)."""

    queryset = Decision.objects.select_related("decided_by").prefetch_related(
        Prefetch("approvals", queryset=DecisionApproval.objects.select_related("approver").order_by("id")),
        Prefetch("followups", queryset=Decision.objects.order_by("seq")),
    )
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    ordering_fields = ["seq", "effective_at"]
    action_permissions = {
        "approve": ["certification.approve_delisting"],
        "reject": ["certification.approve_delisting"],
    }

    def get_queryset(self):
        return super().get_queryset().annotate(read=decision_read_q())

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ProviderUserOnly])
    def read(self, request, pk=None):
        """Mark a decision about the user's provider read (an appeal's outcome is its decision); staff may not."""
        decision = self.get_object()
        services.decisions_mark_read(user=request.user, decision_ids=[decision.pk])
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data)

    @extend_schema(request=None, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a pending delisting; the second distinct approver (not the maker) makes it effective."""
        decision = self.get_object()
        services.decision_approve(decision=decision, approver=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data)

    @extend_schema(request=DecisionRejectSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Turn a pending delisting proposal down (a new `rejected` decision refers to it)."""
        decision = self.get_object()
        body = DecisionRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.decision_reject(
            decision=decision,
            reviewer=request.user,
            reason_text=body.validated_data["reason_text"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data)


class CertificateViewSet(RestrictedReadOnlyViewSet):
    """Certificates: a provider user sees its own and those of the operators it employs today."""

    queryset = Certificate.objects.select_related("provider", "operator")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    ordering_fields = ["valid_from", "valid_until", "number"]


class RuleSetViewSet(RestrictedModelViewSet):
    """Rule set versions: staff with certification.add_ruleset create; a version a cycle used is frozen."""

    queryset = RuleSet.objects.select_related("created_by")
    serializer_class = RuleSetSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["version"]

    def perform_create(self, serializer):
        serializer.instance = services.ruleset_create(created_by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.ruleset_update(ruleset=serializer.instance, **serializer.validated_data)
