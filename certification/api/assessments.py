"""API v1 operator certification: assessments (record, read) and granting/renewing operator certificates."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.dates import shanghai_today
from core.viewsets import RestrictedViewSetMixin
from providers.models import Operator

from .. import operators as services
from ..models import Certificate, OperatorAssessment
from .appeals import person
from .serializers import CertificateSerializer


class OperatorAssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.SerializerMethodField()

    class Meta:
        model = OperatorAssessment
        fields = ["id", "operator", "score", "assessed_on", "assessor", "notes", "created_at"]
        read_only_fields = ["id", "assessor", "created_at"]

    def get_assessor(self, obj) -> str:
        return person(self, obj.assessor)


class OperatorAssessmentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Assessments: staff with certification.add_operatorassessment record them; a provider user reads
    those of the operators it employs today."""

    queryset = OperatorAssessment.objects.select_related("assessor")
    serializer_class = OperatorAssessmentSerializer
    filterset_fields = ["operator", "assessed_on"]
    ordering_fields = ["assessed_on", "score"]

    def perform_create(self, serializer):
        serializer.instance = services.operator_assessment_record(
            assessor=self.request.user, **serializer.validated_data
        )


class GrantSerializer(serializers.Serializer):
    operator = serializers.PrimaryKeyRelatedField(queryset=Operator.objects.all())
    level = serializers.ChoiceField(choices=["junior", "intermediate", "senior"])


class RenewSerializer(serializers.Serializer):
    certificate = serializers.PrimaryKeyRelatedField(queryset=Certificate.objects.filter(kind="operator"))


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    checks = serializers.ListField(child=serializers.DictField())


class OperatorCertificationViewSet(viewsets.GenericViewSet):
    """POST operator-certificates/grant/ and /renew/ (staff who assess operators); GET …/eligibility/."""

    queryset = Certificate.objects.none()
    serializer_class = CertificateSerializer
    action_permissions = {
        "grant": [services.RECORD_ASSESSMENT],
        "renew": [services.RECORD_ASSESSMENT],
        "eligibility": [services.RECORD_ASSESSMENT],
    }

    @extend_schema(request=GrantSerializer, responses={201: CertificateSerializer})
    @action(detail=False, methods=["post"])
    def grant(self, request):
        """Grant an operator certificate of a level when the assessment, sessions and time-at-level rules hold."""
        body = GrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = services.operator_certificate_grant(granted_by=request.user, **body.validated_data)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RenewSerializer, responses={201: CertificateSerializer})
    @action(detail=False, methods=["post"])
    def renew(self, request):
        """Renew an operator certificate (opens 6 months before its last day)."""
        body = RenewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = services.operator_certificate_renew(
            certificate=body.validated_data["certificate"], renewed_by=request.user
        )
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GrantSerializer, responses=EligibilitySerializer)
    @action(detail=False, methods=["post"])
    def eligibility(self, request):
        """Every requirement of a level for an operator today, pass/fail with evidence (nothing is written)."""
        body = GrantSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        return Response(services.operator_eligibility(today=shanghai_today(), **body.validated_data))
