"""API v1 routes of the admission app."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("admission-applications", views.AdmissionApplicationViewSet)

urlpatterns = router.urls
