"""API v1 serializers of the providers app."""

from rest_framework import serializers

from providers.models import LiveSession


class LiveSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = LiveSession
        exclude = ["batch"]
