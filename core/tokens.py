"""API tokens: make one (the key is returned once), find the token of a key, note when it was used.

Only ``sha256(key)`` is stored, so a leaked database or backup holds no usable key. Keys are 40
random hex characters (160 bits), the same shape as the DRF authtoken keys they replace, so a fast
hash is enough: there is nothing to brute-force.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from django.db import transaction
from django.utils import timezone

from .models import ApiToken

log = logging.getLogger(__name__)

PREFIX_LENGTH = 8
# last_used is a hint for operators (which keys are dead), not an audit trail: one write a minute at most.
TOUCH_EVERY = dt.timedelta(minutes=1)


def generate_key() -> str:
    return secrets.token_hex(20)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str = "", key: str | None = None, replace: bool = False) -> tuple[ApiToken, str]:
    """A new token for ``user``; answers (token, key) — the key is not stored and cannot be shown again.

    ``replace`` revokes the user's other tokens in the same transaction (rotation). ``key`` is for the
    demo data only, which derives a reproducible key; everyone else gets a random one.
    """
    key = key or generate_key()
    revoked = ApiToken.objects.filter(user=user).delete()[0] if replace else 0
    token = ApiToken.objects.create(user=user, name=name, key_prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key))
    log.info("api_token_create user=%s token=%s prefix=%s revoked=%s", user.pk, token.pk, token.key_prefix, revoked)
    return token, key


def api_token_for_key(key: str) -> ApiToken | None:
    """The token whose key this is, or None; the hashes are compared in constant time."""
    if len(key) < PREFIX_LENGTH:
        return None
    digest = hash_key(key)
    found = None
    for token in ApiToken.objects.select_related("user").filter(key_prefix=key[:PREFIX_LENGTH]):
        if hmac.compare_digest(token.key_hash, digest):
            found = token
    return found


def api_token_touch(token: ApiToken) -> None:
    """Record that the token was used (at most once per TOUCH_EVERY, one UPDATE)."""
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
