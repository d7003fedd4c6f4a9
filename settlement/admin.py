"""Django admin of settlement: agreements and their versions are recorded here (through the services); statements,
lines, the books and payouts are shown read-only (their flow goes through the services, API and pages)."""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from pghistory.models import Event

from core.admin import ReadOnlyEventAdmin, ReadOnlyModelAdmin, StaffModelAdmin

from . import services
from .models import (
    AgreementVersion,
    JournalEntry,
    JournalLeg,
    Payout,
    ServiceAgreement,
    SettlementRun,
    Statement,
    StatementLine,
    TierIncentiveSchedule,
)


class ServiceAgreementForm(forms.ModelForm):
    class Meta:
        model = ServiceAgreement
        fields = ["provider", "engagement", "note"]

    def clean(self):
        data = super().clean()
        provider, engagement = data.get("provider"), data.get("engagement")
        if provider and engagement and engagement.provider_id != provider.pk:
            self.add_error("engagement", _("This engagement belongs to another provider."))
        return data


class AgreementVersionInline(admin.TabularInline):
    """New versions only: a version in force is history, never edited (add a later one instead)."""

    model = AgreementVersion
    fields = ["effective_from", "fixed_fee_monthly", "commission_rate", "uplift_bonus_rate"]
    extra = 1
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return []

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(StaffModelAdmin):
    form = ServiceAgreementForm
    inlines = [AgreementVersionInline]
    list_display = ["id", "provider", "engagement", "created_at"]
    search_fields = ["=id", "=engagement__id", "provider__name"]
    raw_id_fields = ["provider", "engagement"]

    def get_readonly_fields(self, request, obj=None):
        return ["provider", "engagement"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            ServiceAgreement.objects.filter(pk=obj.pk).update(note=obj.note)
            return
        created = services.agreement_create(
            provider=obj.provider, engagement=obj.engagement, created_by=request.user, note=obj.note
        )
        obj.pk, obj.created_at = created.pk, created.created_at

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline in formset.forms:
            if not inline.has_changed() or inline.instance.pk:
                continue
            data = inline.cleaned_data
            version = services.agreement_version_add(
                agreement=form.instance,
                effective_from=data["effective_from"],
                fixed_fee_monthly=data["fixed_fee_monthly"],
                commission_rate=data["commission_rate"],
                uplift_bonus_rate=data["uplift_bonus_rate"],
                created_by=request.user,
            )
            formset.new_objects.append(version)


@admin.register(TierIncentiveSchedule)
class TierIncentiveScheduleAdmin(StaffModelAdmin):
    """Versioned shares: add a new version from a date rather than editing one a statement used."""

    list_display = ["version", "effective_from", "l1", "l2", "l3", "l4", "l5"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fk_name = "statement"
    fields = ["position", "kind", "for_month", "engagement", "amount", "exact", "sessions"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "provider", "month", "version", "state", "tier", "total", "created_at"]
    list_filter = ["state", "month", "tier"]
    search_fields = ["=id", "=provider__id", "provider__name", "invoice_number", "payment_reference"]
    raw_id_fields = ["provider", "replaces", "run"]
    inlines = [StatementLineInline]


@admin.register(SettlementRun)
class SettlementRunAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "month", "statements", "started_by", "created_at"]


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "statement", "line", "reverses", "memo", "posted_at"]
    raw_id_fields = ["statement", "line", "reverses"]


@admin.register(JournalLeg)
class JournalLegAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "entry", "account", "provider", "amount"]
    list_filter = ["account"]
    raw_id_fields = ["entry", "provider"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "statement", "amount", "status", "requested_at", "paid_at", "reference"]
    list_filter = ["status"]
    raw_id_fields = ["statement", "requested_by"]


for _model in apps.get_app_config("settlement").get_models():
    if issubclass(_model, Event) and not admin.site.is_registered(_model):
        admin.site.register(_model, ReadOnlyEventAdmin)
