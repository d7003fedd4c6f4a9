"""API v1 routes of the scoring app."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("capability-models", views.CapabilityModelViewSet)
router.register("scores", views.ProviderScoreViewSet)

urlpatterns = [
    path(
        "providers/<int:pk>/operation-effect/",
        views.ProviderOperationEffectView.as_view(),
        name="provider-operation-effect",
    ),
    path("operation-effect/", views.PlatformOperationEffectView.as_view(), name="operation-effect"),
    path("merchants/<int:pk>/diagnosis/", views.MerchantDiagnosisView.as_view(), name="merchant-diagnosis"),
    *router.urls,
]
