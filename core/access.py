"""The one choke point for reads that matter for security.

A provider user's querysets are narrowed here and nowhere else: every model that holds provider
data defines ``provider_scope(provider_id) -> Q`` and uses ``RestrictedQuerySet``. Staff see all;
a provider user sees what its provider owns; anyone else sees nothing. Objects outside the scope
are simply absent, so "not yours" and "does not exist" answer the same 404.
"""

from django.db import models

from .roles import SERVICE_ROLES


def provider_id_of(user) -> int | None:
    """The provider a user belongs to, or None for staff, service accounts and outsiders."""
    if not getattr(user, "is_authenticated", False):
        return None
    account = getattr(user, "provider_account", None)
    return account.provider_id if account is not None else None


def is_provider_user(user) -> bool:
    return provider_id_of(user) is not None


def is_service_account(user) -> bool:
    """A service account (the data pipeline): neither staff nor a provider user, holding a service role.
    It may do what its role's permissions name (ingest) and nothing else, not even what any signed-in
    user may (apply for admission)."""
    if not getattr(user, "is_authenticated", False) or user.is_staff or is_provider_user(user):
        return False
    return user.groups.filter(name__in=SERVICE_ROLES).exists()


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_staff:
            return self
        provider_id = provider_id_of(user)
        if provider_id is None:
            # Neither staff nor a provider user (e.g. an admission applicant): only models that say
            # what such a user owns (``applicant_scope(user) -> Q``) show them anything.
            applicant_scope = getattr(self.model, "applicant_scope", None)
            return self.filter(applicant_scope(user)) if applicant_scope else self.none()
        return self.filter(self.model.provider_scope(provider_id))
