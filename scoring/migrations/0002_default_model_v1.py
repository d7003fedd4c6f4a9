"""Data migration: the default five-capability model, version 1 (DESIGN §3)."""

from decimal import Decimal

from django.db import migrations

V1 = [
    ("growth", "30", [("gmv_uplift", "0.5", "up"), ("leap_rate", "0.3", "up"), ("merchant_retention", "0.2", "up")]),
    (
        "content",
        "20",
        [("gpm", "0.5", "up"), ("followers_per_session", "0.3", "up"), ("live_hours_per_merchant_week", "0.2", "up")],
    ),
    ("traffic", "15", [("paid_roi", "0.6", "up"), ("loss_session_rate", "0.4", "down")]),
    (
        "product",
        "15",
        [("refund_rate", "0.5", "down"), ("sell_through", "0.3", "up"), ("orders_per_1k_viewers", "0.2", "up")],
    ),
    (
        "service",
        "20",
        [
            ("complaints_per_1k_orders", "0.4", "down"),
            ("violation_points", "0.4", "down"),
            ("certified_operator_ratio", "0.2", "up"),
        ],
    ),
]


def create_v1(apps, schema_editor):
    CapabilityModel = apps.get_model("scoring", "CapabilityModel")
    Capability = apps.get_model("scoring", "Capability")
    Metric = apps.get_model("scoring", "Metric")
    if CapabilityModel.objects.filter(version=1).exists():
        return
    model = CapabilityModel.objects.create(version=1, name="五力模型 v1 (default)")
    for key, weight, metrics in V1:
        capability = Capability.objects.create(model=model, key=key, weight=Decimal(weight))
        for m_key, m_weight, direction in metrics:
            Metric.objects.create(capability=capability, key=m_key, weight=Decimal(m_weight), direction=direction)


def remove_v1(apps, schema_editor):
    CapabilityModel = apps.get_model("scoring", "CapabilityModel")
    CapabilityModel.objects.filter(version=1, cycles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(create_v1, remove_v1)]
