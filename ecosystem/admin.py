"""Django admin of the ecosystem app: the programme's terms and the data start (written through services),
the stored monthly reports (read-only)."""

from django.contrib import admin

from . import services
from .models import MonthlyReport, Programme, ReportSettings

PROGRAMME_FIELDS = ["name", "start_month", "deadline_month", "high_bar", "high_providers", "low_bar", "low_providers"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = PROGRAMME_FIELDS

    def save_model(self, request, obj, form, change):
        services.programme_save(programme=obj, **{f: getattr(obj, f) for f in PROGRAMME_FIELDS})


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ["data_start"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReportSettings.objects.exists()

    def save_model(self, request, obj, form, change):
        services.report_settings_set(data_start=obj.data_start)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["month", "computed_at"]
    readonly_fields = ["month", "figures", "operation_effect", "computed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
