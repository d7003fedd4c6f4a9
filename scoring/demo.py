"""Demo step (providers/demo.py STEPS): run and publish the past monthly cycles of the demo's data."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from certification.services import delist_propose_for_violation, unresolved_delist_proposals
from providers.choices import ProviderStatus, Severity, ViolationStatus
from providers.models import Violation

from . import cycles, services

if TYPE_CHECKING:
    from providers.demo import Demo


def past_months(first: dt.date, today: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Shanghai calendar months lying wholly in [first, today) — the ones the demo has full data for."""
    out = []
    month = first if first.day == 1 else (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    while True:
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if following > today:
            return out
        out.append(
            (
                dt.datetime.combine(month, dt.time(0), tzinfo=services.SHANGHAI),
                dt.datetime.combine(following, dt.time(0), tzinfo=services.SHANGHAI),
            )
        )
        month = following


def make_cycles(demo: Demo) -> None:
    """Each full past month: a monthly cycle scored, previewed and published by the system (oldest first,
    so tiers climb one level a month); then a delisting proposal for each confirmed serious violation."""
    published = 0
    for start, end in past_months(demo.window_start, demo.today):
        cycle = services.cycle_create(kind="monthly", window_start=start, window_end=end)
        token = cycles.cycle_claim(cycle_id=cycle.pk)
        cycles.cycle_run(cycle_id=cycle.pk, token=token)
        cycle.refresh_from_db()
        cycles.cycle_publish(cycle=cycle, user=None)
        published += 1
    proposals = 0
    for violation in Violation.objects.filter(
        severity=Severity.SERIOUS,
        status=ViolationStatus.CONFIRMED,
        provider__status__in=[ProviderStatus.ACTIVE, ProviderStatus.PROBATION],
    ).select_related("provider"):
        delist_propose_for_violation(violation=violation)
        proposals += 1
    demo.counts["cycles"] = published
    demo.counts["delist_proposals"] = unresolved_delist_proposals().count()
