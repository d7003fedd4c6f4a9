"""The ledger's protection as plain PostgreSQL triggers that no session setting can switch off.

django-pgtrigger's triggers consult the `pgtrigger.ignore` setting, which any connection may SET: an
app connection naming the ledger's triggers there could UPDATE, DELETE or TRUNCATE decisions. These
triggers call a function that always raises; they are enabled ALWAYS, so `session_replication_role`
does not skip them either. Only the tables' owner can disable them (docs/ledger.md).
"""

import pgtrigger.migrations
from django.db import migrations

TABLES = ["certification_decision", "certification_decisionapproval"]

FUNCTION = """
CREATE FUNCTION certification_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only ledger: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'Ledger rows are only ever inserted (docs/ledger.md).';
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER append_only_no_update_delete BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION certification_append_only();
CREATE TRIGGER append_only_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION certification_append_only();
ALTER TABLE {table} ENABLE ALWAYS TRIGGER append_only_no_update_delete;
ALTER TABLE {table} ENABLE ALWAYS TRIGGER append_only_no_truncate;
"""

DROP_TRIGGERS = """
DROP TRIGGER append_only_no_update_delete ON {table};
DROP TRIGGER append_only_no_truncate ON {table};
"""


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0010_notification_params_reason_codes"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION + "".join(TRIGGERS.format(table=table) for table in TABLES),
            "".join(DROP_TRIGGERS.format(table=table) for table in TABLES)
            + "DROP FUNCTION certification_append_only();",
        ),
        pgtrigger.migrations.RemoveTrigger(model_name="decision", name="decision_no_update_delete"),
        pgtrigger.migrations.RemoveTrigger(model_name="decision", name="decision_no_truncate"),
        pgtrigger.migrations.RemoveTrigger(model_name="decisionapproval", name="decisionapproval_no_update_delete"),
        pgtrigger.migrations.RemoveTrigger(model_name="decisionapproval", name="decisionapproval_no_truncate"),
    ]
