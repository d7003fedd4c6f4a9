"""API v1 routes of the providers app."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("providers", views.ProviderViewSet)
router.register("provider-users", views.ProviderUserViewSet)
router.register("operators", views.OperatorViewSet)
router.register("employments", views.EmploymentViewSet)
router.register("merchants", views.MerchantViewSet)
router.register("engagements", views.EngagementViewSet)
router.register("live-sessions", views.LiveSessionViewSet)
router.register("complaints", views.ComplaintViewSet)
router.register("ingest-batches", views.IngestBatchViewSet)

urlpatterns = router.urls
