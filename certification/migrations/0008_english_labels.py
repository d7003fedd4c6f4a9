"""Choice labels and verbose names now English msgids (their Chinese is in the zh_Hans catalogue): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0007_cycle_tier_side'),
    ]

    operations = [
        migrations.AlterField(
            model_name='appeal',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('upheld', 'Decision upheld (appeal rejected)'), ('overturned', 'Decision overturned (appeal granted)')], default='open', max_length=12, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='appealevent',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('upheld', 'Decision upheld (appeal rejected)'), ('overturned', 'Decision overturned (appeal granted)')], default='open', max_length=12, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='kind',
            field=models.CharField(choices=[('provider', 'Provider tier certificate'), ('operator', 'Operator certificate')], max_length=10, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='level',
            field=models.CharField(choices=[('L1', 'L1 Certified'), ('L2', 'L2 Bronze'), ('L3', 'L3 Silver'), ('L4', 'L4 Gold'), ('L5', 'L5 Platinum'), ('junior', 'Junior operator'), ('intermediate', 'Intermediate operator'), ('senior', 'Senior operator')], max_length=12, verbose_name='level'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('expired', 'Expired'), ('suspended', 'Suspended'), ('revoked', 'Revoked')], default='active', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='certificatecounter',
            name='kind',
            field=models.CharField(choices=[('provider', 'Provider tier certificate'), ('operator', 'Operator certificate')], max_length=10),
        ),
        migrations.AlterField(
            model_name='certificateevent',
            name='kind',
            field=models.CharField(choices=[('provider', 'Provider tier certificate'), ('operator', 'Operator certificate')], max_length=10, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='certificateevent',
            name='level',
            field=models.CharField(choices=[('L1', 'L1 Certified'), ('L2', 'L2 Bronze'), ('L3', 'L3 Silver'), ('L4', 'L4 Gold'), ('L5', 'L5 Platinum'), ('junior', 'Junior operator'), ('intermediate', 'Intermediate operator'), ('senior', 'Senior operator')], max_length=12, verbose_name='level'),
        ),
        migrations.AlterField(
            model_name='certificateevent',
            name='status',
            field=models.CharField(choices=[('active', 'Active'), ('expired', 'Expired'), ('suspended', 'Suspended'), ('revoked', 'Revoked')], default='active', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='cycleoutcome',
            name='change',
            field=models.CharField(choices=[('promote', 'Promoted'), ('demote', 'Demoted'), ('none', 'Unchanged')], max_length=10, verbose_name='change'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='kind',
            field=models.CharField(choices=[('admit', 'Admit'), ('reject', 'Reject'), ('certify', 'Certify'), ('promote', 'Promote'), ('demote', 'Demote'), ('warn', 'Warning'), ('probation', 'Probation'), ('delist', 'Delist'), ('reinstate', 'Reinstate'), ('suspend', 'Suspend'), ('appeal_upheld', 'Appeal: decision upheld'), ('appeal_overturned', 'Appeal: decision overturned')], max_length=20, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='decision',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('effective', 'Effective'), ('rejected', 'Rejected')], default='effective', max_length=10, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='ruleset',
            name='l1_overall',
            field=models.DecimalField(decimal_places=4, max_digits=7, verbose_name='L1 Certified: overall ≥'),
        ),
        migrations.AlterField(
            model_name='ruleset',
            name='l2_overall',
            field=models.DecimalField(decimal_places=4, max_digits=7, verbose_name='L2 Bronze: overall ≥'),
        ),
        migrations.AlterField(
            model_name='ruleset',
            name='l3_overall',
            field=models.DecimalField(decimal_places=4, max_digits=7, verbose_name='L3 Silver: overall ≥'),
        ),
        migrations.AlterField(
            model_name='ruleset',
            name='l4_overall',
            field=models.DecimalField(decimal_places=4, max_digits=7, verbose_name='L4 Gold: overall ≥'),
        ),
        migrations.AlterField(
            model_name='ruleset',
            name='l5_overall',
            field=models.DecimalField(decimal_places=4, max_digits=7, verbose_name='L5 Platinum: overall ≥'),
        ),
    ]
