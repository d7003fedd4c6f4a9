"""API tokens are stored hashed: the key authenticates, the database never holds it, old keys survive the move."""

import hashlib
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from core.models import ApiToken
from core.tokens import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def stored_text() -> str:
    """Every column of every token row, as text: what a leaked backup would show."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM core_apitoken t")
        return " ".join(row[0] for row in cursor.fetchall())


def test_a_key_authenticates_and_only_its_hash_and_prefix_are_stored(staff):
    token, key = api_token_create(user=staff, name="laptop")

    assert len(key) == 40
    assert (token.key_prefix, token.key_hash) == (key[:8], hashlib.sha256(key.encode()).hexdigest())
    assert key not in stored_text()
    response = token_client(key).get("/api/v1/providers/")
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used is not None


def test_a_wrong_key_with_the_same_prefix_and_an_inactive_users_key_are_refused(staff):
    _, key = api_token_create(user=staff)
    forged = key[:8] + ("0" if key[8] != "0" else "1") + key[9:]

    response = token_client(forged).get("/api/v1/providers/")
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "Invalid token."}
    assert response["WWW-Authenticate"] == "Token"

    staff.is_active = False
    staff.save()
    response = token_client(key).get("/api/v1/providers/")
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "User inactive or deleted."}


def test_create_api_token_prints_a_working_key_once_and_replace_rotates(staff):
    first = io.StringIO()
    call_command("create_api_token", "staff", "--name", "ci", stdout=first, stderr=io.StringIO())
    first_key = first.getvalue().strip()
    assert token_client(first_key).get("/api/v1/providers/").status_code == 200
    assert ApiToken.objects.get().name == "ci"

    second = io.StringIO()
    call_command("create_api_token", "staff", "--replace", stdout=second, stderr=io.StringIO())
    second_key = second.getvalue().strip()
    assert second_key != first_key
    assert ApiToken.objects.count() == 1
    assert token_client(first_key).get("/api/v1/providers/").status_code == 401
    assert token_client(second_key).get("/api/v1/providers/").status_code == 200

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
    assert ApiToken.objects.count() == 1


def test_the_migration_does_nothing_without_the_old_table():
    migration = importlib.import_module("core.migrations.0003_hash_authtoken_keys")
    with connection.schema_editor() as editor:
        migration.hash_legacy_tokens(apps, editor)
    assert ApiToken.objects.count() == 0


def test_the_schema_documents_token_authentication(staff):
    client = APIClient()
    client.force_authenticate(staff)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_tokens_of_a_deleted_user_go_with_it():
    user = factories.UserFactory()
    _, key = api_token_create(user=user)
    user.delete()
    assert ApiToken.objects.count() == 0
    assert token_client(key).get("/api/v1/providers/").status_code == 401
