"""Template filters of every page ({% load pages %}): a cycle's label in Shanghai calendar dates, the domain's
reasons and admission checks as sentences in the reader's language."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language

from admission import checks as admission_checks
from certification import reasons
from core.dates import SHANGHAI

register = template.Library()


@register.filter
def cycle_label(cycle) -> str:
    """'月度 2026-09-01 – 2026-09-30': the window's Shanghai dates, last day inclusive."""
    start = cycle.window_start.astimezone(SHANGHAI).date()
    last = (cycle.window_end.astimezone(SHANGHAI) - dt.timedelta(microseconds=1)).date()
    return f"{cycle.get_kind_display()} {start:%Y-%m-%d} – {last:%Y-%m-%d}"


@register.filter
def reasons_text(value) -> str:
    """Stored reasons ({code, params} each) as sentences in the reader's language, one after another."""
    return " ".join(reasons.sentences(value))


@register.filter
def reason_text(value) -> str:
    """One reason ({code, params}) as a sentence in the reader's language."""
    return reasons.sentence(value)


@register.filter
def decision_reason(decision) -> str:
    """A decision's reason as sentences in the reader's language (certification.reasons.decision_sentences)."""
    return " ".join(reasons.decision_sentences(decision))


@register.filter
def check_label(result) -> str:
    """A stored admission check's label in the active language."""
    return admission_checks.check_label(result)


@register.filter
def check_error(result) -> str:
    """Why a stored admission check failed, in the active language ("" when it recorded no error)."""
    return admission_checks.evidence_error_text(result.get("evidence") or {})


# --- figures of the playbook pages (plans, reviews, the operator record) ------------------------


@register.filter
def percent(value, places: int = 1) -> str:
    """A ratio as a percent with ``places`` decimals, rounded half-up (0.931 → "93.1%"); "—" for no value."""
    if value is None or value == "":
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    return f"{(Decimal(str(value)) * 100).quantize(quantum, rounding=ROUND_HALF_UP)}%"


@register.filter
def yuan(value) -> str:
    """Money as ¥ with thousands separators and 2 decimals; "—" for no value."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def item_title(item) -> str:
    """A playbook item's title in the reader's language (items are staff-written data in both languages)."""
    title_zh = item.get("title_zh") if isinstance(item, dict) else item.title_zh
    title = item.get("title") if isinstance(item, dict) else item.title
    return title_zh if (get_language() or "").startswith("zh") else title
