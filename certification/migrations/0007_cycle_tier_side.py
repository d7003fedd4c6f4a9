"""A cycle's tier side moves to certification: the rule-set pin (copied into CycleRules), and the outcome and
notification models (state only: their tables keep their names and rows); the beat jobs follow the task."""

import json

import django.db.models.deletion
from django.db import migrations, models

MONTHLY = "scoring: monthly qualification cycle (3rd, 03:00 Asia/Shanghai, previous month)"
QUARTERLY = "scoring: quarterly qualification cycle (3rd of Jan/Apr/Jul/Oct, 03:00, previous quarter)"


def schedule(apps, schema_editor, task="certification.tasks.scheduled_cycle_task"):
    """The monthly and quarterly cycle schedules, now run by certification's task (idempotent)."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, months, kind in ((MONTHLY, "*", "monthly"), (QUARTERLY, "1,4,7,10", "quarterly")):
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour="3", day_of_week="*", day_of_month="3", month_of_year=months, timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "crontab": crontab, "kwargs": json.dumps({"kind": kind})},
        )


def _relabel(apps, old, new):
    # The moved models keep their permissions and audit references: their content types follow them.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model__in=["cycleoutcome", "notification"]).update(app_label=new)


def forwards(apps, schema_editor):
    schedule(apps, schema_editor)
    _relabel(apps, "scoring", "certification")


def backwards(apps, schema_editor):
    schedule(apps, schema_editor, task="scoring.tasks.scheduled_cycle_task")
    _relabel(apps, "certification", "scoring")


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0006_flag_overdue_appeals_schedule'),
        ('providers', '0003_livesession_fewer_indexes'),
        ('scoring', '0005_cycle_schedules'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='CycleRules',
            fields=[
                ('cycle', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='rules', serialize=False, to='scoring.qualificationcycle')),
                ('rule_set', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cycles', to='certification.ruleset')),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO certification_cyclerules (cycle_id, rule_set_id) "
            "SELECT id, rule_set_id FROM scoring_qualificationcycle WHERE rule_set_id IS NOT NULL",
            "UPDATE scoring_qualificationcycle c SET rule_set_id = r.rule_set_id FROM certification_cyclerules r "
            "WHERE r.cycle_id = c.id",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CycleOutcome',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cohort', models.CharField(max_length=20, verbose_name='cohort (provider type)')),
                        ('status_before', models.CharField(max_length=20, verbose_name='provider status at computation')),
                        ('ranked', models.BooleanField(verbose_name='ranked')),
                        ('overall', models.DecimalField(blank=True, decimal_places=4, max_digits=9, null=True, verbose_name='overall score')),
                        ('current_tier', models.CharField(max_length=2, verbose_name='current tier')),
                        ('proposed_tier', models.CharField(max_length=2, verbose_name='proposed tier')),
                        ('change', models.CharField(choices=[('promote', '晋级'), ('demote', '降级'), ('none', '不变')], max_length=10, verbose_name='change')),
                        ('warn', models.BooleanField(default=False, verbose_name='warning')),
                        ('probation', models.BooleanField(default=False, verbose_name='probation')),
                        ('delist_proposal', models.BooleanField(default=False, verbose_name='delisting proposal')),
                        ('reasons', models.JSONField(default=list, verbose_name='reasons')),
                        ('fix_by', models.DateTimeField(blank=True, null=True, verbose_name='fix by (end of probation)')),
                        ('cycle', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outcomes', to='scoring.qualificationcycle')),
                        ('provider', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cycle_outcomes', to='providers.provider')),
                    ],
                    options={
                        'db_table': 'scoring_cycleoutcome',
                        'ordering': ['cycle', 'cohort', 'provider'],
                        'indexes': [models.Index(fields=['provider', 'cycle'], name='scoring_cyc_provide_05c23f_idx')],
                        'constraints': [models.UniqueConstraint(fields=('cycle', 'provider'), name='outcome_once_per_cycle_provider')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=20, verbose_name='kind')),
                        ('text', models.TextField(verbose_name='text')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('read', models.BooleanField(default=False, verbose_name='read')),
                        ('cycle', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='scoring.qualificationcycle')),
                        ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='providers.provider')),
                    ],
                    options={
                        'db_table': 'scoring_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['provider', '-created_at'], name='scoring_not_provide_e3155e_idx')],
                    },
                ),
                    ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
