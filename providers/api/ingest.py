"""Ingest endpoint body: POST a list of live sessions to /api/v1/live-sessions/ (owned by the ingest work)."""

from rest_framework.response import Response


def ingest_response(request) -> Response:
    raise NotImplementedError("ingest is being built")
