"""Reasons become codes with parameters: stored cycle outcomes are converted once (ledger rows stay as written);
notifications keep their parameters so pages word them in the reader's language."""

import re
from decimal import Decimal

from django.db import migrations, models

# The English shapes the rules engine stored before reasons had codes, read once into {code, params}.
NUMBER = r"-?\d+(?:\.\d+)?(?:E[+-]?\d+)?"
SHAPES = [
    (r"promote: bar of (?P<tier>L\d) met", "promote_bar_met"),
    (rf"demote: overall (?P<overall>{NUMBER}) < (?P<floor>{NUMBER}) \((?P<tier>L\d) bar − hysteresis\)",
     "demote_below_floor"),
    (rf"warn: percentile (?P<percentile>{NUMBER}) < (?P<bar>{NUMBER})", "warn_percentile"),
    (rf"warn: overall (?P<overall>{NUMBER}) < (?P<bar>{NUMBER})", "warn_overall"),
    (r"warn: not ranked (?P<cycles>\d+) cycles running", "warn_unranked"),
    (r"not_ranked: keeps level", "not_ranked_keeps_level"),
    (r"probation: warned (?P<cycles>\d+) consecutive cycles", "probation_consecutive_warnings"),
    (r"delist_proposal: warned again while on probation", "delist_warned_in_probation"),
    (r"delist_proposal: confirmed serious violation (?P<violations>#\d+(?:, #\d+)*)", "delist_serious_violation"),
    (r"delisted: no rules apply", "delisted_no_rules"),
]


def _coded(text):
    for pattern, code in SHAPES:
        m = re.fullmatch(pattern, text)
        if m:
            params = m.groupdict()
            if "violations" in params:
                params["violations"] = [int(v) for v in re.findall(r"\d+", params["violations"])]
            for key in ("overall", "floor", "percentile", "bar"):
                if key in params:
                    params[key] = format(Decimal(params[key]), "f")
            if "cycles" in params:
                params["cycles"] = int(params["cycles"])
            return {"code": code, "params": params}
    return text  # no known shape: kept as it was


def outcomes_to_codes(apps, schema_editor):
    CycleOutcome = apps.get_model("certification", "CycleOutcome")
    changed = []
    for outcome in CycleOutcome.objects.exclude(reasons=[]).iterator(chunk_size=2000):
        coded = [_coded(r) if isinstance(r, str) else r for r in outcome.reasons]
        if coded != outcome.reasons:
            outcome.reasons = coded
            changed.append(outcome)
    CycleOutcome.objects.bulk_update(changed, ["reasons"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0009_certificate_superseded'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='params',
            field=models.JSONField(blank=True, default=dict, verbose_name='parameters'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='text',
            field=models.TextField(help_text='In English, as e-mailed; pages read it from kind and params.', verbose_name='text'),
        ),
        migrations.RunPython(outcomes_to_codes, migrations.RunPython.noop),
    ]
