"""API v1 of the playbook app: `playbooks`, `operation-plans` (+ tick, untick, fill-diagnosis, ready, link-stream,
cancel), `reviews` (+ notes), `operator-record-consents`."""

from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.errors import Refusal
from core.filtersets import FilterSet
from core.parsers import JSONParser
from core.permissions import RolePermission
from core.viewsets import RestrictedViewSetMixin
from providers.models import Engagement, Operator

from .. import services
from ..models import ItemTick, OperationPlan, OperatorRecordConsent, Playbook, PlaybookItem, PlaybookStage, Review
from ..selectors import plans_with_progress
from .serializers import (
    ConsentCreateSerializer,
    ItemRefSerializer,
    NotesSerializer,
    OperationPlanCreateSerializer,
    OperationPlanDetailSerializer,
    OperationPlanSerializer,
    OperatorRecordConsentSerializer,
    PlaybookSerializer,
    PlaybookUpdateSerializer,
    ReviewSerializer,
    StreamSerializer,
    TickSerializer,
)


class PlaybookViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Playbook versions: everyone signed in reads them; staff with the permission add a version (stages and
    items in one body) or rename one that no plan pinned yet."""

    queryset = Playbook.objects.prefetch_related(
        Prefetch("stages", queryset=PlaybookStage.objects.order_by("position").prefetch_related("items"))
    ).annotate(pinned=Exists(OperationPlan.objects.filter(playbook=OuterRef("pk"))))
    serializer_class = PlaybookSerializer
    permission_classes = [RolePermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=PlaybookSerializer, responses={201: PlaybookSerializer})
    def create(self, request, *args, **kwargs):
        body = PlaybookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        playbook = services.playbook_create(
            actor=request.user, name=data["name"], notes=data.get("notes", ""), stages=request.data.get("stages", [])
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=playbook.pk)).data, status.HTTP_201_CREATED)

    @extend_schema(request=PlaybookUpdateSerializer, responses=PlaybookSerializer)
    def partial_update(self, request, *args, **kwargs):
        playbook = self.get_object()
        body = PlaybookUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.playbook_update(playbook=playbook, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=playbook.pk)).data)


class OperationPlanFilterSet(FilterSet):
    class Meta:
        model = OperationPlan
        fields = {"status": ["exact"], "engagement": ["exact"], "provider": ["exact"], "planned_date": ["gte", "lte"]}


def _no_engagement():
    message = _("No engagement of your provider has this id.")
    return Refusal("no_such_engagement", message, errors={"engagement": [message]})


class OperationPlanViewSet(
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Operation plans (操盘标准化): a provider's users create and run them; staff read them."""

    queryset = OperationPlan.objects.all()
    serializer_class = OperationPlanSerializer
    permission_classes = [RolePermission]
    filterset_class = OperationPlanFilterSet
    ordering_fields = ["planned_date", "id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    provider_actions = ("create", "tick", "untick", "fill_diagnosis", "ready", "link_stream", "cancel")

    def get_queryset(self):
        plans = plans_with_progress(super().get_queryset())
        if self.action == "retrieve":
            plans = plans.prefetch_related(
                Prefetch("ticks", queryset=ItemTick.objects.select_related("item", "ticked_by", "file"))
            )
        return plans

    def get_serializer_class(self):
        return OperationPlanDetailSerializer if self.action != "list" else OperationPlanSerializer

    def _read(self, plan, code=status.HTTP_200_OK):
        plan = plans_with_progress(OperationPlan.objects.filter(pk=plan.pk)).prefetch_related(
            Prefetch("ticks", queryset=ItemTick.objects.select_related("item", "ticked_by", "file"))
        )[0]
        return Response(OperationPlanDetailSerializer(plan, context=self.get_serializer_context()).data, code)

    @extend_schema(request=OperationPlanCreateSerializer, responses={201: OperationPlanDetailSerializer})
    def create(self, request, *args, **kwargs):
        """A plan for one of your engagements; another provider's engagement reads like one that does not exist."""
        body = OperationPlanCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        engagement = Engagement.objects.restrict(request.user).filter(pk=data.pop("engagement")).first()
        if engagement is None:
            raise _no_engagement()
        operator = Operator.objects.restrict(request.user).filter(pk=data.pop("lead_operator")).first()
        if operator is None:
            message = _("Your provider does not employ this operator on that date.")
            raise Refusal("operator_not_employed", message, errors={"lead_operator": [message]})
        playbook_id = data.pop("playbook", None)
        playbook = None
        if playbook_id is not None:
            playbook = Playbook.objects.filter(pk=playbook_id).first()
            if playbook is None:
                message = _("No playbook has this id.")
                raise Refusal("no_such_playbook", message, errors={"playbook": [message]})
        plan = services.plan_create(
            actor=request.user, engagement=engagement, lead_operator=operator, playbook=playbook, **data
        )
        return self._read(plan, status.HTTP_201_CREATED)

    def _item(self, plan, item_id) -> PlaybookItem:
        item = PlaybookItem.objects.select_related("stage").filter(pk=item_id, stage__playbook_id=plan.playbook_id)
        item = item.first()
        if item is None:
            message = _("This item is not in the plan's playbook version.")
            raise Refusal("item_not_in_playbook", message, errors={"item": [message]})
        return item

    @extend_schema(
        request={"multipart/form-data": TickSerializer, "application/json": TickSerializer},
        responses=OperationPlanDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def tick(self, request, pk=None):
        """Tick an item with what it needs: text, number, file (multipart) or stream (external_id)."""
        plan = self.get_object()
        body = TickSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.plan_tick(
            plan=plan,
            item=self._item(plan, data["item"]),
            actor=request.user,
            text=data["text"],
            number=data["number"] or None,
            upload=data.get("file"),
            stream=data["stream"],
        )
        return self._read(plan)

    @extend_schema(request=ItemRefSerializer, responses=OperationPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def untick(self, request, pk=None):
        plan = self.get_object()
        body = ItemRefSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.plan_untick(plan=plan, item=self._item(plan, body.validated_data["item"]), actor=request.user)
        return self._read(plan)

    @extend_schema(request=None, responses=OperationPlanDetailSerializer)
    @action(detail=True, methods=["post"], url_path="fill-diagnosis")
    def fill_diagnosis(self, request, pk=None):
        """One click: the merchant's last 7 days beside its category's medians into the diagnosis stage."""
        plan = self.get_object()
        services.plan_fill_diagnosis(plan=plan, actor=request.user)
        return self._read(plan)

    @extend_schema(request=None, responses=OperationPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def ready(self, request, pk=None):
        """preparing → ready for the live stage; 409 while a required item is open (listed in errors.items)."""
        plan = self.get_object()
        services.plan_mark_ready(plan=plan, actor=request.user)
        return self._read(plan)

    @extend_schema(request=StreamSerializer, responses=OperationPlanDetailSerializer)
    @action(detail=True, methods=["post"], url_path="link-stream")
    def link_stream(self, request, pk=None):
        """Link the stream (its external_id); the review follows when its final row is ingested."""
        plan = self.get_object()
        body = StreamSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.plan_link_stream(plan=plan, actor=request.user, external_id=body.validated_data["external_id"])
        return self._read(plan)

    @extend_schema(request=None, responses=OperationPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        plan = self.get_object()
        services.plan_cancel(plan=plan, actor=request.user)
        return self._read(plan)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_id>\d+)")
    def file(self, request, pk=None, file_id=None):
        """Download a tick's file (staff and the plan's provider's users)."""
        plan = self.get_object()
        stored = plan.files.filter(pk=file_id).first()
        if stored is None:
            raise Http404
        extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(stored.content_type, "")
        response = FileResponse(
            stored.file.open("rb"),
            as_attachment=True,
            filename=f"plan-{plan.pk}-{stored.pk}{extension}",
            content_type=stored.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ReviewViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews (复盘), made by the refresh job; the plan's provider writes the operator's notes."""

    queryset = Review.objects.select_related("plan", "session")
    serializer_class = ReviewSerializer
    permission_classes = [RolePermission]
    filterset_fields = ["plan"]
    provider_actions = ("notes",)

    @extend_schema(request=NotesSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        review = self.get_object()
        body = NotesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_set_notes(review=review, actor=request.user, notes=body.validated_data["notes"])
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)


class OperatorRecordConsentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A provider's opt-ins to publish its operators' records (操盘履历)."""

    queryset = OperatorRecordConsent.objects.select_related("operator")
    serializer_class = OperatorRecordConsentSerializer
    permission_classes = [RolePermission]
    provider_actions = ("create", "destroy")

    @extend_schema(request=ConsentCreateSerializer, responses={201: OperatorRecordConsentSerializer})
    def create(self, request, *args, **kwargs):
        body = ConsentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        operator = Operator.objects.restrict(request.user).filter(pk=body.validated_data["operator"]).first()
        if operator is None:
            message = _("Your provider does not employ this operator today.")
            raise Refusal("operator_not_employed", message, errors={"operator": [message]})
        consent = services.record_consent_give(actor=request.user, operator=operator)
        return Response(self.get_serializer(consent).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.record_consent_withdraw(consent=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
