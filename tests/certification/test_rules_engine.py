"""The pure rules engine (DESIGN §4): worked examples and Hypothesis properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certification.models import RuleSet
from certification.rules import TIERS, Outcome, evaluate


def default_rules() -> RuleSet:
    """RuleSet v1 exactly as the data migration creates it (built in memory: the engine is pure)."""
    import importlib

    module = importlib.import_module("certification.migrations.0002_default_ruleset_v1")
    return RuleSet(**module.V1)


RULES = default_rules()
CAPS_OK = {"growth": 70, "content": 70, "traffic": 70, "product": 70, "service": 70}


def run(**overrides):
    args = {
        "ruleset": RULES,
        "current_tier": "L1",
        "status": "active",
        "ranked": True,
        "overall": Decimal("50"),
        "capability_scores": CAPS_OK,
        "percentile": Decimal("0.5"),
        "previous_outcomes": [],
    }
    return evaluate(**{**args, **overrides})


@pytest.mark.parametrize(
    "current,overall,caps,percentile,expected",
    [
        ("L0", 40, CAPS_OK, 0.5, "L1"),
        ("L0", "39.9999", CAPS_OK, 0.5, "L0"),
        ("L0", 99, CAPS_OK, 0.99, "L1"),  # one level per cycle at most
        ("L1", 55, CAPS_OK, 0.5, "L2"),
        ("L2", 65, CAPS_OK, 0.5, "L3"),
        ("L3", 75, CAPS_OK, 0.5, "L4"),
        ("L3", 80, {**CAPS_OK, "traffic": 49}, 0.5, "L3"),  # L4 needs every capability ≥ 50
        ("L4", 85, CAPS_OK, "0.97", "L5"),
        ("L4", 90, CAPS_OK, "0.9699", "L4"),  # L5 needs percentile ≥ 0.97
        ("L4", 90, {**CAPS_OK, "service": 59}, 0.99, "L4"),  # … and every capability ≥ 60
        ("L5", 99, CAPS_OK, 0.99, "L5"),
        ("L2", 50, CAPS_OK, 0.5, "L2"),  # 55 − 5 = 50 is not below the floor
        ("L2", "49.9999", CAPS_OK, 0.5, "L1"),
        ("L5", 80, {k: 10 for k in CAPS_OK}, 0.2, "L5"),  # capability/percentile not re-checked going down
        ("L5", "79.9999", CAPS_OK, 0.5, "L4"),
        ("L3", 10, CAPS_OK, 0.5, "L2"),  # one level down at most
        ("L1", 35, CAPS_OK, 0.5, "L1"),
        ("L1", 34, CAPS_OK, 0.5, "L0"),
    ],
)
def test_tiers(current, overall, caps, percentile, expected):
    outcome = run(current_tier=current, overall=Decimal(str(overall)), capability_scores=caps, percentile=percentile)
    assert outcome.proposed_tier == expected


def test_warning_probation_delist_sequence():
    low = {"overall": Decimal("29"), "percentile": Decimal("0.5")}
    first = run(**low)
    assert (first.warn, first.probation, first.delist_proposal) == (True, False, False)
    assert first.reasons == [
        {"code": "demote_below_floor", "params": {"overall": "29", "floor": "35", "tier": "L1"}},
        {"code": "warn_overall", "params": {"overall": "29", "bar": "30"}},
    ]
    assert first.proposed_tier == "L0"
    second = run(**low, previous_outcomes=[first])
    assert (second.warn, second.probation, second.delist_proposal) == (True, True, False)
    third = run(**low, status="probation", previous_outcomes=[second, first])
    assert (third.warn, third.probation, third.delist_proposal) == (True, False, True)
    # On probation without a new warning: nothing more.
    calm = run(status="probation", previous_outcomes=[second, first])
    assert (calm.warn, calm.probation, calm.delist_proposal) == (False, False, False)


def test_warning_on_low_percentile_is_strict():
    assert run(percentile=Decimal("0.0999")).warn is True
    assert run(percentile=Decimal("0.10")).warn is False
    assert run(overall=Decimal("30")).warn is False


def test_not_ranked_keeps_level_and_is_warned_on_the_second_cycle():
    first = run(current_tier="L3", ranked=False, overall=None)
    assert first == Outcome("L3", False, False, False, [{"code": "not_ranked_keeps_level", "params": {}}], ranked=False)
    second = run(current_tier="L3", ranked=False, overall=None, previous_outcomes=[first])
    assert (second.proposed_tier, second.warn, second.probation, second.delist_proposal) == ("L3", True, False, False)
    after_ranked = run(current_tier="L3", ranked=False, previous_outcomes=[run(current_tier="L3", overall=70)])
    assert after_ranked.warn is False


def test_an_inactivity_warning_counts_toward_probation_and_delisting():
    """DESIGN §4: a provider that stops operating is raced out too (unranked three cycles running: warned twice,
    the second time put on probation; warned again on probation: a delisting proposal)."""
    first = run(current_tier="L2", ranked=False, overall=None)
    second = run(current_tier="L2", ranked=False, overall=None, previous_outcomes=[first])
    assert (second.warn, second.probation) == (True, False)
    third = run(current_tier="L2", ranked=False, overall=None, previous_outcomes=[second, first])
    assert (third.warn, third.probation, third.delist_proposal) == (True, True, False)
    assert third.reasons[-1] == {"code": "probation_consecutive_warnings", "params": {"cycles": 2}}
    fourth = run(
        current_tier="L2", status="probation", ranked=False, overall=None, previous_outcomes=[third, second, first]
    )
    assert (fourth.proposed_tier, fourth.warn, fourth.probation, fourth.delist_proposal) == ("L2", True, False, True)


def test_delisted_provider_gets_nothing():
    outcome = run(status="delisted", overall=Decimal("5"), previous_outcomes=[run(overall=Decimal("5"))])
    assert (outcome.warn, outcome.probation, outcome.delist_proposal) == (False, False, False)


# --- properties ---------------------------------------------------------------------------------

scores = st.decimals(min_value=0, max_value=100, places=4)
shares = st.decimals(min_value=0, max_value=1, places=4)
capabilities = st.fixed_dictionaries({name: scores for name in CAPS_OK})
previous = st.lists(
    st.builds(lambda w, r: Outcome("L1", w, False, False, [], ranked=r), st.booleans(), st.booleans()), max_size=4
)
inputs = st.fixed_dictionaries(
    {
        "current_tier": st.sampled_from(TIERS),
        "status": st.sampled_from(["active", "probation", "suspended"]),
        "ranked": st.booleans(),
        "overall": scores,
        "capability_scores": capabilities,
        "percentile": shares,
        "previous_outcomes": previous,
    }
)


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_never_more_than_one_level_per_cycle(args):
    outcome = evaluate(ruleset=RULES, **args)
    assert abs(TIERS.index(outcome.proposed_tier) - TIERS.index(args["current_tier"])) <= 1


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_hysteresis_demotes_only_below_bar_minus_five(args):
    outcome = evaluate(ruleset=RULES, **args)
    current = args["current_tier"]
    if TIERS.index(outcome.proposed_tier) < TIERS.index(current):
        assert args["ranked"]
        assert args["overall"] < RULES.overall_bar(current) - 5
    if args["ranked"] and current != "L0" and args["overall"] < RULES.overall_bar(current) - 5:
        assert TIERS.index(outcome.proposed_tier) == TIERS.index(current) - 1


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_promotion_only_when_the_whole_bar_above_is_met(args):
    outcome = evaluate(ruleset=RULES, **args)
    current = args["current_tier"]
    if TIERS.index(outcome.proposed_tier) > TIERS.index(current):
        above = outcome.proposed_tier
        assert args["ranked"]
        assert args["overall"] >= RULES.overall_bar(above)
        if above in ("L4", "L5"):
            floor = RULES.l4_min_capability if above == "L4" else RULES.l5_min_capability
            assert min(args["capability_scores"].values()) >= floor
        if above == "L5":
            assert args["percentile"] >= RULES.l5_min_percentile


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_warning_then_probation_then_delist_only_in_that_order(args):
    outcome = evaluate(ruleset=RULES, **args)
    if outcome.probation or outcome.delist_proposal:
        assert outcome.warn
    assert not (outcome.probation and outcome.delist_proposal)
    if outcome.delist_proposal:
        assert args["status"] == "probation"
    if outcome.probation:
        assert args["status"] != "probation"
        assert args["previous_outcomes"] and args["previous_outcomes"][0].warn


@settings(max_examples=400, deadline=None)
@given(inputs)
def test_not_ranked_keeps_its_tier_and_its_inactivity_warning_counts_like_any_other(args):
    args = {**args, "ranked": False}
    outcome = evaluate(ruleset=RULES, **args)
    assert outcome.proposed_tier == args["current_tier"]
    prev = args["previous_outcomes"]
    assert outcome.warn == (bool(prev) and not prev[0].ranked)
    on_probation = args["status"] == "probation"
    assert outcome.delist_proposal == (outcome.warn and on_probation)
    assert outcome.probation == (outcome.warn and not on_probation and prev[0].warn)
