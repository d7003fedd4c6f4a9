"""LedgerVerification: the stored results of ledger verifications (the console shows the last one)."""


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0011_ledger_plain_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerVerification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('task_id', models.CharField(blank=True, max_length=64)),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('ok', models.BooleanField(null=True, verbose_name='intact')),
                ('decisions_checked', models.PositiveBigIntegerField(default=0, verbose_name='decisions verified')),
                ('anchors_checked', models.PositiveIntegerField(default=0, verbose_name='known heads checked')),
                ('head_seq', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='head sequence')),
                ('head_hash', models.CharField(blank=True, max_length=64, verbose_name='head hash')),
                ('broken_seq', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='first broken sequence')),
                ('problem', models.CharField(blank=True, max_length=40, verbose_name='problem')),
                ('expected', models.CharField(blank=True, max_length=140, verbose_name='expected')),
                ('stored', models.CharField(blank=True, max_length=140, verbose_name='stored')),
                ('message', models.TextField(blank=True, verbose_name='message')),
                ('requested_by', models.ForeignKey(blank=True, help_text='Empty: the nightly job.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at'],
                'permissions': [('verify_ledger', 'Can start a ledger verification')],
                'indexes': [models.Index(fields=['-finished_at'], name='certificati_finishe_5c66c3_idx')],
            },
        ),
    ]
