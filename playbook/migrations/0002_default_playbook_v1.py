"""The default playbook v1 of DESIGN §12 (content in playbook/defaults.py)."""

from django.db import migrations

from playbook.defaults import create_v1


def remove_v1(apps, schema_editor):
    apps.get_model("playbook", "Playbook").objects.filter(version=1, plans__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("playbook", "0001_initial")]
    operations = [migrations.RunPython(create_v1, remove_v1)]
