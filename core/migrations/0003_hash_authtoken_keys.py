"""Move DRF authtoken keys into core.ApiToken as hashes, then drop the clear-text table.

Existing clients keep their keys: each ``authtoken_token`` row becomes an ApiToken holding the key's
first 8 characters and its SHA-256. The old table is then dropped (it held every key in clear) and
the authtoken app's migration records, content types and permissions are removed, since the app is
no longer installed. Going back is not possible: the keys are gone; make new ones after a rollback.
"""

import hashlib

from django.db import migrations

LEGACY_TABLE = "authtoken_token"


def hash_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("core", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")  # noqa: S608 - a constant
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name="authtoken",
            key_prefix=key[:8],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            created=created,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {LEGACY_TABLE}")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_api_token"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(hash_legacy_tokens, migrations.RunPython.noop)]
