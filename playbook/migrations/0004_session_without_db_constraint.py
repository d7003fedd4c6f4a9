"""The session foreign keys without a database constraint (providers 0007 partitions the sessions table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Before the sessions table is rebuilt as a partitioned one, whose primary key (id, started_at) no foreign
    # key on id alone can reference: the rebuild drops the old table, which these constraints would forbid.
    run_before = [('providers', '0007_livesession_partitioned')]

    dependencies = [
        ('playbook', '0003_refresh_reviews_schedule'),
        ('providers', '0006_merchant_public_consent'),
    ]

    operations = [
        migrations.AlterField(
            model_name='review',
            name='session',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.livesession'),
        ),
    ]
