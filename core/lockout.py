"""The answer to a locked-out sign-in (django-axes): a page in the site's layout, 429 with Retry-After."""

import math

from axes.helpers import get_cool_off
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the same page for the pages' login and the admin's, in the visitor's language."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(request, "core/locked_out.html", {"minutes": max(1, math.ceil(seconds / 60))}, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
