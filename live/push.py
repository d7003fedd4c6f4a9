"""Pushes to open walls (Django Channels over Redis: every web process's sockets get them) after ingest commits.

Each open wall's socket joins its stream's group (``live.stream.<id>``) and counts itself in the Redis hash
``live:watchers``; after a batch commits, only the streams somebody watches get a message (a batch of 10,000
streams mostly nobody watches costs one HMGET). The wall of walls' sockets share the group ``live.wall``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

WATCHERS = "live:watchers"
WALL_GROUP = "live.wall"
# The alert refresh is coalesced: the streams whose counts are due wait in a Redis set, and one task at a time is
# queued for all of them (a flag with a lifetime, so a lost task does not stop the refreshes for longer than that).
ALERTS_PENDING = "live:alerts:pending"
ALERTS_QUEUED = "live:alerts:queued"
ALERTS_QUEUED_SECONDS = 120


def stream_group(stream_id: int) -> str:
    return f"live.stream.{stream_id}"


_client = None


def redis_client():
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    return _client


def watched(stream_ids: list[int]) -> list[int]:
    if not stream_ids:
        return []
    counts = redis_client().hmget(WATCHERS, [str(i) for i in stream_ids])
    return [i for i, c in zip(stream_ids, counts, strict=True) if c is not None and int(c) > 0]


async def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    await asyncio.gather(*(layer.group_send(group, message) for group in groups))


def _run(coroutine_function, *args) -> None:
    """Run the sends from sync code; from a thread that already runs an event loop, in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(coroutine_function)(*args)
        return
    thread = threading.Thread(target=lambda: asyncio.run(coroutine_function(*args)))
    thread.start()
    thread.join()


def notify(stream_ids: list[int], kind: str) -> None:
    """Tell the open walls of these streams (and the wall of walls) that they changed."""
    try:
        groups = [stream_group(i) for i in watched(stream_ids)] + [WALL_GROUP]
        message = {"type": "live.changed", "kind": kind, "sent": time.time()}
        _run(_send, groups, message)
    except (redis.RedisError, OSError) as exc:  # a push is best effort: the data is committed, walls re-read
        logger.warning("live push failed: %s", exc)


def after_snapshots(stream_ids: list[int]) -> None:
    walls_changed()
    notify(stream_ids, "snapshot")
    alerts_request(stream_ids)


def walls_changed() -> None:
    """A new version of the wall of walls (its cached page is read again at the next request)."""
    from django.core.cache import cache

    from .selectors import WALLS_VERSION

    try:
        cache.set(WALLS_VERSION, time.time_ns(), None)
    except Exception as exc:  # noqa: BLE001 — the cache's lifetime bounds what a lost change costs
        logger.warning("live: could not change the walls' version: %s", exc)


def alerts_request(stream_ids: list[int]) -> bool:
    """Ask for these streams' alert counts to be refreshed: one pending refresh per stream, whatever the number of
    batches meanwhile; a task is queued only when none is queued yet. True when this call queued it."""
    from .tasks import refresh_alerts_task

    if not stream_ids:
        return False
    try:
        pipe = redis_client().pipeline()
        pipe.sadd(ALERTS_PENDING, *stream_ids)
        pipe.set(ALERTS_QUEUED, 1, nx=True, ex=ALERTS_QUEUED_SECONDS)
        _added, queue = pipe.execute()
        if queue:
            refresh_alerts_task.delay()
        return bool(queue)
    except Exception as exc:  # noqa: BLE001 — Redis or the broker being down must not fail an accepted batch
        logger.warning("live: could not ask for the alert refresh of %s streams: %s", len(stream_ids), exc)
        return False


def alerts_take() -> list[int]:
    """The streams waiting for their alert refresh, taken (the queued flag goes first: a batch accepted from now on
    queues a new task, so no stream waits unseen)."""
    client = redis_client()
    client.delete(ALERTS_QUEUED)
    pipe = client.pipeline(transaction=True)
    pipe.smembers(ALERTS_PENDING)
    pipe.delete(ALERTS_PENDING)
    members, _deleted = pipe.execute()
    return sorted(int(m) for m in members)


def after_events(stream_ids: list[int]) -> None:
    notify(stream_ids, "event")
