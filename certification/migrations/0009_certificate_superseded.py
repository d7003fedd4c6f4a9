"""Certificate status `superseded` (a tier certificate replaced by a newer one, which names it); state only.

Tier certificates that earlier code marked `expired` when a newer one replaced them become `superseded`."""

from django.db import migrations, models

SQL = """
UPDATE certification_certificate c SET status = 'superseded'
WHERE c.kind = 'provider' AND c.status = 'expired'
  AND EXISTS (SELECT 1 FROM certification_certificate n WHERE n.supersedes_id = c.id)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0008_english_labels'),
    ]

    operations = [
        migrations.AlterField(
            model_name='certificate',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('superseded', 'Superseded'), ('expired', 'Expired'), ('suspended', 'Suspended'), ('revoked', 'Revoked')], default='active', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='certificateevent',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('superseded', 'Superseded'), ('expired', 'Expired'), ('suspended', 'Suspended'), ('revoked', 'Revoked')], default='active', max_length=10, verbose_name='status'),
        ),
        migrations.RunSQL(SQL, migrations.RunSQL.noop),
    ]
