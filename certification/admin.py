"""Admin of the certification app: the ledger is read-only; writes go through services."""

from django.contrib import admin

from providers.admin import ServiceAdmin
from providers.models import Violation

from . import violations
from .models import Certificate, CycleOutcome, CycleRules, Decision, DecisionApproval, Notification, RuleSet


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionApprovalInline(admin.TabularInline):
    model = DecisionApproval
    extra = 0
    can_delete = False
    readonly_fields = ["approver", "approved_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["seq", "kind", "status", "provider", "operator", "reason_code", "decided_by", "effective_at"]
    list_filter = ["kind", "status"]
    search_fields = ["reason_code", "subject_id", "hash"]
    inlines = [DecisionApprovalInline]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "level", "provider", "operator", "valid_from", "valid_until", "status"]
    list_filter = ["kind", "level", "status"]
    search_fields = ["number"]


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ["version", "name", "created_by", "created_at"]


# Operator assessments and appeals (read-only here too: certification.operators / certification.appeals write).
from .models import Appeal, OperatorAssessment  # noqa: E402


@admin.register(OperatorAssessment)
class OperatorAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["operator", "score", "assessed_on", "assessor"]
    list_filter = ["assessed_on"]
    search_fields = ["operator__name", "operator__platform_user_id"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["id", "decision", "provider", "status", "filed_at", "due_by", "overdue", "reviewer"]
    list_filter = ["status", "overdue"]
    search_fields = ["provider__name", "statement"]


@admin.register(CycleRules)
class CycleRulesAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "rule_set"]


@admin.register(CycleOutcome)
class CycleOutcomeAdmin(admin.ModelAdmin):
    list_display = [
        "cycle",
        "provider",
        "current_tier",
        "proposed_tier",
        "change",
        "warn",
        "probation",
        "delist_proposal",
    ]
    list_filter = ["change", "warn", "probation", "delist_proposal"]
    raw_id_fields = ["provider", "cycle"]

    def has_add_permission(self, request):
        return False  # outcomes are computed by cycle_preview_compute only

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "provider", "kind", "read", "email_status", "email_attempts"]
    list_filter = ["kind", "read", "email_status"]
    raw_id_fields = ["provider", "cycle"]


@admin.register(Violation)
class ViolationAdmin(ServiceAdmin):
    list_display = ["id", "provider", "operator", "severity", "points", "occurred_at", "status"]
    list_filter = ["severity", "status", "occurred_at"]
    list_select_related = ["provider", "operator"]
    search_fields = ["provider__name", "description"]
    autocomplete_fields = ["provider", "operator"]
    create_service = staticmethod(violations.violation_record)
    update_service = staticmethod(violations.violation_update)
    instance_kwarg = "violation"
