"""The database roles: the app's role owns nothing and still refreshes planner statistics; owner logins."""

import pytest
from django.conf import settings
from django.db import connection, transaction

from core import dbroles
from providers.models import Provider
from tests import factories

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


def test_append_only_tables_are_the_ledger():
    assert dbroles.append_only_tables() == ["certification_decision", "certification_decisionapproval"]
