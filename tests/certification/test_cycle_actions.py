"""What may be done with a cycle now: the predicates the console shows its buttons by agree with what the services
accept (run: cycle_claim; publish: cycle_publish), for every status of an official and a simulation cycle."""

import pytest

from certification import cycles
from core.errors import Refusal
from scoring.choices import CycleKind, CycleStatus
from scoring.models import QualificationCycle
from tests.scores import make_cycle

pytestmark = pytest.mark.django_db
STATUSES = list(CycleStatus.values)


def each_cycle():
    for kind in (CycleKind.MONTHLY, CycleKind.SIMULATION):
        for month, status in enumerate(STATUSES, start=1):
            yield make_cycle(month=month, status=status, kind=kind)


def test_publishable_exactly_when_cycle_publish_publishes():
    offered = []
    for cycle in each_cycle():
        publishable, kind, status = cycles.cycle_publishable(cycle), cycle.kind, cycle.status
        try:
            cycles.cycle_publish(cycle=cycle)
        except Refusal:
            published = False
        else:
            published = QualificationCycle.objects.get(pk=cycle.pk).status == CycleStatus.PUBLISHED
        assert publishable is published, (kind, status)
        offered += [(kind, status)] if publishable else []
    assert offered == [(CycleKind.MONTHLY, CycleStatus.COMPUTED)]


def test_runnable_exactly_when_a_run_can_claim_it():
    offered = []
    for cycle in each_cycle():
        runnable, kind, status = cycles.cycle_runnable(cycle), cycle.kind, cycle.status
        # A running cycle is claimed only once its worker is dead (stale heartbeat): not offered on the page.
        claimed = cycles.cycle_claim(cycle_id=cycle.pk) is not None if status != CycleStatus.RUNNING else False
        assert runnable is claimed, (kind, status)
        offered += [status] if runnable and kind == CycleKind.MONTHLY else []
    assert offered == [CycleStatus.SCHEDULED, CycleStatus.COMPUTED, CycleStatus.FAILED]


def test_outcomes_exist_once_computed_and_the_run_is_over_unless_running():
    assert [s for s in STATUSES if cycles.cycle_has_outcomes(QualificationCycle(status=s))] == [
        CycleStatus.COMPUTED,
        CycleStatus.PUBLISHED,
    ]
    assert [s for s in STATUSES if not cycles.cycle_run_over(s)] == [CycleStatus.RUNNING]
