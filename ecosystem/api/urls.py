"""API v1 routes of the ecosystem app."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("ecosystem/programmes", views.ProgrammeViewSet)

urlpatterns = [
    path("ecosystem/report/", views.ReportView.as_view(), name="ecosystem-report"),
    path("ecosystem/report/merchants/", views.ReportMerchantsView.as_view(), name="ecosystem-report-merchants"),
    path("ecosystem/report/providers/", views.ReportProvidersView.as_view(), name="ecosystem-report-providers"),
    path("ecosystem/programme/", views.ProgrammeView.as_view(), name="ecosystem-programme"),
    path(
        "ecosystem/programme/merchants/", views.ProgrammeMerchantsView.as_view(), name="ecosystem-programme-merchants"
    ),
    *router.urls,
]
