"""API authentication: hashed tokens (core.tokens)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .tokens import api_token_for_key, api_token_touch


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` against core.ApiToken (only the key's hash is stored)."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        api_token_touch(token)
        return (token.user, token)
