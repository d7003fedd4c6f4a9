"""The statement run's rows keep their references without a check per row.

A foreign key checks each inserted row on its own (one lookup and row lock per row and key, run at COMMIT when
deferred): for a month's statements — hundreds of thousands of lines, entries and legs, millions of linked
sessions — that was most of the run. These tables' references to statements, lines, entries, engagements and
providers are checked instead once per INSERT (or UPDATE) statement, set-based, by ``settlement_references_exist``
over the statement's new rows: every reference names an existing row, and the providers' rows named (engagements,
providers) are locked FOR KEY SHARE, as a foreign key's check locks them, so that they cannot be deleted before
the run commits. The other direction: statements and their lines are never deleted (a statement is voided and
replaced; refused like the journal's rows), and an engagement or provider that a statement line, a linked
session or a leg names cannot be deleted (``settlement_still_referenced``). (Journal entries already refuse
DELETE, migration 0002.)
"""

import django.db.models.deletion
from django.db import migrations, models

REFERENCES = """
CREATE FUNCTION settlement_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i int := 0;
    wanted bigint;
    found bigint;
BEGIN
    -- TG_ARGV: triples (column, referenced table, 'lock' or 'keep'); the transition table is "changed"
    WHILE i < TG_NARGS LOOP
        EXECUTE format(
            'WITH k AS MATERIALIZED (SELECT DISTINCT %1$I AS id FROM changed WHERE %1$I IS NOT NULL) '
            'SELECT (SELECT count(*) FROM k), '
            '(SELECT count(*) FROM (SELECT 1 FROM %2$I p JOIN k ON k.id = p.id %3$s) x)',
            TG_ARGV[i], TG_ARGV[i + 1], CASE WHEN TG_ARGV[i + 2] = 'lock' THEN 'FOR KEY SHARE OF p' ELSE '' END
        ) INTO wanted, found;
        IF found <> wanted THEN
            RAISE EXCEPTION '% on % refused: a row''s % names no row of %',
                TG_OP, TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[i + 1]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 3;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION settlement_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'DELETE on % refused: a statement is voided and replaced, never deleted', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
END
$$;

CREATE FUNCTION settlement_still_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i int := 0;
    hit boolean;
BEGIN
    -- TG_ARGV: pairs (referencing table, column)
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[i], TG_ARGV[i + 1])
            INTO hit USING OLD.id;
        IF hit THEN
            RAISE EXCEPTION 'DELETE on % refused: row % is still named by %.%', TG_TABLE_NAME, OLD.id, TG_ARGV[i],
                TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 2;
    END LOOP;
    RETURN OLD;
END
$$;
"""

CHECKED = {  # table: its references (column, referenced table, lock?)
    "settlement_statementline": [
        ("statement_id", "settlement_statement", "keep"),
        ("engagement_id", "providers_engagement", "lock"),
        ("carried_from_id", "settlement_statement", "keep"),
    ],
    "settlement_statementsession": [("statement_id", "settlement_statement", "keep"), ("engagement_id", "providers_engagement", "lock")],
    "settlement_journalentry": [
        ("statement_id", "settlement_statement", "keep"),
        ("line_id", "settlement_statementline", "keep"),
        ("reverses_id", "settlement_journalentry", "keep"),
    ],
    "settlement_journalleg": [("entry_id", "settlement_journalentry", "keep"), ("provider_id", "providers_provider", "lock")],
}
NAMED_BY = {  # referenced table: who names it
    "providers_engagement": [("settlement_statementline", "engagement_id"), ("settlement_statementsession", "engagement_id")],
    "providers_provider": [("settlement_journalleg", "provider_id")],
}
NEVER_DELETED = ["settlement_statement", "settlement_statementline"]


def _args(values) -> str:
    return ", ".join(f"'{v}'" for triple in values for v in triple)


TRIGGERS = "".join(
    f"""
CREATE TRIGGER settlement_references_{event.lower()} AFTER {event} ON {table}
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION settlement_references_exist({_args(refs)});"""
    for table, refs in CHECKED.items()
    for event in ("INSERT", "UPDATE")
) + "".join(
    f"""
CREATE TRIGGER settlement_still_referenced BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION settlement_still_referenced({_args(refs)});"""
    for table, refs in NAMED_BY.items()
) + "".join(
    f"""
CREATE TRIGGER settlement_never_deleted BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION settlement_never_deleted();"""
    for table in NEVER_DELETED
)

UNDO = (
    "".join(
        f"DROP TRIGGER settlement_references_{e} ON {t};" for t in CHECKED for e in ("insert", "update")
    )
    + "".join(f"DROP TRIGGER settlement_still_referenced ON {t};" for t in NAMED_BY)
    + "".join(f"DROP TRIGGER settlement_never_deleted ON {t};" for t in NEVER_DELETED)
    + "DROP FUNCTION settlement_references_exist(); DROP FUNCTION settlement_never_deleted();"
    + "DROP FUNCTION settlement_still_referenced();"
)


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0006_merchant_public_consent'),
        ('settlement', '0002_books_roles_schedule'),
    ]

    operations = [
        migrations.RunSQL(REFERENCES + TRIGGERS, UNDO),
        migrations.RemoveIndex(
            model_name='statementsession',
            name='settlement__stateme_b162a3_idx',
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='line',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='journal_entries', to='settlement.statementline'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='statement',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='journal_entries', to='settlement.statement'),
        ),
        migrations.AlterField(
            model_name='journalleg',
            name='entry',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='legs', to='settlement.journalentry'),
        ),
        migrations.AlterField(
            model_name='journalleg',
            name='provider',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.provider'),
        ),
        migrations.AlterField(
            model_name='statementline',
            name='engagement',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.engagement'),
        ),
        migrations.AlterField(
            model_name='statementline',
            name='statement',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='settlement.statement'),
        ),
        migrations.AlterField(
            model_name='statementsession',
            name='engagement',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.engagement'),
        ),
        migrations.AlterField(
            model_name='statementsession',
            name='statement',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='session_rows', to='settlement.statement'),
        ),
        migrations.AddIndex(
            model_name='statementsession',
            index=models.Index(fields=['engagement', 'for_month', 'statement'], name='statement_session_line'),
        ),
        migrations.AlterField(
            model_name='statementline',
            name='carried_from',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='settlement.statement'),
        ),
        migrations.AddIndex(
            model_name='statementline',
            index=models.Index(condition=models.Q(('carried_from__isnull', False)), fields=['carried_from'], name='statement_line_carried'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='reverses',
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='settlement.journalentry'),
        ),
    ]
