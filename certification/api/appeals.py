"""API v1 appeals (申诉): list/retrieve (restricted), file (provider users; staff on a provider's behalf), decide."""

from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.filtersets import FilterSet
from core.parsers import JSONParser
from core.viewsets import RestrictedModelViewSet

from .. import appeals as services
from ..models import Appeal, AppealAttachment, Decision
from .serializers import STAFF_PLACEHOLDER


def person(serializer, user) -> str | None:
    """Staff logins are internal: provider users read "staff" for them."""
    if user is None:
        return None
    request = serializer.context.get("request")
    if user.is_staff and not (request and request.user.is_staff):
        return STAFF_PLACEHOLDER
    return user.username


class AppealAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppealAttachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    decision_seq = serializers.IntegerField(source="decision.seq", read_only=True)
    decision_kind = serializers.CharField(source="decision.kind", read_only=True)
    filed_by = serializers.SerializerMethodField()
    reviewer = serializers.SerializerMethodField()
    attachments = AppealAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "decision",
            "decision_seq",
            "decision_kind",
            "provider",
            "parent",
            "filed_by",
            "statement",
            "status",
            "filed_at",
            "due_by",
            "overdue",
            "reviewer",
            "decided_at",
            "decision_reason",
            "outcome",
            "attachments",
        ]
        read_only_fields = fields

    def get_filed_by(self, obj) -> str:
        return person(self, obj.filed_by)

    def get_reviewer(self, obj) -> str | None:
        return person(self, obj.reviewer)


class AppealCreateSerializer(serializers.Serializer):
    decision = serializers.IntegerField(help_text="Id of the decision appealed (one of your provider's).")
    statement = serializers.CharField()
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="PDF/JPEG/PNG, ≤ 10 MB each, ≤ 5."
    )


class AppealDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["upheld", "overturned"], help_text="upheld: the decision stands; overturned: it is reversed."
    )
    reason = serializers.CharField()


class AppealFilterSet(FilterSet):
    class Meta:
        model = Appeal
        fields = ["status", "provider", "decision", "overdue", "parent"]


class AppealViewSet(RestrictedModelViewSet):
    """Appeals of decisions; a provider user sees and files only its own provider's."""

    queryset = Appeal.objects.select_related("decision", "filed_by", "reviewer").prefetch_related("attachments")
    serializer_class = AppealSerializer
    filterset_class = AppealFilterSet
    ordering_fields = ["filed_at", "due_by"]
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    provider_actions = ("create",)
    action_permissions = {"decide": [services.DECIDE_APPEAL]}

    @extend_schema(
        request={"multipart/form-data": AppealCreateSerializer, "application/json": AppealCreateSerializer},
        responses={201: AppealSerializer},
    )
    def create(self, request, *args, **kwargs):
        """File an appeal (multipart for attachments). Another provider's decision answers 404."""
        body = AppealCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = Decision.objects.restrict(request.user).filter(pk=body.validated_data["decision"]).first()
        if decision is None:
            raise Http404
        appeal = services.appeal_file(
            decision=decision,
            filed_by=request.user,
            statement=body.validated_data["statement"],
            attachments=request.FILES.getlist("attachments"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=appeal.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AppealDecideSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Decide an open appeal (appeal reviewers who neither made nor approved the decision)."""
        appeal = self.get_object()
        body = AppealDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.appeal_decide(appeal=appeal, reviewer=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=appeal.pk)).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        """Download one attachment (staff and the appealing provider's users)."""
        appeal = self.get_object()
        item = appeal.attachments.filter(pk=attachment_id).first()
        if item is None:
            raise Http404
        extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(item.content_type, "")
        response = FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=f"appeal-{appeal.pk}-{item.pk}{extension}",
            content_type=item.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
