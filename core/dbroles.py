"""The database's two roles: the app (DATABASE_URL) owns nothing; the schema owner (MIGRATION_DATABASE_URL) migrates.

The owner creates every table, so only the owner could ALTER one (DISABLE TRIGGER), TRUNCATE or DROP
it. After each migrate (core's migrate command) the app role is granted SELECT, INSERT, UPDATE and
DELETE on every table and USAGE, SELECT on every sequence (also as default privileges, for tables
created later), except on append-only tables — models declaring ``append_only = True``, the ledger —
where it keeps only SELECT and INSERT. See docs/operations.md, "Database roles".
"""

import contextlib
import logging
from collections.abc import Iterator

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

logger = logging.getLogger(__name__)

TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def app_role(alias: str = DEFAULT_DB_ALIAS) -> str:
    return settings.DATABASES[alias]["USER"]


def owner_role() -> str | None:
    """The schema owner's role, or None when migrations run as the app's own role (one role)."""
    owner = settings.MIGRATION_DATABASE
    return owner["USER"] if owner else None


def roles_split(alias: str = DEFAULT_DB_ALIAS) -> bool:
    owner = owner_role()
    return alias == DEFAULT_DB_ALIAS and owner is not None and owner != app_role(alias)


@contextlib.contextmanager
def connected_as_owner(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the block, this thread's ``connections[alias]`` is logged in as the schema owner.

    Only the login changes (user, password, host, port), not the database name, so a test database's
    name set by Django's test setup is kept. Not inside a transaction: the connection is reopened.
    """
    conn = connections[alias]
    owner = settings.MIGRATION_DATABASE
    if not roles_split(alias) or conn.settings_dict["USER"] == owner["USER"]:
        yield
        return
    if conn.in_atomic_block:
        raise RuntimeError("cannot log in as the schema owner inside a transaction")
    app_settings = conn.settings_dict
    conn.close()
    # A copy for this thread's connection only: other threads keep connecting as the app.
    conn.settings_dict = {**app_settings, **{key: owner[key] for key in ("USER", "PASSWORD", "HOST", "PORT")}}
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict = app_settings


def append_only_tables() -> list[str]:
    """Tables of the models declaring ``append_only = True``: the app may read them and add rows, nothing else."""
    return sorted(model._meta.db_table for model in apps.get_models() if getattr(model, "append_only", False))


def app_default_privileges_grant() -> None:
    """As the owner: what the app role may do on tables and sequences the owner creates from now on."""
    quote = connection.ops.quote_name
    owner, app = quote(owner_role()), quote(app_role())
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT {TABLE_PRIVILEGES} ON TABLES TO {app}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {app}"
        )


def app_privileges_grant() -> None:
    """As the owner, after migrating: the app role's privileges on everything that exists (idempotent)."""
    quote = connection.ops.quote_name
    app = quote(app_role())
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
        cursor.execute(f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {app}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
        cursor.execute("SELECT to_regprocedure('core_owner_analyze(regclass[])') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute(f"GRANT EXECUTE ON FUNCTION core_owner_analyze(regclass[]) TO {app}")
        # The app never migrates, and never changes or removes a ledger row.
        cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {app}")
        cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'", [append_only_tables()])
        tables = sorted(name for (name,) in cursor.fetchall())
        if tables:
            names = ", ".join(quote(name) for name in tables)
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {names} FROM {app}")
    logger.info("database roles: granted %s its privileges (select and insert only on %s)", app_role(), tables)


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics of the given tables. ANALYZE needs the table's owner, so the app
    role calls core_owner_analyze() (core migration 0002), which runs it with the owner's rights."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT core_owner_analyze(VARIADIC %s::regclass[])", [list(tables)])
