"""The console's bridge to the cycle services (create a cycle and queue its run)."""

import datetime as dt

from scoring.models import QualificationCycle
from scoring.services import cycle_create


def cycle_start(*, kind: str, window_start: dt.datetime, window_end: dt.datetime, user) -> QualificationCycle:
    """Schedule a cycle and start its run."""
    return cycle_create(kind=kind, window_start=window_start, window_end=window_end, created_by=user)
