"""The one place where the live app's refusal codes (with their parameters) become sentences."""

from django.utils.translation import gettext as _

_SENTENCES = {
    "not_object": lambda p: _("Each row must be a JSON object."),
    "unknown_field": lambda p: _("Unknown field."),
    "missing": lambda p: _("This field is required."),
    "not_text": lambda p: _("Must be a non-empty text of at most %(max)s characters.") % p,
    "nul": lambda p: _("Must not contain a NUL character."),
    "not_datetime": lambda p: _("Must be an ISO-8601 date and time with a time zone."),
    "naive_datetime": lambda p: _("Must carry a time zone (e.g. +08:00)."),
    "not_whole_minute": lambda p: _("Must be a whole minute (seconds and fractions 0)."),
    "before_start": lambda p: _("Is before the stream's start minute."),
    "too_long": lambda p: _("Is more than %(hours)s hours after the stream's start.") % p,
    "in_future": lambda p: _("Is in the future."),
    "expired": lambda p: _("Is older than the %(days)s days snapshots are kept.") % p,
    "not_count": lambda p: _("Must be a whole number of at least 0 (digits only)."),
    "too_large": lambda p: _("Is too large."),
    "not_money": lambda p: _("Must be an amount in yuan with at most 2 decimals."),
    "negative_money": lambda p: _("Money must not be negative."),
    "sources_above_entries": lambda p: (
        _("The entries by source add up to %(sources)s, more than the %(entries)s entries.") % p
    ),
    "unknown_merchant": lambda p: _("No merchant has this platform account id."),
    "unknown_operator": lambda p: _("No operator has this platform user id."),
    "stream_differs": lambda p: _("Differs from what the stream's earlier snapshots recorded."),
    "below_earlier": lambda p: _("Is %(value)s, below %(earlier)s at the stream's earlier snapshot of %(at)s.") % p,
    "above_later": lambda p: _("Is %(value)s, above %(later)s at the stream's later snapshot of %(at)s.") % p,
    "unknown_stream": lambda p: _("No stream has this external id (send its snapshots first)."),
    "bad_kind": lambda p: _("Must be one of: %(kinds)s.") % p,
}


def reason_text(code: str, params: dict | None = None) -> str:
    sentence = _SENTENCES.get(code)
    return sentence(params or {}) if sentence else code


def row_error(row: int | None, field: str | None, code: str, **params) -> dict:
    """One refused row's entry of an ingest report: row (1-based), field, code, reason and its parameters."""
    entry = {"row": row, "field": field, "code": code, "reason": reason_text(code, params)}
    if params:
        entry["params"] = {key: str(value) for key, value in params.items()}
    return entry
