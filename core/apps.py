"""App config for core: keeps role groups and their permissions in step after migrations."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Saima core"

    def ready(self):
        from .roles import sync_roles

        # Permissions of models added by later migrations exist only after post_migrate.
        post_migrate.connect(lambda **kwargs: sync_roles(), dispatch_uid="core.sync_roles", weak=False)
