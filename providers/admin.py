"""Django admin of the providers app: writes go through providers.services, big tables never count in full."""

from django import forms
from django.apps import apps
from django.contrib import admin
from pghistory.models import Event

from core.admin import EstimatedCountPaginator, ReadOnlyEventAdmin, ReadOnlyModelAdmin, StaffModelAdmin

from . import models, services


class RuleCheckedForm(forms.ModelForm):
    """Refuses in the form what the services would refuse (cross-row rules), so admin never answers 500."""

    def _post_clean(self):
        super()._post_clean()
        rule = services.RULE_CHECKS.get(self._meta.model)
        if rule is None:
            return
        for field, errors in rule(self.instance).items():
            for error in errors:
                if field in self.fields and field not in self.errors:
                    self.add_error(field, error)
                elif field not in self.fields:
                    self.add_error(None, error)


class ServiceAdmin(StaffModelAdmin):
    """Saves through ``create_service`` / ``update_service`` (see providers.services)."""

    form = RuleCheckedForm
    create_service = None
    update_service = None
    instance_kwarg = ""

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
            # The form has already put the new values on ``obj``; the service validates and saves them.
            type(self).update_service(**{self.instance_kwarg: obj}, **changes)
        else:
            created = type(self).create_service(**form.cleaned_data)
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db


@admin.register(models.Provider)
class ProviderAdmin(ServiceAdmin):
    list_display = ["id", "name", "credit_code", "type", "province", "city", "status", "tier", "deposit"]
    list_filter = ["type", "status", "tier", "province"]
    search_fields = ["name", "=credit_code"]
    # Status and tier move through certification decisions and cycles (with their ledger), not by hand.
    readonly_fields = ["status", "tier", "created_at"]
    create_service = staticmethod(services.provider_create)
    update_service = staticmethod(services.provider_update)
    instance_kwarg = "provider"


@admin.register(models.ProviderUser)
class ProviderUserAdmin(StaffModelAdmin):
    """Logins are created through the API (``provider-users``) so password rules apply; here staff look or remove."""

    list_display = ["id", "user", "provider", "created_at"]
    list_filter = ["created_at"]
    list_select_related = ["user", "provider"]
    search_fields = ["user__username", "user__email", "provider__name"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["provider"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Operator)
class OperatorAdmin(ServiceAdmin):
    list_display = ["id", "platform_user_id", "name", "phone"]
    list_filter = [("employments__end_date", admin.EmptyFieldListFilter)]
    search_fields = ["=platform_user_id", "name", "=phone"]
    create_service = staticmethod(services.operator_create)
    update_service = staticmethod(services.operator_update)
    instance_kwarg = "operator"


@admin.register(models.Employment)
class EmploymentAdmin(ServiceAdmin):
    list_display = ["id", "operator", "provider", "start_date", "end_date"]
    list_filter = [("end_date", admin.EmptyFieldListFilter), "start_date"]
    list_select_related = ["operator", "provider"]
    search_fields = ["=operator__platform_user_id", "operator__name", "provider__name"]
    autocomplete_fields = ["operator", "provider"]
    create_service = staticmethod(services.employment_start)
    update_service = staticmethod(services.employment_update)
    instance_kwarg = "employment"


@admin.register(models.Merchant)
class MerchantAdmin(ServiceAdmin):
    list_display = ["id", "platform_account_id", "name", "category", "public_consent"]
    list_filter = ["category", "public_consent"]
    search_fields = ["=platform_account_id", "name"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    create_service = staticmethod(services.merchant_create)
    update_service = staticmethod(services.merchant_update)
    instance_kwarg = "merchant"


@admin.register(models.Engagement)
class EngagementAdmin(ServiceAdmin):
    list_display = ["id", "provider", "merchant", "start_date", "end_date", "lead_operator"]
    list_filter = [("end_date", admin.EmptyFieldListFilter), "start_date"]
    list_select_related = ["provider", "merchant", "lead_operator"]
    search_fields = ["provider__name", "merchant__name", "=merchant__platform_account_id"]
    autocomplete_fields = ["provider", "merchant", "lead_operator"]
    create_service = staticmethod(services.engagement_create)
    update_service = staticmethod(services.engagement_update)
    instance_kwarg = "engagement"


class OperatedFilter(admin.SimpleListFilter):
    """Operated or not: answered from the row itself, cheap on millions of sessions."""

    title = "operated"
    parameter_name = "operated"

    def lookups(self, request, model_admin):
        return [("yes", "yes"), ("no", "no")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(operator__isnull=self.value() == "no")
        return queryset


@admin.register(models.LiveSession)
class LiveSessionAdmin(ReadOnlyModelAdmin):
    """Millions of rows: no full count, raw ids instead of choice lists, exact-match search on indexed ids.

    Sessions change only through ingest (API or CSV), so the admin only shows them.
    """

    list_display = ["id", "external_id", "merchant_id", "operator_id", "provider_id", "started_at", "gmv", "orders"]
    list_filter = [OperatedFilter]
    search_fields = ["external_id__exact"]  # case-sensitive, through the key table (get_search_results)
    raw_id_fields = ["merchant", "operator", "provider", "batch"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        """An exact external id, found through its key table: the partitioned table has no index on it."""
        term = search_term.strip()
        if not term:
            return queryset, False
        ids = models.LiveSessionKey.objects.filter(external_id=term).values_list("session_id", flat=True)
        return queryset.filter(pk__in=list(ids)), False


@admin.register(models.IngestBatch)
class IngestBatchAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "source", "filename", "submitted_by", "received", "created", "updated", "rejected"]
    list_filter = ["source", "partial", "created_at"]
    list_select_related = ["submitted_by"]
    search_fields = ["filename", "submitted_by__username"]
    raw_id_fields = ["submitted_by"]


@admin.register(models.Complaint)
class ComplaintAdmin(ServiceAdmin):
    list_display = ["id", "provider", "merchant", "received_at", "upheld"]
    list_filter = ["upheld", "received_at"]
    list_select_related = ["provider", "merchant"]
    search_fields = ["provider__name", "merchant__name", "description"]
    autocomplete_fields = ["provider", "merchant"]
    create_service = staticmethod(services.complaint_record)
    update_service = staticmethod(services.complaint_update)
    instance_kwarg = "complaint"


# Every event table of this app (pghistory), read-only for staff and auditors alike.
for _model in apps.get_app_config("providers").get_models():
    if issubclass(_model, Event) and not admin.site.is_registered(_model):
        admin.site.register(_model, ReadOnlyEventAdmin)
