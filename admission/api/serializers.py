"""Serializers of the admission API: an application as read back, the fields an applicant fills in, step bodies."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from ..checks import applicant_view
from ..choices import DocumentKind
from ..models import AdmissionApplication, AdmissionDocument


class AdmissionDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdmissionDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class AdmissionApplicationSerializer(serializers.ModelSerializer):
    """An application as read back, with its check results and the facts of its business licence."""

    operators = serializers.ListField(child=serializers.CharField(), source="proposed_operators", read_only=True)
    business_licence = serializers.SerializerMethodField()
    checks = serializers.SerializerMethodField()

    class Meta:
        model = AdmissionApplication
        fields = [
            "id",
            "company_name",
            "credit_code",
            "type",
            "province",
            "city",
            "registered_capital",
            "deposit_amount",
            "operators",
            "licence_expires_on",
            "business_licence",
            "status",
            "checks",
            "checks_run_at",
            "created_by",
            "applicant",
            "reviewer",
            "decided_by",
            "decision_reason",
            "provider",
            "created_at",
            "updated_at",
            "submitted_at",
            "review_started_at",
            "decided_at",
            "withdrawn_at",
        ]
        read_only_fields = fields

    def get_checks(self, obj) -> list[dict]:
        """Staff read every check's full evidence; anyone else pass/fail and what the application supplied."""
        request = self.context.get("request")
        if request is not None and request.user.is_staff:
            return obj.checks
        return [applicant_view(result) for result in obj.checks]

    def get_business_licence(self, obj) -> dict | None:
        docs = [d for d in obj.documents.all() if d.kind == DocumentKind.BUSINESS_LICENCE]
        if not docs:
            return None
        return AdmissionDocumentSerializer(max(docs, key=lambda d: d.pk)).data


class AdmissionApplicationWriteSerializer(serializers.ModelSerializer):
    """Fields an applicant fills in; multipart may carry the business licence file."""

    # Platform user ids, kept as supplied: whether one names a registered operator is for the check (and staff).
    operators = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=100)
    business_licence = serializers.FileField(required=False, write_only=True, allow_empty_file=True)
    applicant = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = AdmissionApplication
        fields = [
            "company_name",
            "credit_code",
            "type",
            "province",
            "city",
            "registered_capital",
            "deposit_amount",
            "operators",
            "licence_expires_on",
            "business_licence",
            "applicant",
        ]

    def validate_credit_code(self, value):
        return value.strip().upper()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class UploadSerializer(serializers.Serializer):
    business_licence = serializers.FileField(allow_empty_file=True)
