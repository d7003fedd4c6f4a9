"""Template filters of the pages: a cycle's label in Shanghai calendar dates, the rules engine's reasons,
admission checks in the reader's language."""

import datetime as dt

from django import template

from admission import checks as admission_checks
from portal import reasons
from scoring.services import SHANGHAI

register = template.Library()


@register.filter
def cycle_label(cycle) -> str:
    """'月度 2026-09-01 – 2026-09-30': the window's Shanghai dates, last day inclusive."""
    start = cycle.window_start.astimezone(SHANGHAI).date()
    last = (cycle.window_end.astimezone(SHANGHAI) - dt.timedelta(microseconds=1)).date()
    return f"{cycle.get_kind_display()} {start:%Y-%m-%d} – {last:%Y-%m-%d}"


@register.filter
def reasons_text(value) -> str:
    """Stored reasons (a list, or one text joined with "; ") as translated sentences, one after another."""
    return " ".join(reasons.reasons_text(value))


@register.filter
def decision_reason(decision) -> str:
    """A decision's reason as sentences (its text, or the cycle's reasons of its kind); else its code."""
    return " ".join(reasons.decision_reasons(decision)) or decision.reason_code


@register.filter
def check_label(result) -> str:
    """A stored admission check's label in the active language."""
    return admission_checks.check_label(result)


@register.filter
def check_error(result) -> str:
    """Why a stored admission check failed, in the active language ("" when it recorded no error)."""
    return admission_checks.evidence_error_text(result.get("evidence") or {})
