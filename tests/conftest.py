"""Shared fixtures: the three personas (staff, provider user, outsider), API clients, a real Celery worker."""

import contextlib

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from core.roles import STAFF_ROLES, sync_roles
from tests import factories


@pytest.fixture
def roles(db):
    sync_roles()
    return {name: Group.objects.get(name=name) for name in Group.objects.values_list("name", flat=True)}


def make_staff(roles, *role_names, username=None):
    user = factories.UserFactory(is_staff=True, **({"username": username} if username else {}))
    user.groups.set([roles[name] for name in role_names])
    return user


@pytest.fixture
def staff(roles):
    """A staff member holding every staff role but the read-only auditor's."""
    return make_staff(roles, *[r for r in STAFF_ROLES if r != "auditor"], username="staff")


@pytest.fixture
def auditor(roles):
    return make_staff(roles, "auditor", username="auditor")


@pytest.fixture
def provider(db):
    return factories.ProviderFactory(name="Own Provider")


@pytest.fixture
def other_provider(db):
    return factories.ProviderFactory(name="Other Provider")


@pytest.fixture
def provider_user(provider):
    return factories.ProviderUserFactory(provider=provider, user__username="provider_user").user


@pytest.fixture
def outsider(other_provider):
    """A user of another provider."""
    return factories.ProviderUserFactory(provider=other_provider, user__username="outsider").user


@pytest.fixture
def pipeline_user(roles):
    user = factories.UserFactory(username="pipeline")
    user.groups.set([roles["data_pipeline"]])
    return user


def page_client(user, language: str | None = None) -> Client:
    """A Django test client signed in as ``user`` (None: anonymous) for the pages, in ``language`` if given."""
    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def client_for():
    """client_for(user) → an APIClient authenticated as that user (None: anonymous)."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="module")
def celery_worker_thread(django_db_blocker):
    """A real Celery worker (thread) consuming from Redis with the project's app.

    Tests using it need ``transactional_db`` so the worker's connection sees committed rows.
    """
    from celery.contrib.testing.worker import start_worker

    from saima.celery import app

    with django_db_blocker.unblock(), start_worker(app, perform_ping_check=False, pool="solo") as worker:
        yield worker


CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    """Redis unreachable (a closed local port) for the cache and for the Celery app's broker and result
    store; the app's connection pools and backend are rebuilt on the way in and on the way out."""
    from saima.celery import app

    def reset():
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    saved, caches = (app.conf.broker_url, app.conf.result_backend), settings.CACHES
    settings.CACHES = {name: {**config, "LOCATION": CLOSED_PORT_REDIS} for name, config in settings.CACHES.items()}
    app.conf.broker_url = app.conf.result_backend = CLOSED_PORT_REDIS
    reset()
    yield
    app.conf.broker_url, app.conf.result_backend = saved
    settings.CACHES = caches
    reset()


# The tests connect as the app's role, as production does (DATABASE_URL: it owns nothing). The test
# database is created, migrated and dropped by the schema owner (MIGRATION_DATABASE_URL), through
# core's migrate command, which then grants the app its privileges.
@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb):
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from core.dbroles import connected_as_owner, roles_split

    assert roles_split(), "the tests need two roles: DATABASE_URL's (the app) and MIGRATION_DATABASE_URL's (owner)"
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock(), connected_as_owner():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=django_db_keepdb and not django_db_createdb,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock(), connected_as_owner():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture
def owner_db(request, django_db_setup, django_db_blocker):
    """The test's database transaction opened as the schema owner (for tests that run migrations or DDL,
    which the app role may not). List it first among a test's fixtures and give the test no django_db mark."""
    from core.dbroles import connected_as_owner

    with django_db_blocker.unblock(), connected_as_owner():
        request.getfixturevalue("db")
        yield


def raw_connection(who: str):
    """A psycopg2 connection to the test database of its own, as "owner" (MIGRATION_DATABASE_URL) or
    "superuser" (DATABASE_ADMIN_URL): what tests use to tamper behind the app's back. It sees only
    committed rows, so such tests use transactional_db."""
    import psycopg2
    from django.conf import settings
    from django.db import connection

    login = {"owner": settings.MIGRATION_DATABASE, "superuser": settings.DATABASE_ADMIN}[who]
    return psycopg2.connect(
        host=login["HOST"] or "127.0.0.1",
        port=login["PORT"] or 5432,
        user=login["USER"],
        password=login["PASSWORD"] or None,
        dbname=connection.settings_dict["NAME"],
        options="-c pgtrigger.ignore={}",
    )


@contextlib.contextmanager
def raw_cursor(who: str):
    """A cursor of raw_connection(who), committed at the end of the block (rolled back on an error)."""
    conn = raw_connection(who)
    try:
        with conn, conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


# The decision ledger refuses TRUNCATE (plain statement-level triggers, certification migration 0007),
# and the app's role may not truncate at all. The flush that ends every transactional_db test truncates
# all tables, so it runs as the owner, and in one transaction with it the ledger's truncate triggers
# are disabled and then enabled ALWAYS again.
LEDGER_TABLES = ["certification_decision", "certification_decisionapproval"]
# The settlement books refuse TRUNCATE the same way (settlement migration 0002).
TRUNCATE_GUARDED = [*LEDGER_TABLES, "settlement_journalentry", "settlement_journalleg"]


@pytest.fixture(autouse=True, scope="session")
def _flush_may_truncate_ledger():
    from django.db import connection, transaction
    from django.test import TransactionTestCase

    from core.dbroles import connected_as_owner

    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self):
        with connected_as_owner(), transaction.atomic(), connection.cursor() as cursor:
            for table in TRUNCATE_GUARDED:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER append_only_no_truncate")
            original(self)
            for table in TRUNCATE_GUARDED:
                cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER append_only_no_truncate")
        restore_migration_data()

    TransactionTestCase._fixture_teardown = fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = original


# Rows that data migrations create (default model and rule set, beat schedules, role groups). The
# flush after a transactional_db test empties every table; putting them back keeps every later test
# starting from the database a fresh migrate gives. Each function is idempotent.
MIGRATION_DATA = [
    ("scoring.migrations.0002_default_model_v1", "create_v1"),
    ("scoring.migrations.0003_category_medians_schedule", "schedule"),
    ("certification.migrations.0002_default_ruleset_v1", "create_v1"),
    ("certification.migrations.0003_expire_certificates_schedule", "schedule"),
    ("certification.migrations.0006_flag_overdue_appeals_schedule", "schedule"),
    ("certification.migrations.0007_cycle_tier_side", "schedule"),
    ("certification.migrations.0013_verify_ledger_schedule", "schedule"),
    ("certification.migrations.0014_cycle_watchdog_schedule", "schedule"),
    ("certification.migrations.0015_notification_email", "schedule"),
    ("settlement.migrations.0002_books_roles_schedule", "forwards"),
    ("ecosystem.migrations.0003_monthly_reports_schedule", "schedule"),
    ("playbook.defaults", "create_v1"),
    ("playbook.migrations.0003_refresh_reviews_schedule", "schedule"),
    ("live.migrations.0002_functions_registry_schedules", "create_v1"),
    ("live.migrations.0002_functions_registry_schedules", "schedule"),
]


def restore_migration_data():
    import importlib

    from django.apps import apps

    for module, function in MIGRATION_DATA:
        getattr(importlib.import_module(module), function)(apps, None)
    sync_roles()


@pytest.fixture(autouse=True)
def ledger_anchor_dir(settings, tmp_path):
    """Each test records and reads ledger anchors in a directory of its own (never the checkout's var/)."""
    settings.LEDGER_ANCHOR_DIR = tmp_path / "ledger-anchors"
    return settings.LEDGER_ANCHOR_DIR


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 would make every persona cost a second; tests do not need strong hashes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Each test sees an empty cache (rate-limit counters included) without flushing Redis, whose database
    the Celery broker shares: the cache's keys get a prefix of their own for the test."""
    import uuid

    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }
