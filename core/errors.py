"""The one refusal type of every service, and how the API and the pages turn it into the same error body."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class Refusal(ValidationError):
    """A service refused to act: a machine-readable ``code``, a ``message`` in the active language (raise it
    with gettext), optional ``params`` (the facts the message names) and per-field ``errors``, and the HTTP
    status the API answers with (400 bad input, 403 not allowed, 409 the state forbids it).

    It is a Django ValidationError, so forms and the admin show it like any validation message; the API's
    exception handler (core.api) and the pages (``refusal_message``) turn it into the same error body."""

    def __init__(self, code: str, message: str, *, status: int = 400, params: dict | None = None, errors=None):
        # The message is already formatted: the params are kept for clients, not passed on for %-formatting.
        super().__init__(str(message), code=code)
        self.message = str(message)
        self.status = status
        self.params = params or {}
        self.errors = errors

    def body(self) -> dict:
        """The error body every client sees: {"code", "message", "errors"?}."""
        body = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def refusal_message(exc: Exception) -> str:
    """One line for a page: a Refusal's message, every message of a ValidationError, else the text."""
    if isinstance(exc, Refusal):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("You do not have permission to perform this action.")
    return str(getattr(exc, "message", exc))
