"""An entry's legs: one per account, of the three accounts there are; the balance checked from the new legs alone.

- ``journal_leg_account_once``: unique (entry, account), in place of the legs' plain entry index (the same prefix
  serves an entry's legs). ``journal_leg_account_known``: the account is one of the three (a database CHECK, not
  only the model's choices).
- ``settlement_entry_balanced`` (migrations 0002, 0005) now groups the statement's new legs by entry: each entry
  touched must have received exactly two legs that sum to zero. That is the old rule (an entry holds exactly two
  legs summing to zero once the statement is done) without probing each entry's legs in the table: an entry that
  already had legs had exactly two (every earlier statement was checked alike; legs are never updated or deleted),
  on two of the three accounts, so two more legs would repeat an account and the unique index refuses them, and one
  or three new legs are refused here. Same refusal and message; a run's 800,000-leg check goes from probing the
  entry index once per entry to one hash aggregate of the new rows.
"""

import django.db.models.deletion
from django.db import migrations, models

BALANCED = """
CREATE OR REPLACE FUNCTION settlement_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    -- the statement's new legs per entry: exactly two, summing to zero (an entry's earlier legs, if any, were two
    -- on two of the three accounts: journal_leg_account_once refuses two more)
    SELECT i.entry_id INTO bad
    FROM inserted i
    GROUP BY i.entry_id
    HAVING count(*) <> 2 OR sum(i.amount) <> 0
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unbalanced journal entry %: an entry has exactly two legs that sum to zero', bad
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
"""

# migration 0005's balance check, for going back
BALANCED_0005 = """
CREATE OR REPLACE FUNCTION settlement_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
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


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0007_livesession_partitioned"),
        ("settlement", "0005_indexes_and_references_for_bulk_runs"),
    ]

    operations = [
        # the unique index first: the new check relies on it
        migrations.AddConstraint(
            model_name="journalleg",
            constraint=models.UniqueConstraint(fields=("entry", "account"), name="journal_leg_account_once"),
        ),
        migrations.AddConstraint(
            model_name="journalleg",
            constraint=models.CheckConstraint(
                condition=models.Q(("account__in", ["merchant_payable", "platform_incentive", "provider_receivable"])),
                name="journal_leg_account_known",
            ),
        ),
        migrations.AlterField(
            model_name="journalleg",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="legs",
                to="settlement.journalentry",
            ),
        ),
        migrations.RunSQL(BALANCED, BALANCED_0005),
    ]
