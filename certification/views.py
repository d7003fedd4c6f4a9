"""Public pages of the certification app: certificate verification (no login)."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .choices import CertificateStatus
from .verification import (
    VerifyThrottle,
    badge_document,
    certificate_public,
    revoked_at,
    status_for_public,
    successor,
)


def verify_search(request):
    """/verify/: a search box for a certificate number (any letter case); a number goes to its page."""
    number = request.GET.get("number", "").strip().upper()
    if number:
        return redirect("certification:verify", number=number)
    return render(request, "certification/verify_search.html", {})


def verify_page(request, number: str):
    """/verify/<number>/: a human-readable answer for anyone holding a certificate number."""
    throttle = VerifyThrottle()
    if not throttle.allow_request(request, None):
        wait = throttle.wait()
        response = render(request, "certification/verify_throttled.html", {"wait": int(wait or 60)}, status=429)
        response["Retry-After"] = str(int(wait or 60))
        return response
    certificate = certificate_public(number)
    if certificate is None:
        return render(request, "certification/verify_not_found.html", {"number": number}, status=404)
    if certificate.number != number:  # typed in another letter case: the page lives at the number as issued
        return redirect("certification:verify", number=certificate.number)
    status = status_for_public(certificate)
    context = {
        "certificate": certificate,
        "status": status,
        "status_label": dict(CertificateStatus.choices).get(status, _("not valid yet")),
        "json_url": reverse("certification:verify-json", args=[number]),
        "successor": successor(certificate),
        "revoked_at": revoked_at(certificate),
    }
    return render(request, "certification/verify.html", context)


class VerifyJsonView(APIView):
    """/verify/<number>.json: the Open Badges 3.0-shaped credential document."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(auth=[], responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT})
    def get(self, request, number: str):
        certificate = certificate_public(number)
        if certificate is None:
            raise exceptions.NotFound(_("No certificate has this number."))
        return Response(badge_document(certificate, request))
