"""Check that PostgreSQL and Redis answer, saying how to start them if not; optionally create the roles and database.

Development only for the creating part: with --create-roles (make test) or --create-database (make run,
make services) it logs in as DATABASE_ADMIN_URL's superuser and creates the schema owner's role
(MIGRATION_DATABASE_URL; it may create databases, for the test database), the app's role (DATABASE_URL;
it owns nothing) and the database, owned by the owner. Production creates them once by hand
(docs/operations.md, "Database roles").
"""

import sys

import psycopg2
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql

POSTGRES_HELP = (
    "PostgreSQL is not reachable at {host}:{port}. Start it with\n"
    "    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
    "or point DATABASE_URL at a running server."
)
REDIS_HELP = (
    "Redis is not reachable at {url}. Start it with\n"
    "    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no\n"
    "or point REDIS_URL at a running server."
)
# pg_advisory_lock key: several checkouts on one server may set up the (shared) roles at once.
SETUP_LOCK_KEY = int.from_bytes(b"SAIMAROL", "big") & 0x7FFFFFFFFFFFFFFF


def connect(db: dict, dbname: str):
    return psycopg2.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        connect_timeout=5,
    )


class Command(BaseCommand):
    help = (
        "Check PostgreSQL and Redis; --create-roles creates the owner and app database roles if missing, "
        "--create-database also the database (development: needs DATABASE_ADMIN_URL's superuser)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--create-roles", action="store_true")
        parser.add_argument("--create-database", action="store_true")

    def handle(self, *args, create_roles=False, create_database=False, **options):
        db = settings.DATABASES["default"]
        if create_roles or create_database:
            self.set_up(db, create_database=create_database)
        try:
            conn = connect(db, "postgres")
        except psycopg2.OperationalError as exc:
            if "does not exist" in str(exc):
                raise CommandError(
                    f"{exc}".strip() + "\n(`make services` creates the roles and the database)"
                ) from None
            self.stderr.write(
                POSTGRES_HELP.format(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432) + f"\n({exc})"
            )
            sys.exit(2)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cur.fetchone() is None:
                    self.stdout.write(f"Database {db['NAME']} does not exist yet (make run creates it).")
                cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cur.fetchone()[0]:
                    self.stderr.write(
                        f"Warning: DATABASE_URL logs in as {db['USER']}, a superuser; the app should own nothing "
                        "(docs/operations.md, 'Database roles')."
                    )
        finally:
            conn.close()
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5).ping()
        except redis.exceptions.RedisError as exc:
            self.stderr.write(REDIS_HELP.format(url=settings.REDIS_URL) + f"\n({exc})")
            sys.exit(2)
        self.stdout.write("PostgreSQL and Redis are reachable.")

    def set_up(self, db: dict, *, create_database: bool) -> None:
        admin = settings.DATABASE_ADMIN
        owner = settings.MIGRATION_DATABASE
        try:
            conn = connect(admin, admin.get("NAME") or "postgres")
        except psycopg2.OperationalError as exc:
            self.stderr.write(
                POSTGRES_HELP.format(host=admin["HOST"] or "127.0.0.1", port=admin["PORT"] or 5432) + f"\n({exc})"
            )
            sys.exit(2)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_lock(%s)", [SETUP_LOCK_KEY])
                if owner is not None:
                    self.role_create(cur, owner, createdb=True)
                self.role_create(cur, db, createdb=False)
                owner_name = owner["USER"] if owner is not None else db["USER"]
                if create_database:
                    self.database_create(cur, db["NAME"], owner_name)
                # A test database left by a run under another owner: hand it over, Django recreates it.
                test_name = db["TEST"]["NAME"]
                cur.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s AND datdba <> (SELECT oid FROM pg_roles "
                    "WHERE rolname = %s)",
                    [test_name, owner_name],
                )
                if cur.fetchone() is not None:
                    cur.execute(
                        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                            sql.Identifier(test_name), sql.Identifier(owner_name)
                        )
                    )
        finally:
            conn.close()

    def role_create(self, cur, db: dict, *, createdb: bool) -> None:
        """Create the role, or bring an existing one (not a superuser) to the attributes it needs."""
        name = db["USER"]
        attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEROLE INHERIT " + ("CREATEDB" if createdb else "NOCREATEDB"))
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [name])
        row = cur.fetchone()
        if row is None:
            statement = sql.SQL("CREATE ROLE {} {} PASSWORD %s").format(sql.Identifier(name), attributes)
            cur.execute(statement, [db.get("PASSWORD") or None])
            self.stdout.write(f"Created database role {name}.")
        elif not row[0]:
            cur.execute(sql.SQL("ALTER ROLE {} {}").format(sql.Identifier(name), attributes))

    def database_create(self, cur, name: str, owner: str) -> None:
        cur.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [name])
        row = cur.fetchone()
        if row is None:
            cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner)))
            self.stdout.write(f"Created database {name}, owned by {owner}.")
        elif row[0] != owner:
            raise CommandError(
                f"Database {name} belongs to {row[0]}, not to {owner} (made before the roles were split). Start over "
                f"with `dropdb -h 127.0.0.1 -U postgres {name} && make run`, or hand it over as in docs/operations.md."
            )
