"""API rate limits (DRF throttles), counted in Redis through Django's cache.

Scopes and their rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (settings, from the
environment): ``user`` per signed-in user; ``anon`` per client address for requests that bring no
credentials or bad ones; and scopes a view names for one of its actions (``throttle_scopes``), such
as the data pipeline's ``ingest`` batches, which then do not draw on the user's budget.

Anonymous requests and bad tokens are counted while authenticating (core.authentication): DRF checks
permissions before throttles, so a throttle class alone never sees a request that a permission
refuses with 401.
"""

import logging

from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .clients import client_ip

logger = logging.getLogger(__name__)


class FailOpenThrottle(SimpleRateThrottle):
    """A rate limit whose counter store (Redis) is unreachable lets the request through and logs it:
    an outage of the cache must not turn every request into a 500."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            logger.warning("Rate limit %r not counted: the cache is unreachable", self.scope, exc_info=True)
            return True


class _SettingsRates:
    """Rates read from the settings at each request (DRF's base class reads them once, at import)."""

    @property
    def THROTTLE_RATES(self):  # noqa: N802 - the name SimpleRateThrottle looks up
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonRateThrottle(_SettingsRates, FailOpenThrottle):
    """Scope ``anon``, per client address (core.clients: X-Forwarded-For only behind NUM_PROXIES)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        # Never reads request.user: this runs while the request is being authenticated.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def anonymous_request_allowed(request) -> None:
    """Count one unauthenticated request (no credentials or bad ones); past the rate, refuse it with 429."""
    throttle = AnonRateThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(throttle.wait())


class UserRateThrottle(_SettingsRates, FailOpenThrottle):
    """Scope ``user`` per signed-in user, or the scope the view names for the action
    (``throttle_scopes = {"create": "ingest"}``). Anonymous requests were counted while authenticating."""

    scope = "user"

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True
        self.scope = getattr(view, "throttle_scopes", {}).get(getattr(view, "action", None), "user")
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
