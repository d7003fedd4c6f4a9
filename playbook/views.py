"""Public pages of the playbook app: the operator record (操盘履历) beside certificate verification (no login)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from certification.verification import VerifyThrottle
from core.dates import shanghai_today

from .record import record_document
from .selectors import operator_record, public_operator_certificate


def record_page(request, number: str):
    """/verify/operators/<certificate number>/: what the platform recorded of a certified operator (opt-in)."""
    throttle = VerifyThrottle()  # one budget with certificate verification
    if not throttle.allow_request(request, None):
        wait = int(throttle.wait() or 60)
        response = render(request, "certification/verify_throttled.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    today = shanghai_today()
    certificate = public_operator_certificate(number, today)
    if certificate is None:
        return render(request, "playbook/record_not_found.html", {"number": number}, status=404)
    record = operator_record(operator=certificate.operator, today=today)
    context = {
        "certificate": certificate,
        "record": record,
        "json_url": reverse("playbook:record-json", args=[number]),
        "verify_url": reverse("certification:verify", args=[number]),
    }
    return render(request, "playbook/record.html", context)


class RecordJsonView(APIView):
    """/verify/operators/<certificate number>.json: the record as an Open Badges 3.0-shaped document."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(auth=[], responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT})
    def get(self, request, number: str):
        today = shanghai_today()
        certificate = public_operator_certificate(number, today)
        if certificate is None:
            raise exceptions.NotFound(_("No public operator record has this certificate number."))
        record = operator_record(operator=certificate.operator, today=today)
        return Response(record_document(certificate, record, request, today))
