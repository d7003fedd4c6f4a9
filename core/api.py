"""API conventions shared by every app: pagination and JSON errors (kept free of viewset imports)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Refusal


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _first_code(codes):
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
    if isinstance(codes, list) and codes:
        return _first_code(codes[0])
    return "error"


def exception_handler(exc, context):
    """Every error is JSON: {"code": machine-readable, "message": human, "errors": details?}."""
    if isinstance(exc, ProtectedError):
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        exc = Refusal(
            "protected",
            _("Still referenced by: %(kinds)s.") % {"kinds": ", ".join(kinds)},
            status=409,
        )
    if isinstance(exc, Refusal):
        return Response(exc.body(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        if not hasattr(exc, "error_dict"):  # a service's refusal without a field: its own code and message
            body = {"code": exc.error_list[0].code or "invalid", "message": exc.messages[0]}
            return Response(body, status=400)
        exc = exceptions.ValidationError(get_error_detail(exc))  # field errors, each keeping its code
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": _first_code(exc.get_codes()), "message": _("Invalid input."), "errors": response.data}
        if isinstance(response.data, dict) and set(response.data) == {"code", "message", "errors"}:
            body = response.data
    elif isinstance(response.data, dict) and "detail" in response.data:
        body = {"code": _first_code(exc.get_codes()), "message": str(response.data["detail"])}
    else:
        body = {"code": _first_code(exc.get_codes()), "message": str(exc), "errors": response.data}
    response.data = body
    return response
