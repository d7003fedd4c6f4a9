"""Nightly ledger verification: a django-celery-beat PeriodicTask at 00:40 Asia/Shanghai.

It verifies the chain against the recorded anchors and, when intact, records the verified head as a new
anchor (docs/ledger.md). 00:40: after the certificate expiry (00:10), before the working day.
"""

from django.db import migrations

TASK_NAME = "certification: verify the ledger (nightly)"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="40", hour="0", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "certification.tasks.verify_ledger_task", "crontab": crontab, "enabled": True},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0012_ledgerverification"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
