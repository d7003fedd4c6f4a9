"""复盘: a plan's review, built from its stream's final row (targets against actuals, uplift against the §6
baseline, the items skipped) and, once the live wall exists, its minute curves and largest exit spikes."""

# ruff: noqa: S608 - statements are assembled from this module's constants only; values go as parameters

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from live.selectors import streams_curves
from providers.models import LiveSession

from .choices import PlanStatus, StageKey
from .models import ItemTick, OperationPlan, PlaybookItem, Review
from .sql import session_uplift_sql

logger = logging.getLogger(__name__)

# Plans whose stream's final row has arrived and whose review is missing or was made from an older version
# of the row (a re-sent row with other facts carries a new ingest batch). Locked, skipping plans another run
# holds, so two runs never make the same review twice.
STALE_PLANS = f"""
    SELECT p.id, ls.id
    FROM playbook_operationplan p
    JOIN providers_engagement e ON e.id = p.engagement_id
    JOIN providers_livesessionkey k ON k.external_id = p.stream_external_id
    JOIN providers_livesession ls ON ls.id = k.session_id AND ls.started_at = k.started_at
    LEFT JOIN playbook_review r ON r.plan_id = p.id
    WHERE p.status IN ('{PlanStatus.LINKED.value}', '{PlanStatus.REVIEWED.value}') AND p.stream_external_id <> ''
      AND ls.merchant_id = e.merchant_id AND (ls.provider_id IS NULL OR ls.provider_id = p.provider_id)
      AND (r.id IS NULL OR r.session_id <> ls.id OR r.session_batch_id IS DISTINCT FROM ls.batch_id)
    ORDER BY p.id
    LIMIT %(limit)s
    FOR UPDATE OF p SKIP LOCKED
"""

BATCH = 500
EXIT_SPIKES = 3
EVENT_WINDOW_MINUTES = 5


def review_curves(sessions) -> dict[int, dict]:
    """The wall's minute curves (§10) of each session's stream, to copy into its review: {session id: {"minutes":
    [k, …], "series": {name: [value, …]}, "events": [{"minute", "kind", "label"}, …]}}, ``series["exits"]`` the
    cumulative exits at each minute; {} for a stream the wall never saw (live.selectors.streams_curves)."""
    curves = streams_curves([s.external_id for s in sessions])
    return {s.pk: curves.get(s.external_id, {}) for s in sessions}


def exit_spikes(curves: dict) -> list[dict]:
    """The three minutes of largest Δ5 exits (exits(k) − exits(k − 5), no value without a snapshot at k − 5),
    largest first then earliest, each with the events within 5 minutes of it."""
    minutes = curves.get("minutes") or []
    exits = (curves.get("series") or {}).get("exits") or []
    at = {k: v for k, v in zip(minutes, exits, strict=False) if v is not None}
    deltas = [(k, at[k] - at[k - 5]) for k in sorted(at) if k - 5 in at]
    deltas.sort(key=lambda d: (-d[1], d[0]))
    events = curves.get("events") or []
    return [
        {
            "minute": k,
            "delta_exits": delta,
            "events": [e for e in events if abs(e.get("minute", -(10**6)) - k) <= EVENT_WINDOW_MINUTES],
        }
        for k, delta in deltas[:EXIT_SPIKES]
    ]


def _ratio(actual, target) -> str | None:
    if actual is None or target is None or Decimal(target) == 0:
        return None
    return str((Decimal(actual) / Decimal(target)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _s(value) -> str | None:
    return None if value is None else str(value)


def target_figures(plan: OperationPlan, session) -> list[dict]:
    """Targets against actuals: GMV, entries (the final row's viewers), new followers, paid ROI."""
    roi = None
    if session.paid_spend > 0:
        roi = (session.paid_gmv / session.paid_spend).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    rows = [
        ("gmv", plan.target_gmv, session.gmv),
        ("entries", plan.target_entries, session.viewers),
        ("new_followers", plan.target_new_followers, session.new_followers),
        ("paid_roi", plan.target_paid_roi, roi),
    ]
    return [{"key": k, "target": _s(t), "actual": _s(a), "ratio": _ratio(a, t)} for k, t, a in rows]


def _uplifts(sessions) -> dict[int, tuple]:
    """{session id: (baseline, uplift)} for operated sessions, in one query."""
    if not sessions:
        return {}
    start = min(s.started_at for s in sessions)
    end = max(s.started_at for s in sessions) + dt.timedelta(seconds=1)
    with connection.cursor() as cursor:
        cursor.execute(
            session_uplift_sql("ls.id = ANY(%(ids)s)"),
            {"ids": [s.pk for s in sessions], "start": start, "end": end},
        )
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def _skipped(plan_ids: list[int]) -> dict[int, list[dict]]:
    """Per plan, the items of the stages before the review that it never ticked (the review stage is the review)."""
    plans = OperationPlan.objects.filter(pk__in=plan_ids).only("id", "playbook_id")
    items = (
        PlaybookItem.objects.filter(stage__playbook_id__in={p.playbook_id for p in plans})
        .exclude(stage__key=StageKey.REVIEW)
        .select_related("stage")
        .order_by("stage__position", "position")
    )
    ticked = set(ItemTick.objects.filter(plan_id__in=plan_ids).values_list("plan_id", "item_id"))
    out = {}
    for plan in plans:
        out[plan.pk] = [
            {
                "stage": i.stage.key,
                "key": i.key,
                "title": i.title,
                "title_zh": i.title_zh,
                "required": i.required,
            }
            for i in items
            if i.stage.playbook_id == plan.playbook_id and (plan.pk, i.pk) not in ticked
        ]
    return out


def _quantize(value, places: str) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@transaction.atomic
def reviews_build(*, now: dt.datetime) -> int:
    """Make or redo every stale review (STALE_PLANS), BATCH at a time; the number made or redone."""
    with connection.cursor() as cursor:
        cursor.execute(STALE_PLANS, {"limit": BATCH})
        pairs = dict(cursor.fetchall())
    if not pairs:
        return 0
    plans = {p.pk: p for p in OperationPlan.objects.filter(pk__in=pairs).select_related("engagement")}
    sessions = {s.pk: s for s in LiveSession.objects.filter(pk__in=pairs.values())}
    uplifts = _uplifts(list(sessions.values()))
    curves_of = review_curves(list(sessions.values()))
    skipped = _skipped(list(pairs))
    existing = {r.plan_id: r for r in Review.objects.filter(plan_id__in=pairs)}
    made = []
    for plan_id, session_id in pairs.items():
        plan, session = plans[plan_id], sessions[session_id]
        baseline, uplift = uplifts.get(session_id, (None, None))
        curves = curves_of[session_id]
        review = existing.get(plan_id) or Review(plan=plan, made_at=now, refresh_count=-1)
        review.session = session
        review.session_batch_id = session.batch_id
        review.figures = target_figures(plan, session)
        review.baseline = _quantize(baseline, "0.01")
        review.uplift = _quantize(uplift, "0.000001")
        review.curves = curves
        review.exit_spikes = exit_spikes(curves)
        review.skipped_items = skipped[plan_id]
        review.refreshed_at = now
        review.refresh_count += 1
        made.append(review)
    fields = ["session", "session_batch_id", "figures", "baseline", "uplift", "curves", "exit_spikes"]
    fields += ["skipped_items", "refreshed_at", "refresh_count"]
    Review.objects.bulk_update([r for r in made if r.pk], fields)
    Review.objects.bulk_create([r for r in made if not r.pk])
    OperationPlan.objects.filter(pk__in=pairs, status=PlanStatus.LINKED).update(status=PlanStatus.REVIEWED)
    logger.info("reviews_build made_or_refreshed=%s plans=%s", len(made), sorted(pairs))
    return len(made)
