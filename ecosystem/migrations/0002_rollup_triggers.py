"""The rollups' triggers on providers_livesession (ecosystem/rollups.py), and the rollups of the sessions already stored."""

from django.db import migrations

from ecosystem.rollups import BACKFILL_SQL, DROP_TRIGGERS_SQL, TRIGGERS_SQL


class Migration(migrations.Migration):
    dependencies = [
        ("ecosystem", "0001_initial"),
        ("providers", "0005_admission_moves_out"),
    ]
    operations = [
        migrations.RunSQL(TRIGGERS_SQL + BACKFILL_SQL, DROP_TRIGGERS_SQL),
    ]
