"""The migration from DRF's clear-text authtoken keys to hashed ones (runs DDL: as the schema owner)."""

import importlib

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core.models import ApiToken
from tests.core.test_tokens import stored_text, token_client


def test_the_migration_hashes_existing_authtoken_keys_and_drops_the_clear_text_table(owner_db, staff, pipeline_user):
    """A database from before: DRF's authtoken table with clear keys, which clients still send."""
    old_keys = {staff.pk: "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", pipeline_user.pk: "a" * 40}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
            " user_id integer NOT NULL UNIQUE REFERENCES auth_user (id))"
        )
        for user_id, key in old_keys.items():
            cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [key, user_id])
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', now())")
    ContentType.objects.create(app_label="authtoken", model="token")

    migration = importlib.import_module("core.migrations.0003_hash_authtoken_keys")
    with connection.schema_editor() as editor:
        migration.hash_legacy_tokens(apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone() == (0,)
    assert sorted(ApiToken.objects.values_list("user_id", "key_prefix")) == sorted(
        (user_id, key[:8]) for user_id, key in old_keys.items()
    )
    assert not any(key in stored_text() for key in old_keys.values())
    response = token_client(old_keys[staff.pk]).get("/api/v1/providers/")
    assert response.status_code == 200
