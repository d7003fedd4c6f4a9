"""API v1 routes of the settlement app."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.include_root_view = False
router.register("service-agreements", views.ServiceAgreementViewSet)
router.register("statements", views.StatementViewSet)
router.register("statement-runs", views.StatementRunViewSet, basename="statement-run")
router.register("payouts", views.PayoutViewSet)
router.register("settlement-balances", views.BalanceViewSet, basename="settlement-balance")

urlpatterns = router.urls
