"""URL wiring: admin, API v1, schema and docs, pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("providers.api.urls")),
    path("api/v1/", include("scoring.api.urls")),
    path("api/v1/", include("certification.api.urls")),
    path("api/v1/", include("admission.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("portal.urls")),
    path("", include("certification.urls")),
]
