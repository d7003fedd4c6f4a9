"""The tier side of a cycle now lives in certification (0007 copied the rule-set pins): drop the pin column, and
forget the outcome and notification models, whose tables certification keeps using."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0005_cycle_schedules'),
        ('certification', '0007_cycle_tier_side'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='qualificationcycle',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='qualificationcycle',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='qualificationcycle',
            name='delete_delete',
        ),
        migrations.RemoveField(
            model_name='qualificationcycle',
            name='rule_set',
        ),
        migrations.RemoveField(
            model_name='qualificationcycleevent',
            name='rule_set',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='qualificationcycle',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scoring_qualificationcycleevent" ("capability_model_id", "confidence_sessions", "created_at", "created_by_id", "error", "finished_at", "heartbeat_at", "id", "kind", "min_sessions", "percent", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "published_by_id", "run_token", "stage", "started_at", "status", "window_end", "window_start") VALUES (NEW."capability_model_id", NEW."confidence_sessions", NEW."created_at", NEW."created_by_id", NEW."error", NEW."finished_at", NEW."heartbeat_at", NEW."id", NEW."kind", NEW."min_sessions", NEW."percent", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."published_at", NEW."published_by_id", NEW."run_token", NEW."stage", NEW."started_at", NEW."status", NEW."window_end", NEW."window_start"); RETURN NULL;', hash='d67e299313dbb92ddb80aa440168987a1674c1af', operation='INSERT', pgid='pgtrigger_insert_insert_637f9', table='scoring_qualificationcycle', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='qualificationcycle',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "scoring_qualificationcycleevent" ("capability_model_id", "confidence_sessions", "created_at", "created_by_id", "error", "finished_at", "heartbeat_at", "id", "kind", "min_sessions", "percent", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "published_by_id", "run_token", "stage", "started_at", "status", "window_end", "window_start") VALUES (NEW."capability_model_id", NEW."confidence_sessions", NEW."created_at", NEW."created_by_id", NEW."error", NEW."finished_at", NEW."heartbeat_at", NEW."id", NEW."kind", NEW."min_sessions", NEW."percent", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."published_at", NEW."published_by_id", NEW."run_token", NEW."stage", NEW."started_at", NEW."status", NEW."window_end", NEW."window_start"); RETURN NULL;', hash='8dbf612244c1537eef4fae033036cab8a8277efe', operation='UPDATE', pgid='pgtrigger_update_update_292a2', table='scoring_qualificationcycle', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='qualificationcycle',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "scoring_qualificationcycleevent" ("capability_model_id", "confidence_sessions", "created_at", "created_by_id", "error", "finished_at", "heartbeat_at", "id", "kind", "min_sessions", "percent", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "published_at", "published_by_id", "run_token", "stage", "started_at", "status", "window_end", "window_start") VALUES (OLD."capability_model_id", OLD."confidence_sessions", OLD."created_at", OLD."created_by_id", OLD."error", OLD."finished_at", OLD."heartbeat_at", OLD."id", OLD."kind", OLD."min_sessions", OLD."percent", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."published_at", OLD."published_by_id", OLD."run_token", OLD."stage", OLD."started_at", OLD."status", OLD."window_end", OLD."window_start"); RETURN NULL;', hash='f71278a2fd0eb3da80960445a36a7b3318e3e9d1', operation='DELETE', pgid='pgtrigger_delete_delete_3fb66', table='scoring_qualificationcycle', when='AFTER')),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CycleOutcome'),
                migrations.DeleteModel(name='Notification'),
            ],
        ),
    ]
