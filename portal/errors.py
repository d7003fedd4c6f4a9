"""A service's refusal as one line for a page (the services word their refusals in the active language)."""

from django.core.exceptions import ValidationError


def error_text(exc) -> str:
    """Why the service refused: every message of a ValidationError, else the exception's own message."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", exc))
