"""Cycle watchdog: a django-celery-beat PeriodicTask every 5 minutes.

It marks failed (and so retryable) a running cycle whose heartbeat is older than the run task's hard
time limit: its worker died or its task was lost (docs/cycles.md).
"""

from django.db import migrations

TASK_NAME = "certification: fail cycles whose run was lost (every 5 minutes)"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "certification.tasks.cycle_watchdog_task", "interval": every, "enabled": True},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0013_verify_ledger_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
