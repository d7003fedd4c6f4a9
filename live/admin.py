"""Django admin of the live app: the dimension registry, streams, events, freezes and ingest batches, read-only
(writes come from the pipeline's ingest and the nightly jobs). Snapshots (a partitioned table with a composite
key, which the admin does not support) are read through the API and the walls."""

from django.apps import apps
from django.contrib import admin
from pghistory.models import Event

from core.admin import EstimatedCountPaginator, ReadOnlyEventAdmin, ReadOnlyModelAdmin

from . import models


class DimensionInline(admin.TabularInline):
    model = models.Dimension
    fields = ["position", "code", "label_zh", "label_en", "group", "unit", "direction", "formula", "core"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.DimensionSet)
class DimensionSetAdmin(ReadOnlyModelAdmin):
    list_display = ["version", "name", "created_at"]
    inlines = [DimensionInline]


@admin.register(models.Dimension)
class DimensionAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "label_zh", "label_en", "group", "unit", "direction", "formula", "dimension_set"]
    list_filter = ["dimension_set", "group", "direction", "core"]
    search_fields = ["code", "label_zh", "label_en"]


@admin.register(models.LiveStream)
class LiveStreamAdmin(ReadOnlyModelAdmin):
    list_display = ["external_id", "merchant", "operator", "started_at", "last_at", "last_gmv", "alert_count"]
    search_fields = ["external_id"]
    list_select_related = ["merchant", "operator"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(models.LiveEvent)
class LiveEventAdmin(ReadOnlyModelAdmin):
    list_display = ["stream", "at", "kind", "label"]
    list_filter = ["kind"]
    list_select_related = ["stream"]


@admin.register(models.PeerFreeze)
class PeerFreezeAdmin(ReadOnlyModelAdmin):
    list_display = ["for_date", "dimension_set", "streams", "distributions", "frozen_at"]


@admin.register(models.LiveIngestBatch)
class LiveIngestBatchAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id",
        "kind",
        "submitted_by",
        "received",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_at",
    ]
    list_filter = ["kind"]


for _model in apps.get_app_config("live").get_models():
    if issubclass(_model, Event) and not admin.site.is_registered(_model):
        admin.site.register(_model, ReadOnlyEventAdmin)
