"""Who may open a page: provider pages answer 404 to anyone but a provider's users, staff pages 404 to non-staff
and 403 without the permission the API asks for; anonymous visitors are sent to the login page."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.access import provider_id_of


def provider_page(view):
    """Provider users only; everyone else (staff included) gets 404 — the portal is per provider. The view gets
    the provider's id after the request."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        provider_id = provider_id_of(request.user)
        if provider_id is None:
            raise Http404
        return view(request, provider_id, *args, **kwargs)

    return wrapper


def staff_page(*perms):
    """Staff only (404 for others), holding the same model permissions the API asks for (403 if not)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_staff:
                raise Http404
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
