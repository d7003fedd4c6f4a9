"""API v1 of settlement: service agreements (+ versions), statements (+ confirm, dispute, resolve, approve,
invoice, lines, sessions, csv), statement runs, payouts (+ paid), balances."""

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.access import is_provider_user, is_service_account, provider_id_of
from core.errors import Refusal
from core.viewsets import RestrictedReadOnlyViewSet, RestrictedViewSetMixin
from providers.models import Engagement, Provider

from .. import selectors, services
from ..filtersets import PayoutFilterSet, StatementFilterSet
from ..models import AgreementVersion, Payout, ServiceAgreement, Statement, StatementApproval, StatementLine
from ..tasks import make_statements_task
from . import serializers as s

FINANCE = ["settlement.finance_statement"]


class ServiceAgreementViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Agreements of engagements, with their versions; staff (admission reviewers) record them."""

    queryset = ServiceAgreement.objects.prefetch_related(
        Prefetch("versions", queryset=AgreementVersion.objects.order_by("effective_from"))
    )
    serializer_class = s.ServiceAgreementSerializer
    filterset_fields = ["provider", "engagement"]
    action_permissions = {"versions": ["settlement.add_agreementversion"]}

    @extend_schema(request=s.ServiceAgreementWriteSerializer, responses=s.ServiceAgreementSerializer)
    def create(self, request, *args, **kwargs):
        body = s.ServiceAgreementWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        provider = Provider.objects.filter(pk=data["provider"]).first()
        engagement = Engagement.objects.filter(pk=data["engagement"]).first()
        errors = {}
        if provider is None:
            errors["provider"] = [_("No such provider.")]
        if engagement is None:
            errors["engagement"] = [_("No such engagement.")]
        if errors:
            raise Refusal("invalid_agreement", _("The agreement is not valid."), errors=errors)
        with transaction.atomic():
            agreement = services.agreement_create(
                provider=provider, engagement=engagement, created_by=request.user, note=data.get("note", "")
            )
            for version in data.get("versions", []):
                services.agreement_version_add(agreement=agreement, created_by=request.user, **version)
        return Response(self.get_serializer(self.get_queryset().get(pk=agreement.pk)).data, status.HTTP_201_CREATED)

    @extend_schema(request=s.AgreementVersionWriteSerializer, responses=s.AgreementVersionSerializer)
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        """Add a version in force from its date (one version per date; rates 0–0.9)."""
        agreement = self.get_object()
        body = s.AgreementVersionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.agreement_version_add(agreement=agreement, created_by=request.user, **body.validated_data)
        return Response(s.AgreementVersionSerializer(version).data, status.HTTP_201_CREATED)


class StatementViewSet(RestrictedReadOnlyViewSet):
    """Monthly statements: providers confirm or dispute within 7 days; finance resolves, approves, invoices."""

    queryset = Statement.objects.prefetch_related(
        Prefetch("approvals", queryset=StatementApproval.objects.order_by("id"))
    )
    serializer_class = s.StatementSerializer
    filterset_class = StatementFilterSet
    ordering_fields = ["month", "id", "total"]
    provider_actions = ("confirm", "dispute")
    action_permissions = {
        "confirm": ["settlement.view_statement"],
        "dispute": ["settlement.view_statement"],
        "resolve": FINANCE,
        "approve": FINANCE,
        "invoice": FINANCE,
        "lines": ["settlement.view_statementline"],
        "line_sessions": ["settlement.view_statementsession"],
        "csv": ["settlement.view_statement"],
    }

    def get_serializer_class(self):
        return s.StatementDetailSerializer if self.action == "retrieve" else s.StatementSerializer

    def _answer(self, statement, code=status.HTTP_200_OK):
        return Response(s.StatementSerializer(self.get_queryset().get(pk=statement.pk)).data, code)

    def _provider_only(self):
        if not is_provider_user(self.request.user):
            raise PermissionDenied(_("Only the provider's own users confirm or dispute its statements."))

    @extend_schema(request=None, responses=s.StatementSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        self._provider_only()
        return self._answer(services.statement_confirm(statement=self.get_object(), user=request.user))

    @extend_schema(request=s.StatementDisputeSerializer, responses=s.StatementSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        self._provider_only()
        body = s.StatementDisputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statement = services.statement_dispute(
            statement=self.get_object(), user=request.user, reason=body.validated_data["reason"]
        )
        return self._answer(statement)

    @extend_schema(request=s.StatementResolveSerializer, responses=s.StatementSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Void the disputed statement (reversing entries) and answer with its replacement version."""
        body = s.StatementResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        replacement = services.statement_resolve(
            statement=self.get_object(), user=request.user, resolution=body.validated_data["resolution"]
        )
        return self._answer(replacement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.StatementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._answer(services.statement_approve(statement=self.get_object(), user=request.user))

    @extend_schema(request=s.StatementInvoiceSerializer, responses=s.StatementSerializer)
    @action(detail=True, methods=["post"])
    def invoice(self, request, pk=None):
        body = s.StatementInvoiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statement = services.statement_invoice_record(
            statement=self.get_object(), user=request.user, invoice_number=body.validated_data["invoice_number"]
        )
        return self._answer(statement)

    @extend_schema(responses=s.StatementLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        statement = self.get_object()
        page = self.paginate_queryset(statement.lines.order_by("position"))
        return self.get_paginated_response(
            s.StatementLineSerializer(page, many=True, context={"month": statement.month}).data
        )

    @extend_schema(responses=s.StatementSessionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path=r"lines/(?P<position>\d+)/sessions")
    def line_sessions(self, request, pk=None, position=None):
        """The sessions a line rests on."""
        statement = self.get_object()
        line = get_object_or_404(StatementLine, statement=statement, position=int(position))
        page = self.paginate_queryset(selectors.line_sessions(line))
        return self.get_paginated_response(s.StatementSessionSerializer(page, many=True).data)

    @extend_schema(responses={(200, "text/csv"): bytes})
    @action(detail=True, methods=["get"])
    def csv(self, request, pk=None):
        """The statement's lines as CSV with a UTF-8 BOM: the lines endpoint's fields and values (codes, ISO dates,
        plain decimals), then the total. (The portal's CSV export has the figures for people.)"""
        statement = self.get_object()
        fields = s.StatementLineSerializer.Meta.fields
        lines = s.StatementLineSerializer(
            statement.lines.order_by("position"), many=True, context={"month": statement.month}
        ).data
        total = s.StatementSerializer().fields["total"].to_representation(statement.total)
        body = selectors.lines_csv(
            fields,
            ([line[f] for f in fields] for line in lines),
            ["total" if f == "kind" else total if f == "amount" else "" for f in fields],
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{selectors.statement_filename(statement)}"'
        return response


class StatementRunViewSet(viewsets.GenericViewSet):
    """Staff make the statements of a chosen month (on a worker; once per provider and month)."""

    queryset = Statement.objects.none()
    serializer_class = s.StatementRunRequestSerializer
    action_permissions = {"create": ["settlement.run_settlement"]}

    @extend_schema(request=s.StatementRunRequestSerializer, responses={202: None})
    def create(self, request):
        body = s.StatementRunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        month = services.parse_month(body.validated_data["month"])
        start, end = services.month_bounds(month)
        if end > timezone.now():
            raise Refusal(
                "month_not_over",
                _("The statements of %(month)s can be made once the month is over.") % {"month": f"{month:%Y-%m}"},
                status=409,
            )
        result = make_statements_task.apply_async(kwargs={"month": f"{month:%Y-%m}", "started_by_id": request.user.pk})
        return Response({"month": f"{month:%Y-%m}", "task_id": result.id}, status.HTTP_202_ACCEPTED)


class PayoutViewSet(RestrictedReadOnlyViewSet):
    """Payout requests (finance, with an Idempotency-Key) and the payment system's report (`paid`)."""

    queryset = Payout.objects.all()
    serializer_class = s.PayoutSerializer
    filterset_class = PayoutFilterSet
    action_permissions = {
        "create": FINANCE,
        "paid": ["settlement.report_payment"],
        "list": ["settlement.view_payout"],
        "retrieve": ["settlement.view_payout"],
    }

    def get_queryset(self):
        user = self.request.user
        if is_service_account(user) and user.has_perm("settlement.report_payment"):
            return Payout.objects.all()  # the payment system reports on every payout it is sent
        return super().get_queryset()

    @extend_schema(
        request=s.PayoutRequestSerializer,
        responses={201: s.PayoutSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
    )
    def create(self, request):
        body = s.PayoutRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        code, answer = services.payout_request(
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            body=dict(request.data),
            user=request.user,
        )
        return Response(answer, code)

    @extend_schema(request=s.PayoutPaidSerializer, responses=s.PayoutSerializer)
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        body = s.PayoutPaidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payout = services.payout_report_paid(
            payout=self.get_object(), user=request.user, reference=body.validated_data["reference"]
        )
        return Response(s.PayoutSerializer(payout).data)


class BalanceViewSet(viewsets.GenericViewSet):
    """Balances per account and provider (one query); a provider user sees its own."""

    queryset = Statement.objects.none()
    action_permissions = {"list": ["settlement.view_journalleg"]}

    @extend_schema(responses={200: None})
    def list(self, request):
        provider_id = provider_id_of(request.user)
        if not request.user.is_staff and provider_id is None:
            raise PermissionDenied()
        if request.user.is_staff and request.query_params.get("provider"):
            try:
                provider_id = int(request.query_params["provider"])
            except ValueError:
                raise Refusal("invalid_provider", _("A provider id is a whole number.")) from None
        return Response(selectors.balances(provider_id=provider_id))
