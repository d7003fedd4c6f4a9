"""Reads behind the pages: each page's data in a fixed number of queries, whatever the data size."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import get_language

from certification import appeals as appeals_service
from certification.cycles import default_rule_set
from certification.models import Appeal, AppealStatus, Certificate, Decision, DecisionRead, Notification
from certification.selectors import APPEAL_OUTCOME_KINDS, decision_read_q, inbox_unread, tier_gap
from core.caching import cached
from core.dates import shanghai_today
from pages.models import ProviderPageVersion
from providers.models import Merchant, Provider
from scoring import selectors as scoring_selectors
from scoring.choices import CapabilityKey, MetricKey
from scoring.models import CapabilityScore, MetricScore, ProviderScore

CAPABILITY_LABELS = dict(CapabilityKey.choices)
METRIC_LABELS = dict(MetricKey.choices)
TREND_CYCLES = 12


def _published(user, provider_id: int):
    """The provider's official scores the user may see (scoring.selectors.published_scores), newest first."""
    return scoring_selectors.published_scores(ProviderScore.objects.restrict(user)).filter(provider_id=provider_id)


def trend(user, provider_id: int) -> dict:
    """Overall and capability scores over the last published cycles, oldest first (two queries)."""
    scores = list(_published(user, provider_id)[:TREND_CYCLES])
    scores.reverse()
    caps = CapabilityScore.objects.restrict(user).filter(provider_score__in=[s.pk for s in scores])
    by_score: dict[int, dict[str, Decimal | None]] = {}
    for c in caps.values("provider_score_id", "key", "score"):
        by_score.setdefault(c["provider_score_id"], {})[c["key"]] = c["score"]
    return {
        "labels": [f"{s.cycle.window_start.astimezone(timezone.get_current_timezone()):%Y-%m}" for s in scores],
        "overall": [s.overall for s in scores],
        "capabilities": {key: [by_score.get(s.pk, {}).get(key) for s in scores] for key in CAPABILITY_LABELS},
    }


def appeal_state(decision: Decision, appeals: list, today: dt.date) -> dict:
    """The appeal button's state: certification.appeals.appeal_window over the prefetched appeals, and the newest
    appeal to link (the service re-checks everything when an appeal is filed)."""
    window = appeals_service.appeal_window(decision, today, appeals=appeals)
    latest = next((a for a in reversed(appeals)), None)
    return {"open": window["open"], "latest": latest, "last_day": window["last_day"] if window["open"] else None}


def published_part(user, provider_id: int) -> dict:
    """What the dashboard shows of published cycles: the newest score, its capabilities and metrics beside the
    cohort's medians, and the trend. Published results never change (a published cycle is never re-scored), so
    this is cached under the newest published score's id until a newer one is published."""
    newest = _published(user, provider_id).values_list("pk", flat=True).first()
    return cached(
        f"portal:published:{provider_id}:{newest}:{get_language()}",
        settings.PUBLISHED_CACHE_SECONDS,
        lambda: _published_part(user, provider_id),
    )


def _published_part(user, provider_id: int) -> dict:
    score = _published(user, provider_id).first()
    data = {"score": score, "capabilities": [], "metrics": [], "cap_medians": {}}
    if score is not None:
        caps = list(CapabilityScore.objects.restrict(user).filter(provider_score=score).order_by("capability_id"))
        medians = scoring_selectors.capability_medians(score)
        metric_medians = scoring_selectors.cohort_medians(score)
        metrics = list(MetricScore.objects.restrict(user).filter(provider_score=score).order_by("metric_id"))
        data["capabilities"] = [
            {
                "key": c.key,
                "label": str(CAPABILITY_LABELS[c.key]),
                "weight": c.weight,
                "score": c.score,
                "median": medians.get(c.key),
                "contribution": c.contribution,
            }
            for c in caps
        ]
        data["metrics"] = [
            {
                "key": m.key,
                "label": str(METRIC_LABELS.get(m.key, m.key)),
                "capability": str(CAPABILITY_LABELS[m.capability_key]),
                "value": m.raw_value,
                "median": metric_medians.get(m.key),
                "percentile": m.percentile,
                "score": m.score,
                "contribution": m.contribution,
            }
            for m in metrics
        ]
    data["trend"] = trend(user, provider_id)
    return data


def recent_effect(provider_id: int) -> dict:
    """The provider's operation effect over the last 90 days; it moves with every ingest, so it is kept only for
    OPERATION_EFFECT_CACHE_SECONDS (the figures are at most that old)."""

    def compute():
        end = timezone.now()
        return scoring_selectors.operation_effect(start=end - dt.timedelta(days=90), end=end, provider_id=provider_id)

    return cached(f"portal:effect:{provider_id}", settings.OPERATION_EFFECT_CACHE_SECONDS, compute)["all"]


def dashboard_version(user, provider_id: int) -> tuple[Provider, str]:
    """The provider, and what the dashboard's kept body depends on besides language and day: the provider's page
    version (pages.models.ProviderPageVersion) and its newest published score (three queries; reads only)."""
    provider = Provider.objects.restrict(user).get(pk=provider_id)
    n = ProviderPageVersion.objects.filter(provider_id=provider_id).values_list("n", flat=True).first() or 0
    newest = _published(user, provider_id).values_list("pk", flat=True).first()
    return provider, f"{n}:{newest}"


def dashboard(user, provider: Provider) -> dict:
    """Everything on the provider's dashboard but its operation effect (recent_effect); ``provider`` as
    dashboard_version read it."""
    provider_id = provider.pk
    data = {"provider": provider, **published_part(user, provider_id)}
    score = data["score"]
    ruleset = default_rule_set()  # the bars the next cycle will apply
    data["gap"] = tier_gap(
        ruleset=ruleset,
        tier=provider.tier,
        overall=score.overall if score is not None else None,
        percentile=score.percentile if score is not None else None,
        capabilities={c["key"]: (c["weight"], c["score"]) for c in data["capabilities"]},
    )
    for b in data["gap"]["bars"]:
        b["label"] = CAPABILITY_LABELS.get(b["what"], "")
    data["certificates"] = list(
        Certificate.objects.restrict(user).select_related("provider", "operator").order_by("-valid_until", "-id")[:50]
    )
    decisions = list(
        Decision.objects.restrict(user)
        .filter(provider_id=provider_id)
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.order_by("filed_at", "id")))
        .order_by("-seq")[:50]
    )
    today = shanghai_today()
    for d in decisions:
        d.appeal_state = appeal_state(d, list(d.appeals.all()), today)
    data["decisions"] = decisions
    # Every merchant the provider served; only those it serves today open a diagnosis (diagnosable_merchants).
    diagnosable = scoring_selectors.diagnosable_merchants(user).filter(pk=OuterRef("pk"))
    data["merchants"] = list(
        Merchant.objects.restrict(user).annotate(diagnosable=Exists(diagnosable)).order_by("name")[:200]
    )
    return data


def metric_explanation(user, score_id: int, key: str) -> dict | None:
    """One metric of one of the user's scores: value, median, percentile, score, contribution."""
    score = ProviderScore.objects.restrict(user).select_related("cycle").filter(pk=score_id).first()
    if score is None or key not in METRIC_LABELS:
        return None
    metric = MetricScore.objects.restrict(user).filter(provider_score=score, key=key).first()
    if metric is None:
        return None
    return {
        "score": score,
        "metric": metric,
        "label": METRIC_LABELS[key],
        "capability": CAPABILITY_LABELS[metric.capability_key],
        "median": scoring_selectors.cohort_medians(score).get(key),
    }


INBOX_SIZE = 100


def inbox(user, provider_id: int) -> dict:
    """The provider's notifications (newest first), its decided appeals and the other ledger decisions about it, each
    with its read state, and how many of each are unread (four queries whatever the number of rows; reads only)."""
    notes = list(
        Notification.objects.restrict(user).select_related("cycle").order_by("-created_at", "-id")[:INBOX_SIZE]
    )
    decided = list(
        Appeal.objects.restrict(user)
        .exclude(status=AppealStatus.OPEN)
        .select_related("decision", "outcome")
        .annotate(outcome_read=Exists(DecisionRead.objects.filter(decision=OuterRef("outcome_id"))))
        .order_by("-decided_at", "-id")[:INBOX_SIZE]
    )
    decisions = list(
        Decision.objects.restrict(user)
        .filter(provider_id=provider_id)
        .exclude(kind__in=APPEAL_OUTCOME_KINDS)  # shown as appeal outcomes
        .annotate(is_read=decision_read_q())
        .order_by("-seq")[:INBOX_SIZE]
    )
    return {
        "notifications": notes,
        "unread": inbox_unread(provider_id),
        "appeals": decided,
        "decisions": decisions,
        "appealable_kinds": appeals_service.APPEALABLE_KINDS,  # these link to their appeal page (window shown there)
    }
