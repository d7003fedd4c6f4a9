"""The console's bridge to the cycle services: schedule a cycle and start its run in one step."""

import datetime as dt

from django.db import transaction

from scoring import cycles
from scoring.models import QualificationCycle
from scoring.services import cycle_create


@transaction.atomic
def cycle_create_and_start(
    *, kind: str, window_start: dt.datetime, window_end: dt.datetime, user
) -> QualificationCycle:
    """Schedule a cycle over the window and claim it; the run task is queued after commit."""
    cycle = cycle_create(kind=kind, window_start=window_start, window_end=window_end, created_by=user)
    return cycles.cycle_start(cycle=cycle, user=user)
