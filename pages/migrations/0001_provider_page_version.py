"""The provider's page version and the triggers that raise it.

Every INSERT, UPDATE or DELETE statement on a table the dashboard shows raises, once per statement and set-based
over the statement's transition tables, the version of each provider whose page the changed rows appear on
(``pages_bump_versions``: its one argument is the query, over ``changed`` — the rows inserted, deleted, or an
UPDATE's rows before and after — of those providers' ids), by one. The rise commits or rolls back with the write, so a page kept under a version (``portal.views``)
is never one the committed data has moved past. A statement that changes no row raises nothing.
"""

from django.db import migrations, models

BUMP = """
CREATE FUNCTION pages_bump_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: a query of the providers' ids over "changed", the statement's rows (an UPDATE's before and
    -- after); raised in id order, so that two writers raising the same providers take their row locks in one order
    EXECUTE format(
        'WITH changed AS (%s) '
        'INSERT INTO pages_providerpageversion (provider_id, n) '
        'SELECT DISTINCT p, 1 FROM (%s) AS ids (p) WHERE p IS NOT NULL ORDER BY 1 '
        'ON CONFLICT (provider_id) DO UPDATE SET n = pages_providerpageversion.n + 1',
        CASE TG_OP
            WHEN 'INSERT' THEN 'SELECT * FROM new_rows'
            WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
            ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows'  -- a row moved: both pages change
        END,
        TG_ARGV[0]
    );
    RETURN NULL;
END
$$;
"""

OWN = "SELECT provider_id FROM changed"
SHOWN = {  # table: the providers whose dashboard shows its changed rows
    "providers_provider": "SELECT id FROM changed",
    "providers_engagement": OWN,  # the merchants served, and whether each opens a diagnosis
    "providers_merchant": "SELECT g.provider_id FROM providers_engagement g JOIN changed c ON c.id = g.merchant_id",
    "providers_employment": OWN,  # whose operator certificates are shown
    "providers_operator": "SELECT e.provider_id FROM providers_employment e JOIN changed c ON c.id = e.operator_id",
    "certification_certificate": (
        "SELECT provider_id FROM changed UNION "
        "SELECT e.provider_id FROM providers_employment e JOIN changed c ON c.operator_id = e.operator_id"
    ),
    "certification_decision": OWN,
    "certification_appeal": OWN,
    "certification_ruleset": "SELECT id FROM providers_provider WHERE EXISTS (SELECT 1 FROM changed)",  # the gap
}
EVENTS = {  # trigger name suffix: (event, its transition tables)
    "ins": ("INSERT", "NEW TABLE AS new_rows"),
    "upd": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "del": ("DELETE", "OLD TABLE AS old_rows"),
}


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def triggers() -> str:
    return "\n".join(
        f"CREATE TRIGGER pages_version_{suffix} AFTER {event} ON {table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION pages_bump_versions({_quote(query)});"
        for table, query in SHOWN.items()
        for suffix, (event, tables) in EVENTS.items()
    )


def drop_triggers() -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS pages_version_{suffix} ON {table};" for table in SHOWN for suffix in EVENTS
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("providers", "0007_livesession_partitioned"),
        ("certification", "0016_decision_read"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProviderPageVersion",
            fields=[
                ("provider_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("n", models.BigIntegerField(default=1)),
            ],
            options={"verbose_name": "provider page version"},
        ),
        migrations.RunSQL(BUMP, "DROP FUNCTION pages_bump_versions();"),
        migrations.RunSQL(triggers(), drop_triggers()),
    ]
