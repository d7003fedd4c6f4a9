"""Template filters of the live walls: figures by unit (¥, %, counts), dimension labels in the reader's language."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value is None:
        return "—"
    return "¥" + number_format(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP), 2, force_grouping=True)


@register.filter
def count(value) -> str:
    return "—" if value is None else number_format(int(value), 0, force_grouping=True)


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return number_format((Decimal(value) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP), 1) + "%"


@register.filter
def figure(value, unit: str) -> str:
    """A dimension's value in its unit: ratios as percent, yuan with ¥, the rest with up to 4 decimals."""
    if value is None:
        return "—"
    if unit == "ratio":
        return pct(value)
    if unit.startswith("yuan"):
        return yuan(value)
    value = Decimal(value).normalize()
    return number_format(value, None, force_grouping=True)


@register.filter
def dim_label(dimension) -> str:
    return dimension.label_zh if (get_language() or "").startswith("zh") else dimension.label_en
