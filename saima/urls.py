"""URL wiring: admin, API v1, schema and docs, pages."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("providers.api.urls")),
    path("api/v1/", include("scoring.api.urls")),
    path("api/v1/", include("certification.api.urls")),
    path("api/v1/", include("admission.api.urls")),
    path("api/v1/", include("settlement.api.urls")),
    path("api/v1/", include("ecosystem.api.urls")),
    path("api/v1/", include("playbook.api.urls")),
    path("api/v1/", include("live.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Signed-in users only: the page sends others to the login, the schema answers 401 (SERVE_PERMISSIONS).
    # The split view serves its start-up script as a file (/api/docs/?script=): no inline script (CSP).
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("", include("portal.urls")),
    path("", include("console.urls")),
    path("", include("playbook.urls")),
    path("", include("certification.urls")),
]
