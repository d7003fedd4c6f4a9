"""The walls' channel layer (Redis) takes as many sockets joining their groups at once as a web process serves."""

import asyncio
import threading

from channels.layers import get_channel_layer


def _run(coroutine_function):
    """Run on a loop of its own in a thread of its own (another test's loop may be running in this one)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coroutine_function())))
    thread.start()
    thread.join()
    return result[0] if result else None


def test_three_hundred_sockets_join_their_groups_at_once():
    """Each handshake joins its stream's group on a pooled connection; redis-py's asyncio pool refused the 101st
    at a time (the bench's 200 walls opened together got 500s)."""
    layer = get_channel_layer()
    channels = [f"live.test.{i}" for i in range(300)]

    async def join_and_leave():
        names = await asyncio.gather(*(layer.new_channel() for _ in channels))
        await asyncio.gather(*(layer.group_add(group, name) for group, name in zip(channels, names, strict=True)))
        await asyncio.gather(*(layer.group_discard(group, name) for group, name in zip(channels, names, strict=True)))
        return len(names)

    assert _run(join_and_leave) == 300


def test_a_socket_waiting_for_a_push_outwaits_redis():
    """A socket's receive blocks in Redis for brpop_timeout seconds; the connection's read must wait longer, or
    it times out first (redis-py's default 5 seconds equals channels_redis' 5) and closes the wall's socket."""
    layer = get_channel_layer()
    pool = layer.create_pool(0)
    assert pool.make_connection().socket_timeout > layer.brpop_timeout
