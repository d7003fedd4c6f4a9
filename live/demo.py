"""Demo data of the live wall: past streams to replay (with frozen peer distributions) and a stream that a beat task
keeps moving while `make run` runs (demo_tick: every few seconds the current minute's snapshot grows)."""

from __future__ import annotations

import datetime as dt
import json
import math

from django.utils import timezone

from core.dates import SHANGHAI
from providers.models import Employment, Engagement, ProviderUser

from .ingest import events_ingest, snapshots_ingest
from .models import LiveStream
from .services import peers_freeze

DEMO_PREFIX = "demo-live-"
TICK_TASK = "live: demo stream tick (demo only)"
STREAM_MINUTES = 180


def _figures(minutes: float, scale: float, quality: float) -> dict:
    """Cumulative figures after ``minutes`` of a stream: smooth, monotone in time (a*m + b*(1 - cos) with a ≥ b)."""
    m = max(minutes, 0.0)
    wave = 1 - math.cos(m / 9)
    entries = int(scale * (40 * m + 30 * wave))
    orders = int(entries * 0.03 * quality)
    gmv = round(orders * 89.9, 2)
    feed, follow, search, paid = (int(entries * s) for s in (0.45, 0.2, 0.1, 0.15))
    return {
        "entries": entries,
        "exits": int(entries * 0.7),
        "watch_seconds": entries * 75,
        "comments": int(entries * 0.08 * quality),
        "likes": entries * 3,
        "shares": int(entries * 0.01),
        "new_followers": int(entries * 0.04 * quality),
        "fan_club_joins": int(entries * 0.005),
        "product_impressions": entries * 4,
        "product_clicks": int(entries * 0.4 * quality),
        "cart_adds": int(entries * 0.08 * quality),
        "orders": orders,
        "room_impressions": entries * 5,
        "entries_feed": feed,
        "entries_follow": follow,
        "entries_search": search,
        "entries_paid": paid,
        "entries_other": max(int(entries * 0.05) - 1, 0),
        "gmv": f"{gmv:.2f}",
        "refund_amount": f"{gmv * 0.06:.2f}",
        "paid_spend": f"{paid * 0.8:.2f}",
        "paid_gmv": f"{gmv * 0.3:.2f}",
        "online_viewers": int(scale * (120 + 60 * math.sin(m / 11))),
    }


def _row(external_id, merchant, operator, started, minute, figures):
    at = started.replace(second=0, microsecond=0) + dt.timedelta(minutes=minute)
    return {
        "external_id": external_id,
        "merchant": merchant,
        "operator": operator,
        "started_at": started.isoformat(),
        "at": at.isoformat(),
        **figures,
    }


def _cast(demo_today: dt.date):
    """The demo provider users' merchants and operators: (merchant id, platform ids ...) open today."""
    providers = set(ProviderUser.objects.values_list("provider_id", flat=True))
    engagements = (
        Engagement.objects.filter(provider_id__in=providers, start_date__lte=demo_today - dt.timedelta(days=40))
        .filter(end_date__isnull=True)
        .select_related("merchant")
        .order_by("id")
    )
    operators = {}  # each provider's longest-serving operator of those employed now (one, whatever steps follow)
    for e in (
        Employment.objects.filter(
            provider_id__in=providers, end_date__isnull=True, start_date__lte=demo_today - dt.timedelta(days=40)
        )
        .select_related("operator")
        .order_by("start_date", "id")
    ):
        operators.setdefault(e.provider_id, e.operator.platform_user_id)
    return [(e.merchant, operators.get(e.provider_id)) for e in engagements if e.provider_id in operators][:6]


def make_live_streams(demo) -> None:
    """Past streams (the last 35 days, 60 minutes each) of the demo providers' merchants, frozen peers, events,
    the moving demo stream, and the beat task that moves it."""
    rng = demo.rng("live_streams")
    today = demo.today
    cast = _cast(today)
    rows, events = [], []
    for i, (merchant, operator) in enumerate(cast):
        for day in range(35, 0, -3):
            started = dt.datetime.combine(
                today - dt.timedelta(days=day), dt.time(19 + i % 3, rng.randrange(60)), tzinfo=SHANGHAI
            )
            eid = f"demo-{merchant.platform_account_id}-{started:%Y%m%d}"
            scale, quality = rng.uniform(0.5, 2.0), rng.uniform(0.6, 1.4)
            rows += [
                _row(eid, merchant.platform_account_id, operator, started, k, _figures(k, scale, quality))
                for k in range(61)
            ]
            events += [
                {
                    "external_id": eid,
                    "at": (started + dt.timedelta(minutes=10)).isoformat(),
                    "kind": "product_on",
                    "label": "爆款连衣裙",
                },
                {
                    "external_id": eid,
                    "at": (started + dt.timedelta(minutes=30)).isoformat(),
                    "kind": "coupon",
                    "label": "满200减20",
                },
            ]
    for start in range(0, len(rows), 5000):
        snapshots_ingest(rows=rows[start : start + 5000])
    if events:
        events_ingest(rows=events)
    for day in range(0, 36):
        peers_freeze(for_date=today - dt.timedelta(days=day))
    if cast:
        demo_tick()
        _schedule_tick()
    demo.counts["live_streams"] = LiveStream.objects.count()


def _schedule_tick():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name=TICK_TASK,
        defaults={"task": "live.tasks.demo_tick_task", "interval": every, "enabled": True, "args": json.dumps([])},
    )


def demo_tick(now: dt.datetime | None = None) -> str | None:
    """Grow the demo stream's current minute (a new stream when none runs or the last ran STREAM_MINUTES)."""
    now = now or timezone.now()
    cast = _cast(now.astimezone(SHANGHAI).date())
    if not cast:
        return None
    merchant, operator = cast[0]
    stream = (
        LiveStream.objects.filter(external_id__startswith=DEMO_PREFIX)
        .select_related("merchant", "operator")
        .order_by("-started_at")
        .first()
    )
    if stream is None or now - stream.started_at > dt.timedelta(minutes=STREAM_MINUTES):
        started = now - dt.timedelta(minutes=20)  # a visitor lands on a stream already running
        eid = f"{DEMO_PREFIX}{started.astimezone(SHANGHAI):%Y%m%d%H%M}"
        figures = [_figures(k, 1.3, 0.35) for k in range(20)]
        rows = [_row(eid, merchant.platform_account_id, operator, started, k, f) for k, f in enumerate(figures)]
        snapshots_ingest(rows=rows)
        events_ingest(
            rows=[
                {
                    "external_id": eid,
                    "at": (started + dt.timedelta(minutes=5)).isoformat(),
                    "kind": "product_on",
                    "label": "新品上架",
                }
            ]
        )
        return eid
    elapsed = (now - stream.start_minute).total_seconds() / 60
    minute = int(elapsed)
    snapshots_ingest(
        rows=[
            _row(  # the stream's own merchant and operator (a snapshot naming others is refused: stream_differs)
                stream.external_id,
                stream.merchant.platform_account_id,
                stream.operator.platform_user_id if stream.operator_id else None,
                stream.started_at,
                minute,
                _figures(elapsed, 1.3, 0.8),
            )
        ]
    )
    return stream.external_id
