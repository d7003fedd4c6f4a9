"""The staff console: pages only (the domain apps compute, the console shows)."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Staff console"
