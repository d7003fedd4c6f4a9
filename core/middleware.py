"""Request-level audit context: every row change made during a request records who and which URL."""

from pghistory.middleware import HistoryMiddleware


class AuditContextMiddleware(HistoryMiddleware):
    def get_context(self, request):
        return {**super().get_context(request), "method": request.method, "via": "web"}
