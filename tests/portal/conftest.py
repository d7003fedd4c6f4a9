"""Portal fixtures: two published cycles with stored scores for a cohort around the provider."""

import pytest

from tests import factories
from tests.scores import make_cycle, score_providers


@pytest.fixture
def scored(provider, other_provider):
    """Two published monthly cycles; the provider is ranked in both beside the other provider and 3 more."""
    others = [factories.ProviderFactory() for _ in range(3)]
    cohort = [*others, other_provider, provider]
    for p in cohort:
        p.type = "mcn"
    for month in (8, 9):
        score_providers(make_cycle(month=month), cohort, base=30 + (month - 8) * 5)
    return cohort
