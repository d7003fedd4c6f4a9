"""Template filters of every page ({% load pages %}): figures for people (pages.formats: percentages, ¥, whole
counts, scores /100, Shanghai dates that never wrap), labels of stored codes (cohorts, tiers) and the domain's
reasons and admission checks as sentences in the reader's language."""

import datetime as dt

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from admission import checks as admission_checks
from certification import reasons
from certification import selectors as cert_selectors
from certification.choices import CertificateKind
from core.access import provider_id_of
from core.dates import SHANGHAI, shanghai_today
from pages import formats, labels
from playbook.selectors import public_operator_certificate
from providers.choices import ProviderType, Tier

register = template.Library()

COHORT_LABELS = dict(ProviderType.choices)
TIER_LABELS = dict(Tier.choices)


@register.filter
def cycle_label(cycle) -> str:
    """'月度 2026-09-01 – 2026-09-30': the window's Shanghai dates, last day inclusive."""
    start = cycle.window_start.astimezone(SHANGHAI).date()
    last = (cycle.window_end.astimezone(SHANGHAI) - dt.timedelta(microseconds=1)).date()
    return f"{cycle.get_kind_display()} {start:%Y-%m-%d} – {last:%Y-%m-%d}"


@register.filter
def pct(value, places=1) -> str:
    """A fraction as a percentage: 0.1429 → 14.3%."""
    return formats.percent(value, int(places))


@register.filter
def percentile(value) -> str:
    """A cohort percentile as a percentage, one decimal, rounded down: 0.25 → 25.0%."""
    return formats.percentile(value)


@register.filter
def yuan(value) -> str:
    """Money: ¥10,230,624.55 (¥1,023.06万 in Chinese from a million on)."""
    return formats.money(value)


@register.filter
def yuan_exact(value) -> str:
    """Money with every fen, never in 万: ¥10,230,624.55."""
    return formats.money(value, exact=True)


@register.filter
def times(value) -> str:
    """A year-on-year ratio: 12.80×."""
    return formats.ratio(value)


@register.filter
def month_label(value) -> str:
    """A month as 2025-03."""
    return formats.month(value)


@register.filter
def whole(value) -> str:
    """A count as a whole number with separators: 2.0000 → 2, 12345 → 12,345."""
    return formats.count(value)


@register.filter
def num(value, places=2) -> str:
    """A plain number with separators to ``places`` decimals."""
    return formats.number(value, int(places))


@register.filter
def score(value) -> str:
    """A 0–100 score to one decimal with its scale: 45.3/100."""
    return formats.score(value)


@register.filter
def score_bare(value) -> str:
    """A 0–100 score to one decimal, in a column headed "/100": 45.3."""
    return formats.score(value, suffix=False)


@register.filter
def pts(value) -> str:
    """Points of the overall score: 15.38."""
    return formats.points(value)


@register.filter
def metric_value(value, key) -> str:
    """A metric's value in its own unit (percentages for shares, ¥ for GPM, whole violation points)."""
    return formats.metric_value(value, key)


@register.filter
def figure_value(value, key) -> str:
    """A merchant-diagnosis figure in its own unit."""
    return formats.figure_value(value, key)


@register.filter
def day(value):
    """A Shanghai calendar date that never wraps: <time class="d" datetime="2026-12-02">2026-12-02</time>."""
    text = formats.day(value)
    if text == formats.DASH:
        return text
    return format_html('<time class="d" datetime="{}">{}</time>', text, text)


@register.filter
def moment(value):
    """An instant in Shanghai that never wraps: 2026-12-02 14:05."""
    if value is None:
        return formats.DASH
    return format_html(
        '<time class="d" datetime="{}">{}</time>', value.astimezone(SHANGHAI).isoformat(), formats.moment(value)
    )


@register.filter
def cohort_label(code) -> str:
    """A cohort (provider type) code in the reader's language: industrial_belt → 产业带服务商."""
    return str(COHORT_LABELS.get(code, code))


@register.filter
def tier_label(code) -> str:
    """A tier code with its name: L2 → L2 铜牌."""
    return str(TIER_LABELS.get(code, code))


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
def notice_text(note) -> str:
    """A notification in the reader's language (its stored text is the English one)."""
    return reasons.notice(note.kind, note.params) or note.text


@register.filter
def check_label(result) -> str:
    """A stored admission check's label in the active language."""
    return admission_checks.check_label(result)


@register.filter
def check_error(result) -> str:
    """Why a stored admission check failed, in the active language ("" when it recorded no error)."""
    return admission_checks.evidence_error_text(result.get("evidence") or {})


@register.filter
def check_found(result) -> str:
    """What a stored admission check found, as one line in the active language (pages.labels.check_found)."""
    return labels.check_found(result)


@register.simple_tag
def inbox_unread(user) -> int:
    """How much of a provider user's inbox is unread — notifications, appeal outcomes and decisions about the
    provider (one query: certification.selectors.inbox_unread); 0 for anyone else, without a query."""
    if not getattr(user, "is_authenticated", False) or user.is_staff or provider_id_of(user) is None:
        return 0
    return cert_selectors.inbox_unread(provider_id_of(user))["total"]


@register.simple_tag
def operator_record_url(certificate) -> str:
    """The address of an operator certificate's public operator record (操盘履历, the playbook app) while the record
    is published (the employing provider opted in, the certificate valid today: playbook's own rule); "" otherwise,
    and for a tier certificate without a query."""
    if certificate is None or certificate.kind != CertificateKind.OPERATOR:
        return ""
    if public_operator_certificate(certificate.number, shanghai_today()) is None:
        return ""
    return reverse("playbook:record", args=[certificate.number])


# --- figures of the playbook pages (plans, reviews, the operator record) ------------------------


@register.filter
def item_title(item) -> str:
    """A playbook item's title in the reader's language (items are staff-written data in both languages)."""
    title_zh = item.get("title_zh") if isinstance(item, dict) else item.title_zh
    title = item.get("title") if isinstance(item, dict) else item.title
    return title_zh if (get_language() or "").startswith("zh") else title


CURVE_WIDTH, CURVE_HEIGHT = 600, 120


@register.filter
def curve_svg(curves: dict, key: str) -> str:
    """One minute curve of a review (``curves["series"][key]`` over ``curves["minutes"]``) as an inline SVG
    polyline scaled to its own maximum, with the review's events as ticks; "" when the series is absent."""
    minutes = (curves or {}).get("minutes") or []
    values = ((curves or {}).get("series") or {}).get(key) or []
    points = [(k, float(v)) for k, v in zip(minutes, values, strict=False) if v is not None]
    if len(points) < 2:
        return ""
    last = max(k for k, _ in points) or 1
    top = max(v for _, v in points) or 1.0

    def x(k) -> float:
        return CURVE_WIDTH * k / last

    line = " ".join(f"{x(k):.1f},{CURVE_HEIGHT - CURVE_HEIGHT * v / top:.1f}" for k, v in points)
    ticks = "".join(
        f'<line class="event" x1="{x(e["minute"]):.1f}" x2="{x(e["minute"]):.1f}" y1="0" y2="{CURVE_HEIGHT}" '
        f'stroke="#c2410c" stroke-dasharray="2 3"><title>{escape(str(e.get("kind", "")))} '
        f"{escape(str(e.get('label', '')))}</title></line>"
        for e in curves.get("events") or []
        if isinstance(e.get("minute"), int)
    )
    return mark_safe(  # noqa: S308 - numbers formatted here and escaped labels only
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CURVE_WIDTH} {CURVE_HEIGHT}" width="100%" '
        f'preserveAspectRatio="none" class="curve" data-series="{escape(key)}" role="img" aria-label="{escape(key)}">'
        f'{ticks}<polyline fill="none" stroke="#1d4ed8" stroke-width="1.5" points="{line}"/></svg>'
    )


# --- figures of the live walls (DESIGN §10) ------------------------------------------------------------------


@register.filter
def dimension_label(dimension) -> str:
    """A live-wall dimension's label in the reader's language (from its registry version)."""
    return labels.dimension_label(dimension)


@register.filter
def dimension_value(value, dimension) -> str:
    """A live-wall dimension's value as its kind reads: rates 14.3%, money ¥1,234.50, counts whole, ROI 2.50×."""
    return formats.dimension_value(value, dimension.unit, dimension.code)


@register.filter
def source_label(name) -> str:
    """A traffic source of the live wall's split in words."""
    return labels.source_label(name)
