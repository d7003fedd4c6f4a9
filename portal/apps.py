"""The provider portal: pages only (the domain apps compute, the portal shows)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Provider portal"
