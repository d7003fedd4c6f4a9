"""Reads of certification that the pages show as they are: what a provider lacks for its next tier, what its inbox
holds unread."""

from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from providers.models import Provider

from .choices import DecisionKind
from .models import Decision, DecisionRead, Notification
from .reasons import reason
from .rules import TIERS, tier_bar

# Ledger decisions that record an appeal's outcome: the inbox shows them as appeal outcomes (Appeal.outcome).
APPEAL_OUTCOME_KINDS = [DecisionKind.APPEAL_UPHELD, DecisionKind.APPEAL_OVERTURNED]


def tier_gap(*, ruleset, tier: str, overall: Decimal | None, percentile: Decimal | None, capabilities: dict) -> dict:
    """The bars of the tier above ``tier`` (``rules.tier_bar``: the bars promotion applies) and how far the provider
    is from each, as exact numbers in reasons ({code, params}; ``certification.reasons`` words them, the pages
    show them). ``gap_all_met`` comes exactly when ``rules.bar_met`` holds for that tier.

    ``capabilities``: key → (weight, score). The overall gap can be closed on any capability: the one needing
    the fewest points (without going above 100) is named. Returns {"next": tier or None, "needs": [reason, ...],
    "bars": [{"what": "overall" | capability key | "percentile", "bar", "value", "met"}, ...]} — the bars of the
    next tier with the provider's value against each (for progress bars; the same comparisons as the needs).
    """
    if ruleset is None or tier not in TIERS or tier == TIERS[-1]:
        return {"next": None, "needs": [], "bars": []}
    target = TIERS[TIERS.index(tier) + 1]
    bar = tier_bar(ruleset, target)
    bars = [
        {"what": "overall", "bar": bar.overall, "value": overall, "met": overall is not None and overall >= bar.overall}
    ]
    if bar.min_capability is not None:
        for key, (_weight, value) in capabilities.items():
            met = value is not None and value >= bar.min_capability
            bars.append({"what": key, "bar": bar.min_capability, "value": value, "met": met})
    if bar.min_percentile is not None:
        met = percentile is not None and percentile >= bar.min_percentile
        bars.append({"what": "percentile", "bar": bar.min_percentile, "value": percentile, "met": met})
    if overall is None:
        return {"next": target, "needs": [reason("gap_get_ranked", tier=target)], "bars": bars}
    needs = []
    gap = bar.overall - overall
    if gap > 0:
        best = None
        for key, (weight, value) in capabilities.items():
            if not weight or value is None:
                continue
            needed = gap * 100 / weight
            if value + needed <= 100 and (best is None or needed < best[1]):
                best = (key, needed)
        if best is not None:
            needs.append(reason("gap_capability_points", capability=best[0], points=best[1], overall=gap, tier=target))
        else:
            needs.append(reason("gap_overall_points", overall=gap, tier=target))
    if bar.min_capability is not None:
        for key, (_weight, value) in capabilities.items():
            if value is None or value < bar.min_capability:
                needs.append(
                    reason("gap_capability_bar", capability=key, bar=bar.min_capability, value=value, tier=target)
                )
    if bar.min_percentile is not None and (percentile is None or percentile < bar.min_percentile):
        needs.append(reason("gap_percentile", bar=bar.min_percentile, tier=target))
    if not needs:
        needs.append(reason("gap_all_met", tier=target))
    return {"next": target, "needs": needs, "bars": bars}


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def decision_read_q():
    """``Exists`` of the read mark of the decision in the outer query (annotate a decision queryset with it)."""
    return Exists(DecisionRead.objects.filter(decision=OuterRef("pk")))


def inbox_unread(provider_id: int) -> dict:
    """What the provider's inbox holds unread, in one query: notifications (cycle results), appeal outcomes, the
    other ledger decisions about it, and their total."""
    unread = Decision.objects.filter(provider_id=OuterRef("pk")).exclude(decision_read_q())
    row = (
        Provider.objects.filter(pk=provider_id)
        .values("pk")
        .annotate(
            notifications=_count(Notification.objects.filter(provider_id=OuterRef("pk"), read=False)),
            appeal_outcomes=_count(unread.filter(kind__in=APPEAL_OUTCOME_KINDS)),
            decisions=_count(unread.exclude(kind__in=APPEAL_OUTCOME_KINDS)),
        )
        .first()
    ) or {"notifications": 0, "appeal_outcomes": 0, "decisions": 0}
    counts = {key: row[key] for key in ("notifications", "appeal_outcomes", "decisions")}
    return {**counts, "total": sum(counts.values())}
