"""DESIGN §10 numbers on small hand-checked streams: core dimensions, Δ5, peer percentile, own baseline, alert runs."""

import datetime as dt
from decimal import Decimal

import pytest

from live.ingest import snapshots_ingest
from live.models import LiveStream, PeerDistribution
from live.selectors import alert_counts, dimension_table, sort_alerts
from live.services import alerts_refresh, peers_freeze
from tests import factories
from tests.live.helpers import row, today_start

D = Decimal


def ingest(rows):
    report = snapshots_ingest(rows=rows)
    assert report.rejected == 0, report.errors
    return report


def table(external_id, **kwargs):
    stream = LiveStream.objects.get(external_id=external_id)
    return {(r["k"], r["code"]): r for r in dimension_table([stream.pk], **kwargs)}


@pytest.mark.django_db
def test_core_dimensions_and_delta5_at_one_snapshot():
    factories.MerchantFactory(platform_account_id="m1")
    start = today_start(days_ago=1, hour=9).replace(second=42)
    base = dict(entries=100, exits=10, gmv=D("100.00"), orders=1)
    figures = dict(
        entries=300,
        exits=70,
        watch_seconds=1000,
        comments=30,
        shares=7,
        likes=500,
        new_followers=9,
        product_impressions=32,
        product_clicks=1,
        cart_adds=0,
        orders=10,
        room_impressions=1000,
        entries_feed=120,
        entries_follow=30,
        entries_search=15,
        entries_paid=45,
        entries_other=0,
        gmv=D("1000.00"),
        refund_amount=D("50.00"),
        paid_spend=D("100.00"),
        paid_gmv=D("250.00"),
        online_viewers=80,
    )
    ingest([row("a", "m1", start, 0, **base), row("a", "m1", start, 5, **figures), row("a", "m1", start, 7, **figures)])
    t = table("a")
    v = {code: t[(5, code)]["value"] for (k, code) in t if k == 5}
    assert v["gpm"] == D("3333.3333")  # 1000 × 1000 / 300
    assert v["conversion_rate"] == D("0.0333")  # 10 / 300
    assert v["product_ctr"] == D("0.0313")  # 1 / 32 = 0.03125, half-up
    assert v["click_to_order"] == D("10.0000")
    assert v["entry_rate"] == D("0.3000")
    assert v["avg_watch_seconds"] == D("3.3333")
    assert v["interaction_rate"] == D("0.1233")  # 37 / 300
    assert v["follow_rate"] == D("0.0300")
    assert v["paid_roi"] == D("2.5000")
    assert v["refund_rate"] == D("0.0500")
    assert v["aov"] == D("100.0000")
    assert v["source_share_feed"] == D("0.4000") and v["source_share_other"] == D("0.0000")
    assert v["cart_to_order"] is None  # 0 denominator: no value
    # Δ5 at minute 5 uses minute 0 (a snapshot exactly at k − 5); minute 7 has none at minute 2.
    assert v["gmv_per_minute"] == D("180.0000")  # (1000 − 100) / 5
    assert v["exit_rate_5m"] == D("0.3000")  # (70 − 10) / (300 − 100)
    assert t[(7, "gmv_per_minute")]["value"] is None and t[(7, "exit_rate_5m")]["value"] is None
    assert t[(0, "gmv_per_minute")]["value"] is None
    # k counts from the start truncated to its minute (started at :42).
    assert sorted({k for k, _code in t}) == [0, 5, 7]
    # Without a frozen distribution every ranked value has no peer: 0.5; unranked ones have no percentile.
    assert t[(5, "gpm")]["percentile"] == D("0.5") and t[(5, "aov")]["percentile"] is None


@pytest.fixture
def scene(db):
    """Three apparel peers that started 3 days before the target's day, the target, and two earlier streams of the
    target's merchant (40 and 41 days before: too old to be peers, young enough for the own baseline)."""
    target_day = today_start(days_ago=1, hour=20)
    for name in ("p0", "p1", "p2", "mt"):
        factories.MerchantFactory(platform_account_id=name, category="apparel")
    minutes = (0, 5, 6, 7)

    def stream(external_id, merchant, start, orders, clicks, refund):
        return [
            row(
                external_id,
                merchant,
                start,
                k,
                entries=100 + 10 * k,
                orders=orders + k,
                product_clicks=clicks(k),
                gmv=D("1000.00"),
                refund_amount=refund,
            )
            for k in minutes
        ]

    rows = []
    for i in range(3):
        rows += stream(f"peer{i}", f"p{i}", target_day - dt.timedelta(days=3), 20 + 10 * i, lambda k: 10, D("0.00"))
    rows += stream("old1", "mt", target_day - dt.timedelta(days=40), 0, lambda k: 10, D("900.00"))
    rows += stream("old2", "mt", target_day - dt.timedelta(days=41), 0, lambda k: 10, D("700.00"))
    rows += stream("target", "mt", target_day, 1, lambda k: 0 if k < 6 else 50, D("500.00"))
    ingest(rows)
    freeze = peers_freeze(for_date=target_day.date())
    return freeze


def test_the_freeze_holds_the_sorted_values_of_the_30_days_before(scene):
    assert scene.streams == 3  # peers only: the old streams started more than 30 days before, the target on the day
    dist = PeerDistribution.objects.get(freeze=scene, category="apparel", code="conversion_rate", minute=5)
    # peers' orders 25, 35, 45 over 150 entries
    assert dist.vals == [D("0.1667"), D("0.2333"), D("0.3000")]
    assert not PeerDistribution.objects.filter(freeze=scene, code="aov").exists()  # not ranked: not frozen
    assert peers_freeze(for_date=scene.for_date).pk == scene.pk  # frozen once


def test_peer_percentile_mid_rank(scene):
    t = table("target")
    # Target conversion (1 + k) / (100 + 10k) is below every peer's: no value worse, none equal → 0.
    assert t[(5, "conversion_rate")]["percentile"] == D("0")
    # GMV is 1000 for all: equal to the three peers: (0 + 0.5 × 3) / 3.
    assert t[(5, "gmv")]["percentile"] == D("0.5")
    # refund_rate is down: the target's 0.5 is above (worse than) the peers' 0 → 0.
    assert t[(5, "refund_rate")]["percentile"] == D("0")
    # A peer is ranked against its own start day's freeze, which was never made: 0.5, no peer.
    peer = table("peer0")
    assert peer[(5, "conversion_rate")]["percentile"] == D("0.5")
    assert t[(5, "conversion_rate")]["peers"] == 3


def test_own_baseline_is_the_median_of_the_last_streams(scene):
    t = table("target")
    # refund_rate of old1 0.9 and old2 0.7: the mean of the two middle values.
    assert t[(5, "refund_rate")]["baseline"] == D("0.8")
    assert t[(5, "refund_rate")]["baseline_n"] == 2
    # old streams' conversion (0 + k) / (100 + 10k) at k=5: 5/150
    assert t[(5, "conversion_rate")]["baseline"] == D("0.0333")


def test_alert_runs(scene):
    t = table("target")
    # conversion: percentile 0 at 0, 5, 6, 7, but (1 + k) / (100 + 10k) is above the own baseline k / (100 + 10k):
    # not worse, so it never alerts.
    assert [t[(k, "conversion_rate")]["alerting"] for k in (0, 5, 6, 7)] == [False] * 4
    # click_to_order: no value at 0 and 5 (no clicks), then worse than every peer at 6 and 7: a run of two only.
    assert t[(5, "click_to_order")]["percentile"] is None
    assert t[(6, "click_to_order")]["percentile"] == D("0") and t[(7, "click_to_order")]["percentile"] == D("0")
    assert not t[(7, "click_to_order")]["alerting"]
    # refund_rate: percentile 0 at every snapshot but better than the own baseline 0.8: no alert.
    assert not any(t[(k, "refund_rate")]["alerting"] for k in (0, 5, 6, 7))
    # entries_per_minute (Δ5 entries / 5): no value at 0, 6, 7 (no snapshot 5 minutes before), so no run.
    assert not any(r["alerting"] for key, r in t.items() if key[1] == "entries_per_minute")


def test_an_alert_needs_three_snapshots_below_and_worse_than_the_baseline(db):
    day = today_start(days_ago=1, hour=21)
    for name in ("q0", "q1", "q2", "mx"):
        factories.MerchantFactory(platform_account_id=name, category="food")
    rows = []
    for i in range(3):
        rows += [row(f"fp{i}", f"q{i}", day - dt.timedelta(days=2), k, entries=100, orders=50 + i) for k in range(4)]
    # an earlier stream of mx converts better than the target: the target is worse than its own baseline
    rows += [row("mx-old", "mx", day - dt.timedelta(days=60), k, entries=100, orders=40) for k in range(4)]
    rows += [row("mx-now", "mx", day, k, entries=100, orders=5 + k) for k in range(4)]
    ingest(rows)
    peers_freeze(for_date=day.date())
    t = table("mx-now")
    assert [t[(k, "conversion_rate")]["percentile"] for k in range(4)] == [D("0")] * 4
    assert t[(2, "conversion_rate")]["baseline"] == D("0.4")
    assert [t[(k, "conversion_rate")]["alerting"] for k in range(4)] == [False, False, True, True]
    stream = LiveStream.objects.get(external_id="mx-now")
    latest = {r["code"]: r for r in dimension_table([stream.pk], last=3) if r["j"] == 1}
    alerting = sort_alerts(list(latest.values()))
    # conversion_rate (0.08 against 0.50–0.52, baseline 0.4) and orders (8 against 50–52, baseline 40); the others
    # have no value (no clicks, no GMV, no Δ5) or equal the peers (gpm 0 = 0.5). Same percentile: by code.
    assert [a["code"] for a in alerting] == ["conversion_rate", "orders"]
    assert all(a["red"] for a in alerting)
    counts = alert_counts([stream.pk])
    assert counts[stream.pk][1] == len(alerting)
    alerts_refresh(stream_ids=[stream.pk])
    stream.refresh_from_db()
    assert stream.alert_count == len(alerting) and stream.alerts_at == stream.last_at
