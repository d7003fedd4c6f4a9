"""Choice labels now English msgids (their Chinese is in the zh_Hans catalogue): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('admission', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='admissionapplication',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('admitted', 'Admitted'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], db_index=True, default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='admissionapplication',
            name='type',
            field=models.CharField(choices=[('mcn', 'MCN agency'), ('industrial_belt', 'Industrial-belt provider'), ('brand', 'Brand provider'), ('general', 'General provider')], max_length=20, verbose_name='type'),
        ),
        migrations.AlterField(
            model_name='admissionapplicationevent',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('under_review', 'Under review'), ('admitted', 'Admitted'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='admissionapplicationevent',
            name='type',
            field=models.CharField(choices=[('mcn', 'MCN agency'), ('industrial_belt', 'Industrial-belt provider'), ('brand', 'Brand provider'), ('general', 'General provider')], max_length=20, verbose_name='type'),
        ),
        migrations.AlterField(
            model_name='admissiondocument',
            name='kind',
            field=models.CharField(choices=[('business_licence', 'Business licence')], max_length=30, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='admissiondocumentevent',
            name='kind',
            field=models.CharField(choices=[('business_licence', 'Business licence')], max_length=30, verbose_name='kind'),
        ),
    ]
