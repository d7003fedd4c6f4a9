"""API v1 for strict admission (严准入): `admission-applications` and its review actions."""

from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from core.access import is_provider_user, is_service_account
from core.parsers import JSONParser
from core.viewsets import RestrictedViewSetMixin
from providers.files import DOCUMENT_SIGNATURES

from .. import services
from ..choices import DocumentKind
from ..models import AdmissionApplication, AdmissionDocument
from .serializers import (
    AdmissionApplicationSerializer,
    AdmissionApplicationWriteSerializer,
    AdmissionDocumentSerializer,
    ReasonSerializer,
    UploadSerializer,
)

# What an applicant (authenticated, neither staff nor a provider user) may do; the queryset and the
# services narrow it further to their own applications.
APPLICANT_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "submit", "withdraw", "document"}

# Staff permissions by action (reading needs the view permission, as everywhere).
STAFF_PERMS = {
    "list": ["admission.view_admissionapplication"],
    "retrieve": ["admission.view_admissionapplication"],
    "create": ["admission.add_admissionapplication"],
    "update": ["admission.change_admissionapplication"],
    "partial_update": ["admission.change_admissionapplication"],
    "submit": ["admission.change_admissionapplication"],
    "withdraw": ["admission.change_admissionapplication"],
    "review": ["admission.review_admission"],
    "approve": ["admission.review_admission"],
    "reject": ["admission.review_admission"],
}


class AdmissionPermission(BasePermission):
    """Staff by permission; provider users read (their provider's admission); applicants act on their own;
    service accounts (the data pipeline) nothing.

    The shared RolePermission refuses users who are neither staff nor provider users, which is exactly
    who applicants are, so this viewset has its own rule.
    """

    message = gettext_lazy("You may not do this with admission applications.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_staff:
            if view.action == "document":
                codename = "view" if request.method in SAFE_METHODS else "change"
                return user.has_perm(f"admission.{codename}_admissionapplication")
            perms = STAFF_PERMS.get(view.action)
            if perms is None:  # OPTIONS and anything unlisted
                return request.method in SAFE_METHODS and user.has_perm("admission.view_admissionapplication")
            return user.has_perms(perms)
        if is_service_account(user):  # the pipeline only ingests; it is nobody's applicant
            return False
        if is_provider_user(user):
            if request.method not in SAFE_METHODS:
                self.message = _("You already belong to a provider; admission applications are for new companies.")
                return False
            return True
        return view.action in APPLICANT_ACTIONS or request.method == "OPTIONS"


class AdmissionApplicationViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """严准入 applications: applicants create and submit; reviewers start review, admit or reject."""

    queryset = AdmissionApplication.objects.prefetch_related("documents")
    serializer_class = AdmissionApplicationSerializer
    permission_classes = [AdmissionPermission]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["status", "credit_code", "type"]
    ordering_fields = ["id", "created_at", "submitted_at", "decided_at"]

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return AdmissionApplicationWriteSerializer
        return AdmissionApplicationSerializer

    def _read(self, app, status_code=status.HTTP_200_OK):
        app = self.get_queryset().get(pk=app.pk)
        return Response(AdmissionApplicationSerializer(app, context=self.get_serializer_context()).data, status_code)

    @extend_schema(request=AdmissionApplicationWriteSerializer, responses=AdmissionApplicationSerializer)
    def create(self, request, *args, **kwargs):
        serializer = AdmissionApplicationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        app = services.admission_create(
            created_by=request.user,
            licence_file=data.pop("business_licence", None),
            operators=data.pop("operators", []),
            **data,
        )
        return self._read(app, status.HTTP_201_CREATED)

    @extend_schema(request=AdmissionApplicationWriteSerializer, responses=AdmissionApplicationSerializer)
    def update(self, request, *args, **kwargs):
        app = self.get_object()
        serializer = AdmissionApplicationWriteSerializer(app, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("business_licence", None)
        if "applicant" in data:
            return Response(
                {"code": "applicant_fixed", "message": _("The applicant of an application cannot be changed.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # One transaction: a refused document leaves the fields as they were too.
        with transaction.atomic():
            services.admission_update(application=app, actor=request.user, **data)
            if upload is not None:
                services.admission_attach_document(application=app, actor=request.user, upload=upload)
        return self._read(app)

    def _step(self, request, service, **kwargs):
        app = self.get_object()
        service(application=app, **kwargs)
        return self._read(app)

    @extend_schema(request=None, responses=AdmissionApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """draft → submitted; every automatic check runs and is stored with its evidence."""
        return self._step(request, services.admission_submit, actor=request.user)

    @extend_schema(request=None, responses=AdmissionApplicationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """submitted → under_review (a reviewer who did not create the application)."""
        return self._step(request, services.admission_start_review, reviewer=request.user)

    @extend_schema(request=ReasonSerializer, responses=AdmissionApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """under_review → admitted; refused while any re-run check fails."""
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(
            request, services.admission_approve, reviewer=request.user, reason=body.validated_data["reason"]
        )

    @extend_schema(request=ReasonSerializer, responses=AdmissionApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """under_review → rejected, with a reason (required)."""
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(
            request, services.admission_reject, reviewer=request.user, reason=body.validated_data["reason"]
        )

    @extend_schema(request=None, responses=AdmissionApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """draft | submitted | under_review → withdrawn, by the applicant."""
        return self._step(request, services.admission_withdraw, actor=request.user)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={(200, media_type): OpenApiTypes.BINARY for media_type, _, _ in DOCUMENT_SIGNATURES},
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": UploadSerializer},
        responses={201: AdmissionDocumentSerializer},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def document(self, request, pk=None):
        """GET: download the business licence (staff and the applicant only); POST: upload one to a draft."""
        app = self.get_object()
        user = request.user
        # The licence is the applicant's private paper: a provider's other users do not get it.
        if not user.is_staff and user.pk not in (app.created_by_id, app.applicant_id):
            raise Http404
        if request.method == "POST":
            body = UploadSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            doc = services.admission_attach_document(
                application=app, actor=user, upload=body.validated_data["business_licence"]
            )
            return Response(AdmissionDocumentSerializer(doc).data, status=status.HTTP_201_CREATED)
        doc = (
            AdmissionDocument.objects.filter(application=app, kind=DocumentKind.BUSINESS_LICENCE)
            .order_by("-id")
            .first()
        )
        if doc is None:
            raise Http404
        extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(doc.content_type, "")
        response = FileResponse(
            doc.file.open("rb"),
            as_attachment=True,
            filename=f"business-licence-{app.pk}{extension}",
            content_type=doc.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
