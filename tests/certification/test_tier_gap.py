"""What a provider lacks for its next tier: computed by certification.selectors.tier_gap as exact numbers, worded
by certification.reasons; the dashboard only shows it."""

from decimal import Decimal

import pytest
from django.utils import translation

from certification.models import RuleSet
from certification.reasons import sentences
from certification.rules import TIERS, bar_met
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
            "Growth needs at least 60 for L5 (now 59.9).",  # the score now rounded down: under the bar
            "L5 needs a cohort percentile of at least 97%.",
        ]


def test_unranked_and_top_tier(ruleset):
    assert tier_gap(ruleset=ruleset, tier="L1", overall=None, percentile=None, capabilities={})["needs"] == [
        {"code": "gap_get_ranked", "params": {"tier": "L2"}}
    ]
    assert tier_gap(ruleset=ruleset, tier="L5", overall=Decimal(99), percentile=None, capabilities={}) == {
        "next": None,
        "needs": [],
        "bars": [],
    }


def test_bars_of_the_next_tier_for_progress(ruleset):
    """The next tier's bars with the provider's value against each (the dashboard's progress bars)."""
    caps = {"growth": (Decimal(30), Decimal("49.9999")), "content": (Decimal(20), Decimal(80))}
    gap = tier_gap(ruleset=ruleset, tier="L3", overall=Decimal(76), percentile=Decimal("0.5"), capabilities=caps)
    assert gap["bars"] == [
        {"what": "overall", "bar": ruleset.l4_overall, "value": Decimal(76), "met": True},
        {"what": "growth", "bar": ruleset.l4_min_capability, "value": Decimal("49.9999"), "met": False},
        {"what": "content", "bar": ruleset.l4_min_capability, "value": Decimal(80), "met": True},
    ]
    l5 = tier_gap(ruleset=ruleset, tier="L4", overall=Decimal(90), percentile=Decimal("0.97"), capabilities={})
    assert l5["bars"][-1] == {
        "what": "percentile",
        "bar": ruleset.l5_min_percentile,
        "value": Decimal("0.97"),
        "met": True,
    }
    unranked = tier_gap(ruleset=ruleset, tier="L1", overall=None, percentile=None, capabilities={})
    assert unranked["bars"] == [{"what": "overall", "bar": ruleset.l2_overall, "value": None, "met": False}]


EPSILON = Decimal("0.0001")  # the scores' precision: 4 decimals


def test_a_hair_below_the_overall_bar_gives_the_exact_gap(ruleset):
    caps = {"growth": (Decimal(30), Decimal(90)), "content": (Decimal(20), Decimal(60))}
    gap = tier_gap(ruleset=ruleset, tier="L2", overall=ruleset.l3_overall - EPSILON, percentile=None, capabilities=caps)
    [need] = gap["needs"]
    # 0.0001 overall points: 0.0001 × 100 / 30 on growth, 0.0005 on content (weight 20)… growth is cheaper.
    assert need["code"] == "gap_capability_points"
    assert need["params"]["capability"] == "growth"
    assert Decimal(need["params"]["overall"]) == EPSILON
    assert Decimal(need["params"]["points"]) == EPSILON * 100 / 30
    with translation.override("en"):  # shown rounded up, so that closing it is enough
        assert sentences(gap["needs"]) == ["+0.1 on Growth reaches L3 (overall +0.1)."]


def test_a_hair_above_the_overall_bar_meets_it(ruleset):
    caps = {"growth": (Decimal(30), Decimal(90))}
    gap = tier_gap(ruleset=ruleset, tier="L2", overall=ruleset.l3_overall + EPSILON, percentile=None, capabilities=caps)
    assert gap["next"] == "L3" and gap["needs"] == [{"code": "gap_all_met", "params": {"tier": "L3"}}]
    assert [b["met"] for b in gap["bars"]] == [True]


def test_no_single_capability_can_close_it_then_the_overall_points_are_named(ruleset):
    caps = {"growth": (Decimal(30), Decimal(99)), "content": (Decimal(20), Decimal(100))}
    gap = tier_gap(ruleset=ruleset, tier="L2", overall=ruleset.l3_overall - 1, percentile=None, capabilities=caps)
    assert [(n["code"], Decimal(n["params"]["overall"])) for n in gap["needs"]] == [("gap_overall_points", 1)]


def test_l4_capability_bar_a_hair_below_and_at(ruleset):
    bar = ruleset.l4_min_capability
    overall = ruleset.l4_overall + 1
    below = tier_gap(
        ruleset=ruleset,
        tier="L3",
        overall=overall,
        percentile=None,
        capabilities={"growth": (Decimal(30), bar - EPSILON), "content": (Decimal(20), bar)},
    )
    assert below["needs"] == [
        {
            "code": "gap_capability_bar",
            "params": {
                "capability": "growth",
                "bar": format(bar, "f"),
                "value": format(bar - EPSILON, "f"),
                "tier": "L4",
            },
        }
    ]
    at = tier_gap(ruleset=ruleset, tier="L3", overall=overall, percentile=None,
                  capabilities={"growth": (Decimal(30), bar), "content": (Decimal(20), bar)})  # fmt: skip
    assert at["needs"] == [{"code": "gap_all_met", "params": {"tier": "L4"}}]


@pytest.mark.parametrize("tier", ["L0", "L1", "L2", "L3", "L4"])
def test_every_bar_met_exactly_when_promotion_would_find_the_bar_met(ruleset, tier):
    """The gap and promotion read one bar (rules.tier_bar): around each edge they never disagree."""
    target = TIERS[TIERS.index(tier) + 1]
    edge = ruleset.overall_bar(target)
    cases = 0
    for overall in (edge - EPSILON, edge, edge + EPSILON):
        for low in (Decimal("49.9999"), Decimal(50), Decimal("59.9999"), Decimal(60)):
            for percentile in (None, ruleset.l5_min_percentile - EPSILON, ruleset.l5_min_percentile):
                scores = {"growth": low, "content": Decimal(95)}
                gap = tier_gap(
                    ruleset=ruleset,
                    tier=tier,
                    overall=overall,
                    percentile=percentile,
                    capabilities={"growth": (Decimal(30), low), "content": (Decimal(20), Decimal(95))},
                )
                met = bar_met(ruleset, target, overall=overall, capability_scores=scores, percentile=percentile)
                assert (gap["needs"] == [{"code": "gap_all_met", "params": {"tier": target}}]) is met
                cases += met
    assert 0 < cases < 36  # both sides of the edge were tried
