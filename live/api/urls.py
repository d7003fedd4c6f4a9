"""API v1 routes of the live app."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("live-snapshots", views.LiveSnapshotViewSet)
router.register("live-events", views.LiveEventViewSet)
router.register("live-streams", views.LiveStreamViewSet)
router.register("live-dimension-sets", views.DimensionSetViewSet)
router.register("live-ingest-batches", views.LiveIngestBatchViewSet)

urlpatterns = router.urls
