"""WebSocket routes of the walls (wired into saima/asgi.py)."""

from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/live/", consumers.WallOfWallsConsumer.as_asgi()),
    path("ws/live/<str:external_id>/", consumers.WallConsumer.as_asgi()),
]
