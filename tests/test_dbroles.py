"""The database roles: the app's role owns nothing and still refreshes planner statistics; owner logins."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from core import dbroles
from providers.models import Provider
from tests import factories
from tests.conftest import raw_cursor

pytestmark = pytest.mark.django_db


def test_app_role_analyzes_through_the_owner_function():
    """ANALYZE needs the table's owner: run plainly by the app it is skipped with a warning."""
    factories.ProviderFactory.create_batch(3)
    estimate = "SELECT reltuples FROM pg_class WHERE oid = 'providers_provider'::regclass"
    with connection.cursor() as cursor:
        cursor.execute(estimate)
        before = cursor.fetchone()
        cursor.execute("ANALYZE providers_provider")
        assert any("only table or database owner can analyze it" in n for n in connection.connection.notices)
        cursor.execute(estimate)
        assert cursor.fetchone() == before
        connection.connection.notices.clear()
        dbroles.analyze("providers_provider", "providers_operator")
        assert connection.connection.notices == []
        cursor.execute(estimate)
        assert cursor.fetchone() == (Provider.objects.count(),) == (3,)


def test_the_owner_login_is_refused_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"), dbroles.connected_as_owner():
        pass
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (settings.DATABASES["default"]["USER"],)


def test_append_only_tables_are_the_ledger_and_the_books():
    assert dbroles.append_only_tables() == [
        "certification_decision",
        "certification_decisionapproval",
        "settlement_journalentry",
        "settlement_journalleg",
    ]


def test_check_services_makes_the_two_roles_as_the_project_needs_them():
    """Idempotent: run by every `make test`; the roles exist already and keep (or get back) their attributes."""
    out = io.StringIO()
    call_command("check_services", "--create-roles", stdout=out)
    assert "Created database role" not in out.getvalue()
    with raw_cursor("superuser") as cursor:
        cursor.execute(
            "SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
            "WHERE rolname = ANY(%s) ORDER BY rolname = %s",
            [[dbroles.app_role(), dbroles.owner_role()], dbroles.owner_role()],
        )
        assert cursor.fetchall() == [
            (dbroles.app_role(), True, False, False, False),
            (dbroles.owner_role(), True, False, True, False),  # creates the test database
        ]
        cursor.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        assert cursor.fetchone() == (dbroles.owner_role(),)
