"""Template filters of the pages: a cycle's label in Shanghai calendar dates."""

import datetime as dt

from django import template

from scoring.services import SHANGHAI

register = template.Library()


@register.filter
def cycle_label(cycle) -> str:
    """'月度 2026-09-01 – 2026-09-30': the window's Shanghai dates, last day inclusive."""
    start = cycle.window_start.astimezone(SHANGHAI).date()
    last = (cycle.window_end.astimezone(SHANGHAI) - dt.timedelta(microseconds=1)).date()
    return f"{cycle.get_kind_display()} {start:%Y-%m-%d} – {last:%Y-%m-%d}"
