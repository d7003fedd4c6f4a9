"""Default RuleSet v1: every number of DESIGN §4."""

from decimal import Decimal

from django.db import migrations

V1 = {
    "version": 1,
    "name": "Default v1",
    "description": "DESIGN §4: L1 40, L2 55, L3 65, L4 75 (+every capability ≥ 50), "
    "L5 85 (+every capability ≥ 60, percentile ≥ 0.97); demotion hysteresis 5; "
    "warning at percentile < 0.10, overall < 30 or not ranked two cycles running; "
    "probation after two consecutive warnings, fix_by = end of the next cycle; "
    "delist proposal on a warning while on probation or a confirmed serious violation.",
    "l1_overall": Decimal("40"),
    "l2_overall": Decimal("55"),
    "l3_overall": Decimal("65"),
    "l4_overall": Decimal("75"),
    "l4_min_capability": Decimal("50"),
    "l5_overall": Decimal("85"),
    "l5_min_capability": Decimal("60"),
    "l5_min_percentile": Decimal("0.97"),
    "demotion_hysteresis": Decimal("5"),
    "warn_percentile_below": Decimal("0.10"),
    "warn_overall_below": Decimal("30"),
    "warn_unranked_cycles": 2,
    "probation_consecutive_warnings": 2,
    "probation_fix_by_cycles": 1,
    "delist_on_warning_in_probation": True,
    "delist_on_serious_violation": True,
}


def create_v1(apps, schema_editor):
    RuleSet = apps.get_model("certification", "RuleSet")
    RuleSet.objects.get_or_create(version=1, defaults=V1)


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]
    operations = [migrations.RunPython(create_v1, migrations.RunPython.noop)]
