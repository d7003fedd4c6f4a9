"""The pure rules engine of a qualification cycle (DESIGN §4): one provider's numbers in, an Outcome out.

No database access: the caller (cycle publication) passes the provider's current state, its scores
and what happened in earlier cycles, and turns the Outcome into ledger decisions.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from providers.choices import ProviderStatus, Tier

from .reasons import reason

TIERS = list(Tier.values)


@dataclass(frozen=True)
class Outcome:
    """What the rules propose for one provider in one cycle.

    ``ranked`` is carried so that a list of past Outcomes can be fed back as ``previous_outcomes``.
    """

    proposed_tier: str
    warn: bool
    probation: bool
    delist_proposal: bool
    reasons: list[dict] = field(default_factory=list)  # certification.reasons: {code, params}
    ranked: bool = True


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class TierBar:
    """The whole bar of a tier (DESIGN §4): the overall score, and for L4/L5 every capability and the cohort
    percentile (None where the tier has no such bar; L0 has none at all)."""

    overall: Decimal | None
    min_capability: Decimal | None = None
    min_percentile: Decimal | None = None


def tier_bar(ruleset, tier: str) -> TierBar:
    """The bar of ``tier`` in the rule set: the one reading of the rule set's bars (promotion and the gap)."""
    return TierBar(
        overall=ruleset.overall_bar(tier),
        min_capability={Tier.L4: ruleset.l4_min_capability, Tier.L5: ruleset.l5_min_capability}.get(tier),
        min_percentile=ruleset.l5_min_percentile if tier == Tier.L5 else None,
    )


def bar_met(ruleset, tier: str, *, overall, capability_scores: Mapping[str, object], percentile) -> bool:
    """Whether the whole bar of ``tier`` is met (overall, and for L4/L5 capabilities and percentile)."""
    if tier == Tier.L0:
        return True
    bar = tier_bar(ruleset, tier)
    if _dec(overall) < bar.overall:
        return False
    if bar.min_capability is not None and any(_dec(v) < bar.min_capability for v in capability_scores.values()):
        return False
    if bar.min_percentile is not None and (percentile is None or _dec(percentile) < bar.min_percentile):
        return False
    return True


def evaluate(
    *,
    ruleset,
    current_tier: str,
    status: str,
    ranked: bool,
    overall=None,
    capability_scores: Mapping[str, object] | None = None,
    percentile=None,
    previous_outcomes: Sequence = (),
) -> Outcome:
    """Apply the rule set to one provider.

    ``previous_outcomes``: the provider's outcomes of earlier cycles of the same kind, most recent
    first; each needs ``warn`` and may have ``ranked`` (default True).
    ``status``: the provider's status now (``active``, ``probation``, ...).
    """
    if current_tier not in TIERS:
        raise ValueError(f"unknown tier {current_tier!r}")
    if status == ProviderStatus.DELISTED:
        return Outcome(current_tier, False, False, False, [reason("delisted_no_rules")], ranked)
    previous = list(previous_outcomes)

    if not ranked:
        # Not ranked (insufficient activity): keeps its level; after `warn_unranked_cycles` unranked cycles in a
        # row it is warned, and that warning counts toward probation and delisting like any other (DESIGN §4).
        run = ruleset.warn_unranked_cycles - 1
        recent = previous[:run]
        warn = len(recent) == run and all(not getattr(o, "ranked", True) for o in recent)
        reasons = [reason("not_ranked_keeps_level")]
        if warn:
            reasons.append(reason("warn_unranked", cycles=ruleset.warn_unranked_cycles))
        probation, delist = _consequences(ruleset, warn=warn, status=status, previous=previous, reasons=reasons)
        return Outcome(current_tier, warn, probation, delist, reasons, ranked=False)

    if overall is None:
        raise ValueError("a ranked provider needs an overall score")
    capability_scores = capability_scores or {}
    overall_d = _dec(overall)
    reasons: list[dict] = []

    index = TIERS.index(current_tier)
    proposed = current_tier
    if index < len(TIERS) - 1:
        above = TIERS[index + 1]
        if bar_met(ruleset, above, overall=overall, capability_scores=capability_scores, percentile=percentile):
            proposed = above
            reasons.append(reason("promote_bar_met", tier=above))
    if proposed == current_tier and index > 0:
        floor = ruleset.overall_bar(current_tier) - ruleset.demotion_hysteresis
        if overall_d < floor:
            proposed = TIERS[index - 1]
            reasons.append(reason("demote_below_floor", overall=overall_d, floor=floor, tier=current_tier))

    warn = False
    if percentile is not None and _dec(percentile) < ruleset.warn_percentile_below:
        warn = True
        reasons.append(reason("warn_percentile", percentile=_dec(percentile), bar=ruleset.warn_percentile_below))
    if overall_d < ruleset.warn_overall_below:
        warn = True
        reasons.append(reason("warn_overall", overall=overall_d, bar=ruleset.warn_overall_below))

    probation, delist = _consequences(ruleset, warn=warn, status=status, previous=previous, reasons=reasons)
    return Outcome(proposed, warn, probation, delist, reasons, ranked=True)


def _consequences(ruleset, *, warn: bool, status: str, previous: list, reasons: list) -> tuple[bool, bool]:
    """What a warning leads to, whatever its reason: a delisting proposal when warned again on probation,
    probation after warnings in ``probation_consecutive_warnings`` consecutive cycles. Appends the reasons."""
    if not warn:
        return False, False
    if status == ProviderStatus.PROBATION:
        if ruleset.delist_on_warning_in_probation:
            reasons.append(reason("delist_warned_in_probation"))
            return False, True
        return False, False
    run = ruleset.probation_consecutive_warnings - 1
    recent = previous[:run]
    if len(recent) == run and all(getattr(o, "warn", False) for o in recent):
        reasons.append(reason("probation_consecutive_warnings", cycles=ruleset.probation_consecutive_warnings))
        return True, False
    return False, False
