"""API v1 routes of the certification app."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("decisions", views.DecisionViewSet)
router.register("certificates", views.CertificateViewSet)
router.register("rule-sets", views.RuleSetViewSet)

urlpatterns = router.urls

from .appeals import AppealViewSet  # noqa: E402
from .assessments import OperatorAssessmentViewSet, OperatorCertificationViewSet  # noqa: E402

router.register("appeals", AppealViewSet)
router.register("operator-assessments", OperatorAssessmentViewSet)
router.register("operator-certificates", OperatorCertificationViewSet, basename="operator-certificates")
urlpatterns = router.urls
