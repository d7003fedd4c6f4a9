"""Reads the pages show as they are: the official scores, the cohort's capability medians, the diagnosis's last day."""

import datetime as dt
from decimal import Decimal

import pytest

from core.dates import SHANGHAI
from scoring import selectors
from scoring.models import ProviderScore
from tests import factories
from tests.scores import make_cycle, score_providers

pytestmark = pytest.mark.django_db


def test_official_scores_are_published_non_simulation_ones_newest_first():
    provider = factories.ProviderFactory()
    older, newer = make_cycle(month=3), make_cycle(month=4)
    preview = make_cycle(month=5, status="computed")
    simulation = make_cycle(month=5, status="published", kind="simulation")
    for cycle in (older, newer, preview, simulation):
        score_providers(cycle, [provider])
    official = list(selectors.published_scores().filter(provider=provider))
    assert [s.cycle_id for s in official] == [newer.pk, older.pk]
    # A narrowed queryset (a user's restricted one) stays narrowed.
    assert list(selectors.published_scores(ProviderScore.objects.none())) == []


def test_capability_medians_are_over_the_cohorts_ranked_providers_only():
    cycle = make_cycle(month=6)
    scores = score_providers(cycle, [factories.ProviderFactory() for _ in range(4)], base=40)
    # Capability j of provider i scores 40 + 5i + j: growth (j=0) is 40, 45, 50, 55 → median 47.5.
    assert selectors.capability_medians(scores[0])["growth"] == Decimal("47.5")
    ProviderScore.objects.filter(pk=scores[3].pk).update(ranked=False)  # 55 leaves the cohort's median
    assert selectors.capability_medians(scores[0])["growth"] == Decimal(45)
    other_cohort = score_providers(make_cycle(month=7), [factories.ProviderFactory()], base=90, cohort="brand")[0]
    assert selectors.capability_medians(other_cohort)["growth"] == Decimal(90)


@pytest.mark.parametrize(
    ("now", "last_day"),
    [
        (dt.datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI), dt.date(2026, 3, 1)),  # just after Shanghai midnight
        (dt.datetime(2026, 3, 1, 23, 59, tzinfo=SHANGHAI), dt.date(2026, 2, 28)),  # 15:59 UTC: still 1 March there
        (dt.datetime(2026, 3, 1, 16, 1, tzinfo=dt.UTC), dt.date(2026, 3, 1)),  # 00:01 on 2 March in Shanghai
    ],
)
def test_a_diagnosis_ends_on_the_last_whole_shanghai_day(now, last_day):
    assert selectors.diagnosis_last_day(now) == last_day
