"""Reads of the scoring app that are more than a filter: operation effect, the official scores, cohort medians,
explanations, merchant diagnosis."""
# ruff: noqa: S608 - statements are assembled from this module's constants only; values go as parameters

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.access import provider_id_of
from core.dates import SHANGHAI, shanghai_date, shanghai_today
from providers.models import Engagement, Merchant

from . import sql
from .choices import CycleKind, CycleStatus
from .models import CategoryMedian, MetricScore, ProviderScore

SIZES = ("all", "small_medium", "large")


def operation_effect(*, start: dt.datetime, end: dt.datetime, provider_id: int | None = None) -> dict:
    """DESIGN §6 over [start, end): {size: figures} for one provider, or every operated session if None."""
    params = {"start": start, "end": end, "provider": provider_id}
    with connection.cursor() as cursor:
        cursor.execute(sql.operation_effect_sql(provider_filter=provider_id is not None), params)
        columns = [c.name for c in cursor.description]
        rows = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    out = {}
    for size in SIZES:
        r = rows[size]
        out[size] = {
            "operated_sessions": r["sessions"],
            "operated_gmv": r["gmv"],
            "merchants_served": r["merchants"],
            "average_uplift": r["uplift"],
            "uplift_sessions": r["uplift_n"],
            "follow_on_growth": r["follow_on_growth"],
            "follow_on_sessions": r["follow_on_n"],
            "follow_on_gmv_before": r["follow_on_before"] or Decimal("0.00"),
            "follow_on_gmv_after": r["follow_on_after"] or Decimal("0.00"),
        }
    return out


def published_scores(scores=None):
    """Scores of published, non-simulation cycles, newest first: the official ones, which a provider's tier and
    decisions rest on (a computed cycle is a preview; a simulation never counts). ``scores``: a queryset to narrow
    (a user's restricted one), else every score."""
    scores = ProviderScore.objects.all() if scores is None else scores
    return (
        scores.filter(cycle__status=CycleStatus.PUBLISHED)
        .exclude(cycle__kind=CycleKind.SIMULATION)
        .select_related("cycle")
        .order_by("-cycle__window_end", "-cycle_id")
    )


def previous_score(score: ProviderScore, *, user) -> ProviderScore | None:
    """The provider's score in the previous window: the latest earlier cycle of the same kind that the
    user may see (for a provider user, a published one)."""
    return (
        ProviderScore.objects.restrict(user)
        .filter(
            provider_id=score.provider_id,
            cycle__kind=score.cycle.kind,
            cycle__window_start__lt=score.cycle.window_start,
        )
        .exclude(cycle__status__in=["failed", "cancelled"])
        .select_related("cycle")
        .order_by("-cycle__window_start", "-cycle_id")
        .first()
    )


def cohort_medians(score: ProviderScore) -> dict[str, Decimal | None]:
    """Median raw value of each metric among the cohort's ranked providers with a value (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT ms.key, {sql.median("ms.raw_value")}
            FROM scoring_metricscore ms JOIN scoring_providerscore ps ON ps.id = ms.provider_score_id
            WHERE ps.cycle_id = %s AND ps.cohort = %s AND ps.ranked AND ms.raw_value IS NOT NULL
            GROUP BY ms.key
            """,
            [score.cycle_id, score.cohort],
        )
        return dict(cursor.fetchall())


def capability_medians(score: ProviderScore) -> dict[str, Decimal | None]:
    """Median score of each capability among the cohort's ranked providers in the score's cycle (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT cs.key, {sql.median("cs.score")}
            FROM scoring_capabilityscore cs JOIN scoring_providerscore ps ON ps.id = cs.provider_score_id
            WHERE ps.cycle_id = %s AND ps.cohort = %s AND ps.ranked
            GROUP BY cs.key
            """,
            [score.cycle_id, score.cohort],
        )
        return dict(cursor.fetchall())


def explain(score: ProviderScore, *, user) -> dict:
    """Each metric's value, cohort median, percentile, score and contribution; each capability; the change."""
    medians = cohort_medians(score)
    metrics = list(MetricScore.objects.filter(provider_score=score).order_by("metric_id"))
    capabilities = list(score.capability_scores.order_by("capability_id"))
    prev = previous_score(score, user=user)
    change = None
    if prev is not None:
        prev_metrics = {m.key: m for m in MetricScore.objects.filter(provider_score=prev)}
        movers = []
        for m in metrics:
            before = prev_metrics.get(m.key)
            if m.contribution is None or before is None or before.contribution is None:
                continue
            movers.append(
                {
                    "metric": m.key,
                    "contribution_change": m.contribution - before.contribution,
                    "score_change": m.score - before.score,
                    "value_before": before.raw_value,
                    "value_now": m.raw_value,
                }
            )
        movers.sort(key=lambda d: (-abs(d["contribution_change"]), d["metric"]))
        change = {
            "previous_cycle": prev.cycle_id,
            "previous_overall": prev.overall,
            "overall_change": None if prev.overall is None or score.overall is None else score.overall - prev.overall,
            "previous_rank": prev.rank,
            "top_movers": [d for d in movers if d["contribution_change"] != 0][:3],
        }
    return {
        "score": score.pk,
        "cycle": score.cycle_id,
        "provider": score.provider_id,
        "cohort": score.cohort,
        "ranked": score.ranked,
        "reason": score.reason,
        "session_count": score.session_count,
        "window_gmv": score.window_gmv,
        "overall": score.overall,
        "rank": score.rank,
        "cohort_size": score.cohort_size,
        "percentile": score.percentile,
        "capabilities": [
            {
                "key": c.key,
                "label": c.get_key_display(),
                "weight": c.weight,
                "score": c.score,
                "contribution": c.contribution,
            }
            for c in capabilities
        ],
        "metrics": [
            {
                "key": m.key,
                "capability": m.capability_key,
                "direction": m.direction,
                "weight": m.weight,
                "value": m.raw_value,
                "cohort_median": medians.get(m.key),
                "sample_size": m.sample_size,
                "cohort_n": m.cohort_n,
                "percentile": m.percentile,
                "raw_score": m.raw_score,
                "score": m.score,
                "contribution": m.contribution,
            }
            for m in metrics
        ],
        "change": change,
    }


# --- merchant diagnosis -------------------------------------------------------------------------

DIAGNOSIS_FIGURES = ("sessions", "gmv", "viewers", "gpm", "conversion", "paid_roi", "refund_rate")

_MERCHANT_WEEK = f"""
    SELECT count(*) AS sessions, coalesce(sum(gmv), 0) AS gmv, coalesce(sum(viewers), 0) AS viewers,
           {sql.x("sum(gmv) * 1000")} / nullif(sum(viewers), 0) AS gpm,
           {sql.x("sum(orders)")} / nullif(sum(viewers), 0) AS conversion,
           {sql.x("sum(paid_gmv) FILTER (WHERE paid_spend > 0)")}
               / nullif(sum(paid_spend) FILTER (WHERE paid_spend > 0), 0) AS paid_roi,
           {sql.x("sum(refund_amount)")} / nullif(sum(gmv), 0) AS refund_rate
    FROM providers_livesession
    WHERE merchant_id = %(merchant)s AND started_at >= %(start)s AND started_at < %(end)s
"""

CATEGORY_MEDIANS = f"""
    WITH per_merchant AS (
        SELECT ls.merchant_id, count(*) AS sessions, sum(ls.gmv) AS gmv, sum(ls.viewers) AS viewers,
               {sql.x("sum(ls.gmv) * 1000")} / nullif(sum(ls.viewers), 0) AS gpm,
               {sql.x("sum(ls.orders)")} / nullif(sum(ls.viewers), 0) AS conversion,
               {sql.x("sum(ls.paid_gmv) FILTER (WHERE ls.paid_spend > 0)")}
                   / nullif(sum(ls.paid_spend) FILTER (WHERE ls.paid_spend > 0), 0) AS paid_roi,
               {sql.x("sum(ls.refund_amount)")} / nullif(sum(ls.gmv), 0) AS refund_rate
        FROM providers_livesession ls JOIN providers_merchant m ON m.id = ls.merchant_id
        WHERE ls.started_at >= %(start)s AND ls.started_at < %(end)s {{category_filter}}
        GROUP BY ls.merchant_id
    )
    SELECT m.category, count(*) AS merchants,
           {sql.median("pm.sessions")} AS sessions,
           {sql.median("pm.gmv")} AS gmv,
           {sql.median("pm.viewers")} AS viewers,
           {sql.median("pm.gpm")} AS gpm,
           {sql.median("pm.conversion")} AS conversion,
           {sql.median("pm.paid_roi")} AS paid_roi,
           {sql.median("pm.refund_rate")} AS refund_rate
    FROM per_merchant pm JOIN providers_merchant m ON m.id = pm.merchant_id
    GROUP BY m.category
"""


def diagnosis_window(end_date: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The 7 Shanghai calendar days ending on end_date (inclusive), as instants [start, end)."""
    end = dt.datetime.combine(end_date + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    return end - dt.timedelta(days=7), end


def diagnosable_merchants(user):
    """Merchants whose diagnosis the user may read: staff, any; a provider user, only those it serves
    today (an engagement covering today, Asia/Shanghai). A former provider still lists a merchant it
    served, but its diagnosis belongs to whoever serves it now."""
    merchants = Merchant.objects.restrict(user)
    provider_id = provider_id_of(user)
    if provider_id is None:
        return merchants
    today = shanghai_today()
    engaged = Engagement.objects.filter(merchant=OuterRef("pk"), provider_id=provider_id, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    return merchants.filter(Exists(engaged))


def diagnosis_last_day(now: dt.datetime | None = None) -> dt.date:
    """The last day a diagnosis covers: yesterday in Shanghai, the last whole day (the nightly job computes its
    category medians after midnight)."""
    return shanghai_date(now or timezone.now()) - dt.timedelta(days=1)


def merchant_diagnosis(*, merchant, end_date: dt.date | None = None) -> dict:
    """The merchant's 7 days ending on end_date (default: diagnosis_last_day) beside its category's medians over
    the same days."""
    end_date = end_date or diagnosis_last_day()
    start, end = diagnosis_window(end_date)
    with connection.cursor() as cursor:
        cursor.execute(_MERCHANT_WEEK, {"merchant": merchant.pk, "start": start, "end": end})
        columns = [c.name for c in cursor.description]
        own = dict(zip(columns, cursor.fetchone(), strict=True))
    # A read never writes: the medians come from the nightly job (refresh_category_medians_task); a day it has
    # not computed shows "not computed yet".
    median = CategoryMedian.objects.filter(Q(category=merchant.category) & Q(end_date=end_date)).first()
    return {
        "merchant": merchant.pk,
        "category": merchant.category,
        "start": start,
        "end": end,
        "medians_computed": median is not None,
        "category_merchants": median.merchants if median else 0,
        "figures": [
            {"key": key, "value": own[key], "category_median": getattr(median, key) if median else None}
            for key in DIAGNOSIS_FIGURES
        ],
    }
