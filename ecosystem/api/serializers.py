"""API v1 serializers of the ecosystem app."""

from rest_framework import serializers

from ecosystem.models import Programme


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "start_month",
            "deadline_month",
            "high_bar",
            "high_providers",
            "low_bar",
            "low_providers",
        ]
