"""The default playbook v1 of DESIGN §12 (content in playbook/defaults.py)."""

from django.db import migrations

from playbook.defaults import create_v1


# Plain SQL: the ORM's cascade would mix these historical models with the audit event models.
REMOVE_V1 = [
    """DELETE FROM playbook_playbookitem WHERE stage_id IN (SELECT s.id FROM playbook_playbookstage s
       JOIN playbook_playbook p ON p.id = s.playbook_id WHERE p.version = 1
       AND NOT EXISTS (SELECT 1 FROM playbook_operationplan o WHERE o.playbook_id = p.id))""",
    """DELETE FROM playbook_playbookstage WHERE playbook_id IN (SELECT p.id FROM playbook_playbook p
       WHERE p.version = 1 AND NOT EXISTS (SELECT 1 FROM playbook_operationplan o WHERE o.playbook_id = p.id))""",
    """DELETE FROM playbook_playbook p WHERE p.version = 1
       AND NOT EXISTS (SELECT 1 FROM playbook_operationplan o WHERE o.playbook_id = p.id)""",
]


def remove_v1(apps, schema_editor):
    for statement in REMOVE_V1:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("playbook", "0001_initial")]
    operations = [migrations.RunPython(create_v1, remove_v1)]
