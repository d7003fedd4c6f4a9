"""App config for settlement."""

from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = "收益 Settlement"
