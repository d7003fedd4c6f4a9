"""API v1 routes of the certification app."""

from rest_framework.routers import DefaultRouter

from . import cycles, views, violations
from .appeals import AppealViewSet
from .assessments import OperatorAssessmentViewSet, OperatorCertificationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cycles", cycles.QualificationCycleViewSet)
router.register("cycle-outcomes", cycles.CycleOutcomeViewSet)
router.register("notifications", cycles.NotificationViewSet)
router.register("violations", violations.ViolationViewSet)
router.register("decisions", views.DecisionViewSet)
router.register("certificates", views.CertificateViewSet)
router.register("rule-sets", views.RuleSetViewSet)
router.register("appeals", AppealViewSet)
router.register("operator-assessments", OperatorAssessmentViewSet)
router.register("operator-certificates", OperatorCertificationViewSet, basename="operator-certificates")
urlpatterns = router.urls
