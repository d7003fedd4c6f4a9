"""WebSocket consumers of the walls: a stream's wall (ws/live/<external_id>/) and staff's wall of walls (ws/live/).

Access is the page's: the socket of a stream the user may not see (another provider's, even of a shared merchant)
is refused at the handshake exactly like the socket of a stream that does not exist."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .push import WALL_GROUP, WATCHERS, redis_client, stream_group
from .selectors import stream_id_visible


def _watch(stream_id: int, delta: int) -> None:
    redis_client().hincrby(WATCHERS, str(stream_id), delta)


class WallConsumer(AsyncJsonWebsocketConsumer):
    stream_id = None

    async def connect(self):
        external_id = self.scope["url_route"]["kwargs"]["external_id"]
        self.stream_id = await database_sync_to_async(stream_id_visible)(self.scope["user"], external_id)
        if self.stream_id is None:
            await self.close()  # before accept: the handshake is refused (403), for "not yours" and "none" alike
            return
        await self.channel_layer.group_add(stream_group(self.stream_id), self.channel_name)
        await database_sync_to_async(_watch)(self.stream_id, 1)
        await self.accept()

    async def disconnect(self, code):
        if self.stream_id is not None:
            await self.channel_layer.group_discard(stream_group(self.stream_id), self.channel_name)
            await database_sync_to_async(_watch)(self.stream_id, -1)

    async def live_changed(self, event):
        await self.send_json({"kind": event["kind"], "sent": event["sent"]})


class WallOfWallsConsumer(AsyncJsonWebsocketConsumer):
    joined = False

    async def connect(self):
        user = self.scope["user"]
        if not (user.is_authenticated and user.is_staff):
            await self.close()
            return
        await self.channel_layer.group_add(WALL_GROUP, self.channel_name)
        self.joined = True
        await self.accept()

    async def disconnect(self, code):
        if self.joined:
            await self.channel_layer.group_discard(WALL_GROUP, self.channel_name)

    async def live_changed(self, event):
        await self.send_json({"kind": event["kind"], "sent": event["sent"]})
