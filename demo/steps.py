"""The demo platform, step by step across the apps (each app's demo module makes its own rows).

Each step reads what the steps before it made and bulk-inserts its own rows, with its own random stream
(see providers/demo.py), so adding a step never changes the earlier ones.
"""

import time
from collections.abc import Callable

from django.db import transaction

from admission.demo import make_admission_applications
from certification.demo import make_appeals, make_certified_operators, make_cycles
from core import dbroles
from core.dates import add_months
from ecosystem.demo import HISTORY_MONTHS, make_ecosystem
from live.demo import make_live_streams
from playbook.demo import make_operation_plans
from providers import demo as providers_demo
from providers.demo import Demo, DemoConfig
from providers.models import Employment, Engagement, LiveSession, Merchant, Operator, Provider
from providers.partitions import partitions_ensure
from settlement.demo import make_settlement

# The order matters: each step reads what the steps before it made.
STEPS: list[tuple[str, Callable[[Demo], None]]] = [
    ("providers", providers_demo.make_providers),
    ("operators", providers_demo.make_operators),
    ("merchants", providers_demo.make_merchants),
    ("live_sessions", providers_demo.make_live_sessions),
    ("violations", providers_demo.make_violations),
    ("complaints", providers_demo.make_complaints),
    ("logins", providers_demo.make_logins),
    ("cycles", make_cycles),
    ("certified_operators", make_certified_operators),
    ("appeals", make_appeals),
    ("admission_applications", make_admission_applications),
    ("operation_plans", make_operation_plans),
    ("live_streams", make_live_streams),
    # After the platform's own steps, so they (cycles included) see the data they always saw.
    ("ecosystem", make_ecosystem),
    # After the ecosystem's history: every engagement, its engagements included, has its agreement.
    ("settlement", make_settlement),
]


# Steps after which the tables they filled get fresh planner statistics, so that the steps after them (cycles,
# statements) do not plan for empty tables. The partitioned sessions table has none of its own until it is analyzed
# (autovacuum never analyzes a partitioned parent), and a statement run planned on none took minutes.
ANALYZE_AFTER = {"live_sessions", "ecosystem"}
TABLES = [m._meta.db_table for m in (Provider, Operator, Employment, Merchant, Engagement, LiveSession)]


def generate(config: DemoConfig) -> Demo:
    """Build the whole demo platform in one transaction; call `core.roles.sync_roles()` first."""
    demo = Demo(config=config)
    with transaction.atomic():
        # The sessions' monthly partitions over the demo's whole history (ecosystem: 25 months back), as the
        # nightly job keeps them in production, so no demo session lands in the default partition.
        partitions_ensure(add_months(config.today, -HISTORY_MONTHS), config.today)
        for name, step in STEPS:
            began = time.perf_counter()
            step(demo)
            if name in ANALYZE_AFTER:
                # The app role owns no table: ANALYZE goes through the owner's function (core.dbroles).
                dbroles.analyze(*TABLES)
            demo.timings[name] = time.perf_counter() - began
        dbroles.analyze(*TABLES)
    return demo
