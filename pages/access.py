"""Who may open a page: provider pages answer 404 to anyone but a provider's users, staff pages 404 to non-staff
and 403 without the permission the API asks for; anonymous visitors are sent to the login page."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render

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
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def forbidden(request, message: str = ""):
    """The 403 page in the site's layout and language, as a response (raising PermissionDenied would log the
    ordinary refusal with a traceback)."""
    return render(request, "403.html", {"message": message}, status=403)
