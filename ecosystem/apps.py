"""App config for ecosystem."""

from django.apps import AppConfig


class EcosystemConfig(AppConfig):
    name = "ecosystem"
    verbose_name = "生态 Ecosystem"
