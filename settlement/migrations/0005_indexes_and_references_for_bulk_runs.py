"""The statement run writes fewer index entries and checks its references with an anti-join.

- Indexes: the linked sessions are not indexed by session (nothing reads them so; the sessions are never deleted),
  journal entries not by line (lines are never deleted, nothing reads an entry by its line), and an entry's
  ``reverses`` is unique where set (a partial unique index, not one holding a NULL for every entry of a run).
- ``settlement_references_exist`` (migration 0003) checks a reference that locks nothing (statements, lines,
  entries) with one anti-join of the statement's new rows against the table they name, instead of gathering the
  distinct keys and counting the rows they join (for a line or an entry named once or twice, the distinct keys were
  most of the work). The references whose rows a foreign key's check would lock (engagements, providers) are
  checked as before: each distinct key locked FOR KEY SHARE once, and counted. Same refusals, same messages.
- ``settlement_entry_balanced`` (migration 0002) counts and sums the legs of each entry the INSERT touched through
  the legs' entry index, one entry at a time: its work grows with the legs inserted, where its join of those
  entries with the legs in entry order read the whole index (every month's legs). Same refusal.
"""

import django.db.models.deletion
from django.db import migrations, models

REFERENCES = """
CREATE OR REPLACE FUNCTION settlement_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i int := 0;
    wanted bigint;
    found bigint;
    missing boolean;
BEGIN
    -- TG_ARGV: triples (column, referenced table, 'lock' or 'keep'); the transition table is "changed"
    WHILE i < TG_NARGS LOOP
        IF TG_ARGV[i + 2] = 'lock' THEN
            -- as a foreign key's check: the rows named are locked FOR KEY SHARE (each once: the distinct keys),
            -- and every key found a row
            EXECUTE format(
                'WITH k AS MATERIALIZED (SELECT DISTINCT %1$I AS id FROM changed WHERE %1$I IS NOT NULL) '
                'SELECT (SELECT count(*) FROM k), '
                '(SELECT count(*) FROM (SELECT 1 FROM %2$I p JOIN k ON k.id = p.id FOR KEY SHARE OF p) x)',
                TG_ARGV[i], TG_ARGV[i + 1]
            ) INTO wanted, found;
            missing := found <> wanted;
        ELSE  -- an anti-join: no row of the statement names a missing one (no distinct keys to gather first)
            EXECUTE format(
                'SELECT EXISTS (SELECT 1 FROM changed c WHERE c.%1$I IS NOT NULL '
                'AND NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.id = c.%1$I))',
                TG_ARGV[i], TG_ARGV[i + 1]
            ) INTO missing;
        END IF;
        IF missing THEN
            RAISE EXCEPTION '% on % refused: a row''s % names no row of %',
                TG_OP, TG_TABLE_NAME, TG_ARGV[i], TG_ARGV[i + 1]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 3;
    END LOOP;
    RETURN NULL;
END
$$;
"""

BALANCED = """
CREATE OR REPLACE FUNCTION settlement_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    -- each entry the statement touched, its legs counted and summed through the entry's index: the work grows
    -- with the rows inserted, not with the books (a join of the entries with every leg in order did)
    SELECT k.entry_id INTO bad
    FROM (SELECT DISTINCT entry_id FROM inserted) k
    CROSS JOIN LATERAL (
        SELECT count(*) AS n, sum(l.amount) AS total FROM settlement_journalleg l WHERE l.entry_id = k.entry_id
    ) t
    WHERE t.n <> 2 OR t.total <> 0
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unbalanced journal entry %: an entry has exactly two legs that sum to zero', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
"""

# migration 0002's balance check, for going back
BALANCED_0002 = """
CREATE OR REPLACE FUNCTION settlement_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT l.entry_id INTO bad
    FROM settlement_journalleg l
    WHERE l.entry_id IN (SELECT DISTINCT entry_id FROM inserted)
    GROUP BY l.entry_id
    HAVING count(*) <> 2 OR sum(l.amount) <> 0
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unbalanced journal entry %: an entry has exactly two legs that sum to zero', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
"""

# migration 0003's function, for going back
REFERENCES_0003 = """
CREATE OR REPLACE FUNCTION settlement_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0007_livesession_partitioned'),
        ('settlement', '0004_merge'),
    ]

    operations = [
        migrations.RunSQL(REFERENCES, REFERENCES_0003),
        migrations.RunSQL(BALANCED, BALANCED_0002),
        migrations.AlterField(
            model_name='journalentry',
            name='line',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='journal_entries', to='settlement.statementline'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='reverses',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='settlement.journalentry'),
        ),
        migrations.AlterField(
            model_name='statementsession',
            name='session',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.livesession'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.UniqueConstraint(condition=models.Q(('reverses__isnull', False)), fields=('reverses',), name='journal_entry_reversed_once'),
        ),
    ]
