"""API v1 routes of the playbook app."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("playbooks", views.PlaybookViewSet)
router.register("operation-plans", views.OperationPlanViewSet)
router.register("reviews", views.ReviewViewSet)
router.register("operator-record-consents", views.OperatorRecordConsentViewSet)

urlpatterns = router.urls
