"""API v1 routes of the providers app."""

from rest_framework.routers import DefaultRouter

from . import admission, views

router = DefaultRouter()
router.include_root_view = False
router.register("live-sessions", views.LiveSessionViewSet)
router.register("admission-applications", admission.AdmissionApplicationViewSet)

urlpatterns = router.urls
