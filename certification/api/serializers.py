"""API v1 serializers of the certification app."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..choices import DecisionStatus
from ..models import Certificate, Decision, DecisionApproval, RuleSet
from ..services import ruleset_is_used


def _viewer_is_staff(serializer) -> bool:
    request = serializer.context.get("request")
    return bool(request and request.user.is_staff)


# Provider users learn that a person decided, not which staff member (their logins are internal).
STAFF_PLACEHOLDER = "staff"


class DecisionApprovalSerializer(serializers.ModelSerializer):
    approver = serializers.SerializerMethodField()

    class Meta:
        model = DecisionApproval
        fields = ["approver", "approved_at"]

    def get_approver(self, obj) -> str:
        return obj.approver.username if _viewer_is_staff(self) else STAFF_PLACEHOLDER


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.SerializerMethodField()
    approvals = DecisionApprovalSerializer(many=True, read_only=True)
    resolution = serializers.SerializerMethodField(help_text="For a pending proposal: pending, effective or rejected.")
    read = serializers.BooleanField(
        read_only=True, help_text="Whether the provider's users have read it (their inbox; POST read/ marks it)."
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "seq",
            "kind",
            "status",
            "resolution",
            "provider",
            "operator",
            "subject_type",
            "subject_id",
            "cycle",
            "reason_code",
            "reason_text",
            "evidence",
            "decided_by",
            "approvals",
            "refers_to",
            "effective_at",
            "created_at",
            "prev_hash",
            "hash",
            "read",
        ]
        read_only_fields = fields

    def get_decided_by(self, obj) -> str | None:
        """Username of the maker; null means the system."""
        if not obj.decided_by_id:
            return None
        return obj.decided_by.username if _viewer_is_staff(self) else STAFF_PLACEHOLDER

    def get_resolution(self, obj) -> str:
        if obj.status != DecisionStatus.PENDING:
            return obj.status
        resolved = [d for d in obj.followups.all() if d.kind == obj.kind and d.status != DecisionStatus.PENDING]
        return resolved[0].status if resolved else DecisionStatus.PENDING


class DecisionRejectSerializer(serializers.Serializer):
    reason_text = serializers.CharField(required=False, allow_blank=True, default="")


class CertificateSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "kind",
            "level",
            "provider",
            "operator",
            "holder_name",
            "valid_from",
            "valid_until",
            "status",
            "supersedes",
            "decision",
            "created_at",
        ]
        read_only_fields = fields


class RuleSetSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None, allow_null=True)
    in_use = serializers.SerializerMethodField()

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "version",
            "name",
            "description",
            "l1_overall",
            "l2_overall",
            "l3_overall",
            "l4_overall",
            "l4_min_capability",
            "l5_overall",
            "l5_min_capability",
            "l5_min_percentile",
            "demotion_hysteresis",
            "warn_percentile_below",
            "warn_overall_below",
            "warn_unranked_cycles",
            "probation_consecutive_warnings",
            "probation_fix_by_cycles",
            "delist_on_warning_in_probation",
            "delist_on_serious_violation",
            "created_by",
            "created_at",
            "in_use",
        ]
        read_only_fields = ["id", "created_by", "created_at", "in_use"]
        extra_kwargs = {"version": {"required": False, "validators": []}}

    def get_in_use(self, obj) -> bool:
        return ruleset_is_used(obj)

    def validate(self, attrs):
        # The model's checks (bars ascending, ranges) as field errors before any write.
        candidate = copy.copy(self.instance) if self.instance is not None else RuleSet()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs
