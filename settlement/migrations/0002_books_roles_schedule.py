"""The books' protection in PostgreSQL, the finance and payment-system roles, tier incentive v1, the beat job.

- Every INSERT into settlement_journalleg is checked by a statement-level trigger: each entry it touched must
  then hold exactly two legs summing to zero (so both legs go in one statement; an unbalanced entry, a lone
  leg or a third leg is refused and the whole statement rolls back).
- Journal entries and legs are append-only like the decision ledger: plain triggers, enabled ALWAYS, refuse
  UPDATE, DELETE and TRUNCATE; the app's role only has SELECT and INSERT on them (core.dbroles).
"""

import json

from django.db import migrations

BOOKS = """
CREATE FUNCTION settlement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only books: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'Journal rows are only ever inserted; a correction is a reversing entry (docs/settlement.md).';
END
$$;

CREATE FUNCTION settlement_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER journal_entry_balanced AFTER INSERT ON settlement_journalleg
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION settlement_entry_balanced();
ALTER TABLE settlement_journalleg ENABLE ALWAYS TRIGGER journal_entry_balanced;
"""

APPEND_ONLY = """
CREATE TRIGGER append_only_no_update_delete BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION settlement_append_only();
CREATE TRIGGER append_only_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only();
ALTER TABLE {table} ENABLE ALWAYS TRIGGER append_only_no_update_delete;
ALTER TABLE {table} ENABLE ALWAYS TRIGGER append_only_no_truncate;
"""
TABLES = ["settlement_journalentry", "settlement_journalleg"]

UNDO = (
    "DROP TRIGGER journal_entry_balanced ON settlement_journalleg;"
    + "".join(
        f"DROP TRIGGER append_only_no_update_delete ON {t}; DROP TRIGGER append_only_no_truncate ON {t};"
        for t in TABLES
    )
    + "DROP FUNCTION settlement_entry_balanced(); DROP FUNCTION settlement_append_only();"
)

SCHEDULE = "settlement: monthly statements (16th, 02:00 Asia/Shanghai, previous month)"
AUTO_CONFIRM = "settlement: auto-confirm statements 7 days after they were made (every 5 minutes)"
ROLES = ["finance", "payment_system"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    apps.get_model("settlement", "TierIncentiveSchedule").objects.get_or_create(
        version=1, defaults={"effective_from": "2000-01-01", "l1": 0, "l2": 0, "l3": "0.02", "l4": "0.05", "l5": "0.08"}
    )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="16", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=SCHEDULE,
        defaults={
            "task": "settlement.tasks.make_statements_task",
            "crontab": crontab,
            "kwargs": json.dumps({}),
            "enabled": True,
        },
    )
    every5, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=AUTO_CONFIRM,
        defaults={"task": "settlement.tasks.auto_confirm_statements_task", "crontab": every5, "enabled": True},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[SCHEDULE, AUTO_CONFIRM]).delete()
    apps.get_model("settlement", "TierIncentiveSchedule").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [
        migrations.RunSQL(BOOKS + "".join(APPEND_ONLY.format(table=t) for t in TABLES), UNDO),
        migrations.RunPython(forwards, backwards),
    ]
