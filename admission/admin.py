"""Django admin of the admission app: read-only, admission is decided through its services and API."""

from django.apps import apps
from django.contrib import admin
from pghistory.models import Event

from core.admin import ReadOnlyEventAdmin, ReadOnlyModelAdmin

from .models import AdmissionApplication, AdmissionDocument


@admin.register(AdmissionApplication)
class AdmissionApplicationAdmin(ReadOnlyModelAdmin):
    """Admission is decided through its own services and API (严准入); the admin only shows applications."""

    list_display = ["id", "company_name", "credit_code", "type", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "type"]
    search_fields = ["company_name", "=credit_code"]
    raw_id_fields = ["created_by", "applicant", "reviewer", "decided_by", "provider"]


@admin.register(AdmissionDocument)
class AdmissionDocumentAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "application", "kind", "original_name", "size", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["=application__id", "original_name"]
    raw_id_fields = ["application", "uploaded_by"]


# Every event table of this app (pghistory), read-only for staff and auditors alike.
for _model in apps.get_app_config("admission").get_models():
    if issubclass(_model, Event) and not admin.site.is_registered(_model):
        admin.site.register(_model, ReadOnlyEventAdmin)
