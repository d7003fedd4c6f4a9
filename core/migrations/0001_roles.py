"""Create the staff role groups (their permissions are kept in step by core.roles.sync_roles)."""

from django.db import migrations

ROLES = ["admission_reviewer", "cycle_manager", "appeal_reviewer", "auditor", "data_pipeline"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
