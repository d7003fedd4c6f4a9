"""Read-through caching that fails open: with the cache (Redis) unreachable a page is computed, not refused."""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

log = logging.getLogger(__name__)
T = TypeVar("T")


def cached(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """``compute()``'s value, kept under ``key`` for ``seconds`` (0: not cached). A cache error is logged and the
    value computed: caching only ever saves work."""
    if seconds <= 0:
        return compute()
    try:
        hit = cache.get(key)
    except Exception as exc:  # noqa: BLE001 - any cache failure: compute instead
        log.warning("cache unavailable (%s: %s); computing %s", type(exc).__name__, exc, key)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception as exc:  # noqa: BLE001
        log.warning("cache unavailable (%s: %s); %s not kept", type(exc).__name__, exc, key)
    return value
