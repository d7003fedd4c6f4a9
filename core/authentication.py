"""API authentication: hashed tokens (core.tokens) and the rate limit of unauthenticated requests."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, TokenAuthentication

from .throttling import anonymous_request_allowed
from .tokens import api_token_for_key, api_token_touch


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against core.ApiToken (only the key's hash is stored).

    A bad key (unknown, malformed, or of an inactive user) counts against the ``anon`` rate of the
    client's address, so guessing keys ends in 429s.
    """

    keyword = "Token"

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            anonymous_request_allowed(request)
            raise

    def authenticate_credentials(self, key):
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        api_token_touch(token)
        return (token.user, token)


class AnonymousRateLimit(BaseAuthentication):
    """Last in DEFAULT_AUTHENTICATION_CLASSES: reached only by a request no scheme before it signed in.

    It signs nobody in; it counts the request against the ``anon`` rate and answers 429 past it.
    """

    def authenticate(self, request):
        anonymous_request_allowed(request)
        return None
