"""Shared fixtures: the three personas (staff, provider user, outsider), API clients, a real Celery worker."""

import pytest
from django.contrib.auth.models import Group
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


# The decision ledger refuses TRUNCATE (plain statement-level triggers, certification migration 0007); the
# flush that ends every transactional_db test truncates all tables, so around that flush only, in one
# transaction with it, the truncate triggers are disabled and then enabled ALWAYS again.
LEDGER_TABLES = ["certification_decision", "certification_decisionapproval"]


@pytest.fixture(autouse=True, scope="session")
def _flush_may_truncate_ledger():
    from django.db import connection, transaction
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self):
        with transaction.atomic(), connection.cursor() as cursor:
            for table in LEDGER_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER append_only_no_truncate")
            original(self)
            for table in LEDGER_TABLES:
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
]


def restore_migration_data():
    import importlib

    from django.apps import apps

    for module, function in MIGRATION_DATA:
        getattr(importlib.import_module(module), function)(apps, None)
    sync_roles()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 would make every persona cost a second; tests do not need strong hashes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
