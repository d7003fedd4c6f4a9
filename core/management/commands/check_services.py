"""Check that PostgreSQL and Redis answer, saying how to start them if not; optionally create the database."""

import sys

import psycopg2
import redis
from django.conf import settings
from django.core.management.base import BaseCommand
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


class Command(BaseCommand):
    help = "Check PostgreSQL and Redis; with --create-database, create the configured database if missing."

    def add_arguments(self, parser):
        parser.add_argument("--create-database", action="store_true")

    def handle(self, *args, create_database=False, **options):
        db = settings.DATABASES["default"]
        params = {
            "host": db.get("HOST") or "127.0.0.1",
            "port": db.get("PORT") or 5432,
            "user": db.get("USER") or "postgres",
            "password": db.get("PASSWORD") or None,
            "dbname": "postgres",
            "connect_timeout": 5,
        }
        try:
            conn = psycopg2.connect(**params)
        except psycopg2.OperationalError as exc:
            self.stderr.write(POSTGRES_HELP.format(**params) + f"\n({exc})")
            sys.exit(2)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cur.fetchone() is None:
                    if not create_database:
                        self.stdout.write(f"Database {db['NAME']} does not exist yet (make run creates it).")
                    else:
                        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                        self.stdout.write(f"Created database {db['NAME']}.")
        finally:
            conn.close()
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5).ping()
        except redis.exceptions.RedisError as exc:
            self.stderr.write(REDIS_HELP.format(url=settings.REDIS_URL) + f"\n({exc})")
            sys.exit(2)
        self.stdout.write("PostgreSQL and Redis are reachable.")
