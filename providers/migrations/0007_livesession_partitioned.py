"""providers_livesession partitioned by Shanghai month of started_at, external_id unique through LiveSessionKey.

The table is rebuilt (providers/partitions.py): a partitioned table with a default partition and one partition
per month that has sessions, every row copied with its id, then its CHECK and foreign-key constraints, indexes
and triggers (the audit's, the ecosystem rollups') recreated as they were. The primary key becomes
(id, started_at); the foreign keys into the table lost their database constraint first (settlement 0003,
playbook 0004 run before this). The key table is filled from the rows and kept by triggers from then on. The
nightly job (02:20 Asia/Shanghai) makes the months ahead; this migration makes this month and the next three.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from providers.partitions import (
    DROP_KEY_TRIGGERS_SQL,
    KEY_TRIGGERS_SQL,
    partition_sessions,
    partitions_maintain,
    unpartition_sessions,
)


def partition(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        partition_sessions(cursor)


def unpartition(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        unpartition_sessions(cursor)


def grant(apps, schema_editor):
    from core.dbroles import app_role

    quote = schema_editor.connection.ops.quote_name
    schema_editor.execute(f"GRANT EXECUTE ON FUNCTION providers_session_partitions(date, date) TO {quote(app_role())}")


def months_ahead(apps, schema_editor):
    partitions_maintain()


SCHEDULE = ("providers: session partitions ahead (nightly)", "providers.tasks.maintain_session_partitions_task")


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="20", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=SCHEDULE[0], defaults={"task": SCHEDULE[1], "crontab": crontab, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE[0]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0006_merchant_public_consent'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='LiveSessionKey',
            fields=[
                ('external_id', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ('session_id', models.BigIntegerField()),
                ('started_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['external_id'],
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='livesession',
            name='delete_delete',
        ),
        migrations.RemoveConstraint(
            model_name='livesession',
            name='session_external_id_unique',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='livesession',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "providers_livesessionevent" ("batch_id", "duration_minutes", "external_id", "gmv", "id", "merchant_id", "new_followers", "operator_id", "orders", "paid_gmv", "paid_spend", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "provider_id", "refund_amount", "skus_listed", "skus_sold", "started_at", "viewers") SELECT _moved."batch_id", _moved."duration_minutes", _moved."external_id", _moved."gmv", _moved."id", _moved."merchant_id", _moved."new_followers", _moved."operator_id", _moved."orders", _moved."paid_gmv", _moved."paid_spend", _pgh_attach_context(), NOW(), \'update\', _moved."id", _moved."provider_id", _moved."refund_amount", _moved."skus_listed", _moved."skus_sold", _moved."started_at", _moved."viewers" FROM "providers_livesession" _moved WHERE _moved."id" = OLD."id"; IF NOT FOUND THEN INSERT INTO "providers_livesessionevent" ("batch_id", "duration_minutes", "external_id", "gmv", "id", "merchant_id", "new_followers", "operator_id", "orders", "paid_gmv", "paid_spend", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "provider_id", "refund_amount", "skus_listed", "skus_sold", "started_at", "viewers") VALUES (OLD."batch_id", OLD."duration_minutes", OLD."external_id", OLD."gmv", OLD."id", OLD."merchant_id", OLD."new_followers", OLD."operator_id", OLD."orders", OLD."paid_gmv", OLD."paid_spend", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."provider_id", OLD."refund_amount", OLD."skus_listed", OLD."skus_sold", OLD."started_at", OLD."viewers"); END IF; RETURN NULL;', hash='ebb7fb8110e7f40630d8dea796aaed5e3927a5a9', operation='DELETE', pgid='pgtrigger_delete_delete_d5f13', table='providers_livesession', when='AFTER')),
        ),
        migrations.RunPython(partition, unpartition),
        migrations.RunSQL(KEY_TRIGGERS_SQL, DROP_KEY_TRIGGERS_SQL),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(months_ahead, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
