"""Django admin of the scoring app: read-mostly views of models, cycles and scores."""

from django.contrib import admin

from .models import (
    Capability,
    CapabilityModel,
    CategoryMedian,
    Metric,
    ProviderScore,
    QualificationCycle,
)


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 0


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["model", "key", "weight"]
    inlines = [MetricInline]


@admin.register(CapabilityModel)
class CapabilityModelAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "locked", "created_at"]
    readonly_fields = ["locked"]


@admin.register(QualificationCycle)
class QualificationCycleAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "window_start",
        "window_end",
        "status",
        "stage",
        "percent",
        "heartbeat_at",
    ]
    list_filter = ["kind", "status"]
    # The lifecycle fields move only through certification.cycles (run, publish, cancel).
    readonly_fields = [
        "status",
        "stage",
        "percent",
        "error",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "published_at",
        "published_by",
    ]


@admin.register(ProviderScore)
class ProviderScoreAdmin(admin.ModelAdmin):
    list_display = ["cycle", "provider", "cohort", "ranked", "overall", "rank", "percentile"]
    list_filter = ["cohort", "ranked"]
    raw_id_fields = ["provider", "cycle"]

    def has_add_permission(self, request):
        return False  # scores are computed by cycle_score only

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CategoryMedian)
class CategoryMedianAdmin(admin.ModelAdmin):
    list_display = ["category", "end_date", "merchants", "gmv", "gpm"]
