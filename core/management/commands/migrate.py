"""manage.py migrate, run as the schema owner (MIGRATION_DATABASE_URL), then granting the app role its privileges.

Django's own migrate command under the owner's login: every table, trigger and function it creates is
the owner's, so the app's role (DATABASE_URL), which serves requests and runs tasks, can never ALTER
(DISABLE TRIGGER), TRUNCATE or DROP them. Test databases are migrated through here too. See
core.dbroles and docs/operations.md ("Database roles").
"""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import transaction

from core import dbroles


class Command(DjangoMigrate):
    help = (
        DjangoMigrate.help + " Runs as MIGRATION_DATABASE_URL's role, then grants DATABASE_URL's role its privileges."
    )

    def handle(self, *args, **options):
        alias = options["database"]
        if not dbroles.roles_split(alias):
            return super().handle(*args, **options)
        with dbroles.connected_as_owner(alias):
            with transaction.atomic(using=alias):
                dbroles.app_default_privileges_grant()
            super().handle(*args, **options)
            with transaction.atomic(using=alias):
                dbroles.app_privileges_grant()
