"""What a provider lacks for its next tier: computed by certification.selectors.tier_gap as exact numbers, worded
by certification.reasons; the dashboard only shows it."""

from decimal import Decimal

import pytest
from django.utils import translation

from certification.models import RuleSet
from certification.reasons import sentences
from certification.selectors import tier_gap

pytestmark = pytest.mark.django_db


@pytest.fixture
def ruleset():
    return RuleSet.objects.order_by("-version").first()


def test_just_below_the_bar_names_the_cheapest_capability_with_exact_points(ruleset):
    caps = {"growth": (Decimal(30), Decimal(50)), "content": (Decimal(20), Decimal(99))}
    gap = tier_gap(ruleset=ruleset, tier="L2", overall=ruleset.l3_overall - Decimal("1.2"), percentile=None,
                   capabilities=caps)  # fmt: skip
    assert gap["next"] == "L3"
    # 1.2 overall points on growth (weight 30) = 4 capability points; content (weight 20) would need 6 > 100 − 99.
    assert gap["needs"] == [
        {"code": "gap_capability_points", "params": {"capability": "growth", "points": "4.0000", "overall": "1.2000",
                                                     "tier": "L3"}}
    ]  # fmt: skip
    with translation.override("en"):
        assert sentences(gap["needs"]) == ["+4.0 on Growth reaches L3 (overall +1.2)."]
    with translation.override("zh-hans"):
        assert sentences(gap["needs"]) == ["运营力 再提高 4.0 分即可达到 L3（总分 +1.2）。"]


def test_at_the_bar_every_bar_is_met(ruleset):
    caps = {"growth": (Decimal(30), Decimal(50))}
    gap = tier_gap(ruleset=ruleset, tier="L2", overall=ruleset.l3_overall, percentile=None, capabilities=caps)
    assert gap["needs"] == [{"code": "gap_all_met", "params": {"tier": "L3"}}]


def test_l5_needs_capabilities_and_the_percentile(ruleset):
    caps = {"growth": (Decimal(30), Decimal("59.95")), "content": (Decimal(20), Decimal(90))}
    gap = tier_gap(ruleset=ruleset, tier="L4", overall=Decimal(90), percentile=Decimal("0.9"), capabilities=caps)
    codes = [n["code"] for n in gap["needs"]]
    assert codes == ["gap_capability_bar", "gap_percentile"]
    with translation.override("en"):
        assert sentences(gap["needs"]) == [
            "Growth needs at least 60 for L5 (now 60.0).",
            "L5 needs a cohort percentile of at least 97%.",
        ]


def test_unranked_and_top_tier(ruleset):
    assert tier_gap(ruleset=ruleset, tier="L1", overall=None, percentile=None, capabilities={})["needs"] == [
        {"code": "gap_get_ranked", "params": {"tier": "L2"}}
    ]
    assert tier_gap(ruleset=ruleset, tier="L5", overall=Decimal(99), percentile=None, capabilities={}) == {
        "next": None,
        "needs": [],
    }
