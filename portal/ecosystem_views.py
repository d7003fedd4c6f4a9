"""Provider portal page of the 造风者 programme: the provider's own successful-leap and "almost" merchants."""

from django.http import Http404
from django.shortcuts import render

from core.dates import add_months, within_platform_data
from ecosystem import selectors
from ecosystem.choices import LeapKind
from pages.access import provider_page


@provider_page
def programme(request, provider_id):
    raw = request.GET.get("month")
    month = selectors.parse_month(raw) if raw else selectors.last_finished_month()
    if month is None or not within_platform_data(month):
        raise Http404
    rows = selectors.programme_merchants(month, provider_id=provider_id)
    leaps = [r for r in rows if r["kind"] == LeapKind.LEAP]
    almost = [r for r in rows if r["kind"] == LeapKind.ALMOST]
    return render(
        request,
        "ecosystem/portal_programme.html",
        {
            "month": month,
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
            "programme": selectors.programme_for(month),
            "leaps": leaps,
            "almost": almost,
        },
    )
