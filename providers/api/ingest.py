"""Ingest endpoint body: POST a JSON list of live sessions to /api/v1/live-sessions/ (?partial=true)."""

import json

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from providers.ingest import MAX_API_BYTES, MAX_API_ROWS, ingest_refuse, ingest_rows

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def _report_response(report) -> Response:
    return Response(report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)


def ingest_response(request) -> Response:
    """Validate the envelope (size, JSON, a list), then hand the rows to the ingest service."""
    flag = request.query_params.get("partial", "false").strip().lower()
    if flag not in _TRUE | _FALSE:
        return Response(
            {"code": "invalid_parameter", "message": _("partial must be true or false.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    partial = flag in _TRUE
    user = request.user

    def refuse(code: str, reason: str) -> Response:
        return _report_response(
            ingest_refuse(source="api", submitted_by=user, partial=partial, code=code, reason=reason)
        )

    # Read the body ourselves, with our own cap: a 10,000-row batch is larger than Django's
    # DATA_UPLOAD_MAX_MEMORY_SIZE, and floats must keep their exact decimal text (parse_float=str).
    stream = request.stream
    raw = stream.read(MAX_API_BYTES + 1) if stream is not None else b""
    if len(raw) > MAX_API_BYTES:
        return refuse(
            "batch_too_large",
            f"The request body is larger than {MAX_API_BYTES // (1024 * 1024)} MiB; "
            f"send at most {MAX_API_ROWS} rows per request.",
        )
    try:
        rows = json.loads(raw, parse_float=str)
    except (ValueError, UnicodeDecodeError) as exc:
        return refuse("parse_error", f"The body is not valid JSON ({exc}).")
    except RecursionError:
        return refuse("parse_error", "The body is not valid JSON (nested too deeply).")
    if not isinstance(rows, list):
        return refuse("invalid_body", "The body must be a JSON list of live-session objects.")
    return _report_response(ingest_rows(rows=rows, submitted_by=user, partial=partial))
