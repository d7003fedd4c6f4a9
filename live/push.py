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
    notify(stream_ids, "snapshot")
    from .tasks import refresh_alerts_task

    try:
        refresh_alerts_task.delay(stream_ids)
    except Exception as exc:  # noqa: BLE001 — the broker being down must not fail an accepted batch
        logger.warning("live: could not enqueue the alert refresh of %s streams: %s", len(stream_ids), exc)


def after_events(stream_ids: list[int]) -> None:
    notify(stream_ids, "event")
