"""API permission: staff by role (Django model permissions), provider users read-only."""

from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .access import is_provider_user

_METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def required_perms(view, method: str) -> list[str]:
    """Permissions a staff user needs: a view's ``action_permissions`` win over the method map."""
    custom = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
    if custom is not None:
        return list(custom)
    model = view.get_queryset().model
    return [f"{model._meta.app_label}.{_METHOD_ACTIONS[method]}_{model._meta.model_name}"]


class RolePermission(BasePermission):
    """Staff need the model permission of their role (view to read); provider users may only read,
    plus the actions a view lists in ``provider_actions``; service accounts (neither staff nor
    provider users, e.g. the data pipeline) may run only actions with explicit
    ``action_permissions`` that they hold; everyone else is refused."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method not in _METHOD_ACTIONS:  # TRACE, QUERY, …: 405 with the error body
            raise MethodNotAllowed(request.method)
        if user.is_staff:
            return user.has_perms(required_perms(view, request.method))
        if is_provider_user(user):
            return request.method in SAFE_METHODS or getattr(view, "action", None) in getattr(
                view, "provider_actions", ()
            )
        custom = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        return bool(custom) and user.has_perms(custom)


class ProviderUserOnly(BasePermission):
    """Only a provider's own users (e.g. marking their provider's notification read): staff of any role,
    the auditor included, and service accounts are refused (403); the object lookup narrows to the own provider."""

    def has_permission(self, request, view):
        return is_provider_user(request.user)
