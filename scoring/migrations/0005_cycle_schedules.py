"""Qualification cycles on a schedule (monthly and quarterly PeriodicTasks); existing cycles pin rule set v1."""

import json

from django.db import migrations

MONTHLY = "scoring: monthly qualification cycle (3rd, 03:00 Asia/Shanghai, previous month)"
QUARTERLY = "scoring: quarterly qualification cycle (3rd of Jan/Apr/Jul/Oct, 03:00, previous quarter)"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, months, kind in ((MONTHLY, "*", "monthly"), (QUARTERLY, "1,4,7,10", "quarterly")):
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour="3", day_of_week="*", day_of_month="3", month_of_year=months, timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": "scoring.tasks.scheduled_cycle_task",
                "crontab": crontab,
                "kwargs": json.dumps({"kind": kind}),
                "enabled": True,
            },
        )
    RuleSet = apps.get_model("certification", "RuleSet")
    v1 = RuleSet.objects.filter(version=1).first()
    if v1 is not None:
        apps.get_model("scoring", "QualificationCycle").objects.filter(rule_set__isnull=True).update(rule_set=v1)


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[MONTHLY, QUARTERLY]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0004_cycle_runs_outcomes"),
        ("certification", "0002_default_ruleset_v1"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
