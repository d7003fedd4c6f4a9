"""Choice labels and verbose names now English msgids (their Chinese is in the zh_Hans catalogue): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0006_cycle_tier_side_moved'),
    ]

    operations = [
        migrations.AlterField(
            model_name='capability',
            name='key',
            field=models.CharField(choices=[('growth', 'Growth'), ('content', 'Content'), ('traffic', 'Traffic'), ('product', 'Product'), ('service', 'Service')], max_length=20, verbose_name='key'),
        ),
        migrations.AlterField(
            model_name='capabilityevent',
            name='key',
            field=models.CharField(choices=[('growth', 'Growth'), ('content', 'Content'), ('traffic', 'Traffic'), ('product', 'Product'), ('service', 'Service')], max_length=20, verbose_name='key'),
        ),
        migrations.AlterField(
            model_name='capabilityscore',
            name='key',
            field=models.CharField(choices=[('growth', 'Growth'), ('content', 'Content'), ('traffic', 'Traffic'), ('product', 'Product'), ('service', 'Service')], max_length=20),
        ),
        migrations.AlterField(
            model_name='metric',
            name='direction',
            field=models.CharField(choices=[('up', 'Higher is better'), ('down', 'Lower is better')], max_length=4, verbose_name='direction'),
        ),
        migrations.AlterField(
            model_name='metric',
            name='key',
            field=models.CharField(choices=[('gmv_uplift', 'Single-session GMV uplift'), ('leap_rate', 'Merchant leap rate'), ('merchant_retention', 'Merchant retention'), ('gpm', 'GMV per 1,000 views (GPM)'), ('followers_per_session', 'New followers per session'), ('live_hours_per_merchant_week', 'Live hours per merchant-week'), ('paid_roi', 'Paid ROI'), ('loss_session_rate', 'Share of loss-making paid sessions'), ('refund_rate', 'Refund rate'), ('sell_through', 'Sell-through'), ('orders_per_1k_viewers', 'Orders per 1,000 viewers'), ('complaints_per_1k_orders', 'Complaints per 1,000 orders'), ('violation_points', 'Violation points'), ('certified_operator_ratio', 'Certified-operator ratio')], max_length=40, verbose_name='key'),
        ),
        migrations.AlterField(
            model_name='metricevent',
            name='direction',
            field=models.CharField(choices=[('up', 'Higher is better'), ('down', 'Lower is better')], max_length=4, verbose_name='direction'),
        ),
        migrations.AlterField(
            model_name='metricevent',
            name='key',
            field=models.CharField(choices=[('gmv_uplift', 'Single-session GMV uplift'), ('leap_rate', 'Merchant leap rate'), ('merchant_retention', 'Merchant retention'), ('gpm', 'GMV per 1,000 views (GPM)'), ('followers_per_session', 'New followers per session'), ('live_hours_per_merchant_week', 'Live hours per merchant-week'), ('paid_roi', 'Paid ROI'), ('loss_session_rate', 'Share of loss-making paid sessions'), ('refund_rate', 'Refund rate'), ('sell_through', 'Sell-through'), ('orders_per_1k_viewers', 'Orders per 1,000 viewers'), ('complaints_per_1k_orders', 'Complaints per 1,000 orders'), ('violation_points', 'Violation points'), ('certified_operator_ratio', 'Certified-operator ratio')], max_length=40, verbose_name='key'),
        ),
        migrations.AlterField(
            model_name='metricscore',
            name='capability_key',
            field=models.CharField(choices=[('growth', 'Growth'), ('content', 'Content'), ('traffic', 'Traffic'), ('product', 'Product'), ('service', 'Service')], max_length=20),
        ),
        migrations.AlterField(
            model_name='metricscore',
            name='direction',
            field=models.CharField(choices=[('up', 'Higher is better'), ('down', 'Lower is better')], max_length=4),
        ),
        migrations.AlterField(
            model_name='metricscore',
            name='key',
            field=models.CharField(choices=[('gmv_uplift', 'Single-session GMV uplift'), ('leap_rate', 'Merchant leap rate'), ('merchant_retention', 'Merchant retention'), ('gpm', 'GMV per 1,000 views (GPM)'), ('followers_per_session', 'New followers per session'), ('live_hours_per_merchant_week', 'Live hours per merchant-week'), ('paid_roi', 'Paid ROI'), ('loss_session_rate', 'Share of loss-making paid sessions'), ('refund_rate', 'Refund rate'), ('sell_through', 'Sell-through'), ('orders_per_1k_viewers', 'Orders per 1,000 viewers'), ('complaints_per_1k_orders', 'Complaints per 1,000 orders'), ('violation_points', 'Violation points'), ('certified_operator_ratio', 'Certified-operator ratio')], max_length=40),
        ),
        migrations.AlterField(
            model_name='providerscore',
            name='reason',
            field=models.CharField(blank=True, choices=[('insufficient_activity', 'Insufficient activity')], max_length=30, verbose_name='reason not ranked'),
        ),
        migrations.AlterField(
            model_name='qualificationcycle',
            name='kind',
            field=models.CharField(choices=[('monthly', 'Monthly'), ('quarterly', 'Quarterly'), ('simulation', 'Simulation')], max_length=12, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='qualificationcycle',
            name='status',
            field=models.CharField(choices=[('scheduled', 'Scheduled'), ('running', 'Running'), ('computed', 'Computed (preview)'), ('published', 'Published'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='scheduled', max_length=12, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='qualificationcycleevent',
            name='kind',
            field=models.CharField(choices=[('monthly', 'Monthly'), ('quarterly', 'Quarterly'), ('simulation', 'Simulation')], max_length=12, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='qualificationcycleevent',
            name='status',
            field=models.CharField(choices=[('scheduled', 'Scheduled'), ('running', 'Running'), ('computed', 'Computed (preview)'), ('published', 'Published'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='scheduled', max_length=12, verbose_name='status'),
        ),
    ]
