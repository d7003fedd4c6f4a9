"""App config for live."""

from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "盯盘 Live monitoring wall"
