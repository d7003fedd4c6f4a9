"""API v1 serializers of settlement."""

from rest_framework import serializers

from ..models import (
    AgreementVersion,
    Payout,
    ServiceAgreement,
    SettlementRun,
    Statement,
    StatementLine,
    StatementSession,
    UnsettledSession,
)


class AgreementVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementVersion
        fields = ["id", "effective_from", "fixed_fee_monthly", "commission_rate", "uplift_bonus_rate", "created_at"]


class AgreementVersionWriteSerializer(serializers.Serializer):
    # Plain fields: the service validates ranges and answers with field errors, nothing written.
    effective_from = serializers.DateField()
    fixed_fee_monthly = serializers.CharField()
    commission_rate = serializers.CharField()
    uplift_bonus_rate = serializers.CharField()


class ServiceAgreementSerializer(serializers.ModelSerializer):
    versions = AgreementVersionSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceAgreement
        fields = ["id", "provider", "engagement", "note", "created_at", "versions"]


class ServiceAgreementWriteSerializer(serializers.Serializer):
    provider = serializers.IntegerField()
    engagement = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    versions = AgreementVersionWriteSerializer(many=True, required=False)


class StatementLineSerializer(serializers.ModelSerializer):
    is_adjustment = serializers.SerializerMethodField()

    class Meta:
        model = StatementLine
        fields = [
            "id",
            "position",
            "kind",
            "for_month",
            "is_adjustment",
            "engagement",
            "carried_from",
            "amount",
            "exact",
            "sessions",
        ]

    def get_is_adjustment(self, line) -> bool:
        return line.kind != "carried" and line.for_month != self.context["month"]


class StatementSerializer(serializers.ModelSerializer):
    payable = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    approvals = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "provider",
            "month",
            "version",
            "replaces",
            "state",
            "tier",
            "incentive_share",
            "total",
            "payable",
            "created_at",
            "confirm_by",
            "confirmed_at",
            "disputed_at",
            "dispute_reason",
            "voided_at",
            "resolution",
            "approved_at",
            "approvals",
            "invoice_number",
            "paid_at",
            "payment_reference",
        ]

    def get_approvals(self, statement) -> list[int]:
        return [a.approver_id for a in statement.approvals.all()]


class StatementDetailSerializer(StatementSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]

    def get_lines(self, statement) -> list[dict]:
        return StatementLineSerializer(statement.lines.all(), many=True, context={"month": statement.month}).data


class StatementSessionSerializer(serializers.ModelSerializer):
    started_at = serializers.DateTimeField(source="session.started_at")
    external_id = serializers.CharField(source="session.external_id")
    gmv = serializers.DecimalField(source="session.gmv", max_digits=16, decimal_places=2)
    refund_amount = serializers.DecimalField(source="session.refund_amount", max_digits=16, decimal_places=2)

    class Meta:
        model = StatementSession
        fields = [
            "session",
            "external_id",
            "started_at",
            "engagement",
            "for_month",
            "gmv",
            "refund_amount",
            "net_gmv",
            "commission_rate",
            "uplift_bonus_rate",
            "baseline",
            "commission",
            "uplift_bonus",
        ]


class UnsettledSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnsettledSession
        fields = ["session", "engagement", "reason"]


class StatementDisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class StatementResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True)


class StatementInvoiceSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(allow_blank=True)


class StatementRunRequestSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")


class SettlementRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SettlementRun
        fields = ["id", "month", "started_by", "created_at", "statements"]


class PayoutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payout
        fields = ["id", "statement", "amount", "status", "idempotency_key", "requested_at", "paid_at", "reference"]


class PayoutRequestSerializer(serializers.Serializer):
    statement = serializers.IntegerField()


class PayoutPaidSerializer(serializers.Serializer):
    reference = serializers.CharField(allow_blank=True)
