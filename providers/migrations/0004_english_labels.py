"""Choice labels and verbose names now English msgids (their Chinese is in the zh_Hans catalogue): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0003_livesession_fewer_indexes'),
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
        migrations.AlterField(
            model_name='provider',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('probation', 'Probation'), ('suspended', 'Suspended'), ('delisted', 'Delisted')], default='active', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='provider',
            name='tier',
            field=models.CharField(choices=[('L0', 'L0 Not certified'), ('L1', 'L1 Certified'), ('L2', 'L2 Bronze'), ('L3', 'L3 Silver'), ('L4', 'L4 Gold'), ('L5', 'L5 Platinum')], default='L0', max_length=2, verbose_name='tier'),
        ),
        migrations.AlterField(
            model_name='provider',
            name='type',
            field=models.CharField(choices=[('mcn', 'MCN agency'), ('industrial_belt', 'Industrial-belt provider'), ('brand', 'Brand provider'), ('general', 'General provider')], max_length=20, verbose_name='type'),
        ),
        migrations.AlterField(
            model_name='providerevent',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('probation', 'Probation'), ('suspended', 'Suspended'), ('delisted', 'Delisted')], default='active', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='providerevent',
            name='tier',
            field=models.CharField(choices=[('L0', 'L0 Not certified'), ('L1', 'L1 Certified'), ('L2', 'L2 Bronze'), ('L3', 'L3 Silver'), ('L4', 'L4 Gold'), ('L5', 'L5 Platinum')], default='L0', max_length=2, verbose_name='tier'),
        ),
        migrations.AlterField(
            model_name='providerevent',
            name='type',
            field=models.CharField(choices=[('mcn', 'MCN agency'), ('industrial_belt', 'Industrial-belt provider'), ('brand', 'Brand provider'), ('general', 'General provider')], max_length=20, verbose_name='type'),
        ),
        migrations.AlterField(
            model_name='violation',
            name='severity',
            field=models.CharField(choices=[('minor', 'Minor'), ('major', 'Major'), ('serious', 'Serious')], max_length=10, verbose_name='severity'),
        ),
        migrations.AlterField(
            model_name='violation',
            name='status',
            field=models.CharField(choices=[('confirmed', 'Confirmed'), ('overturned', 'Revoked')], default='confirmed', max_length=12, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='violationevent',
            name='severity',
            field=models.CharField(choices=[('minor', 'Minor'), ('major', 'Major'), ('serious', 'Serious')], max_length=10, verbose_name='severity'),
        ),
        migrations.AlterField(
            model_name='violationevent',
            name='status',
            field=models.CharField(choices=[('confirmed', 'Confirmed'), ('overturned', 'Revoked')], default='confirmed', max_length=12, verbose_name='status'),
        ),
    ]
