"""Reads of the live wall: who sees which stream, the dimensions with their peer percentile, own baseline and
alert flag (DESIGN §10), the wall's state, the wall of walls. Set-based SQL; a read never writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from core.caching import cached
from providers.models import LiveSession

from . import dimensions
from .choices import DimensionDirection
from .ingest import MAX_STREAM_HOURS
from .models import SOURCES, Dimension, DimensionSet, LiveEvent, LiveSnapshot, LiveStream

LIVE_WINDOW = dt.timedelta(minutes=5)
STREAM_SPAN = dt.timedelta(hours=MAX_STREAM_HOURS)
ALERT_BELOW = Decimal("0.10")
RED_ALERTS = 3
# A stream's snapshots lie within MAX_STREAM_HOURS of its start minute (live.ingest): every read of a stream's
# snapshots says so, so PostgreSQL reads only that day's (or two days') partitions.
_WINDOW = f"s.at >= {{t}}.start_minute AND s.at <= {{t}}.start_minute + interval '{MAX_STREAM_HOURS} hours'"


def active_dimension_set() -> DimensionSet | None:
    return DimensionSet.objects.order_by("-version").first()


def registry(dimension_set: DimensionSet | None = None) -> list[Dimension]:
    dimension_set = dimension_set or active_dimension_set()
    return list(dimension_set.dimensions.all()) if dimension_set else []


def stream_visible(user, external_id: str) -> LiveStream | None:
    """The stream if the user may see it (DESIGN §10 "who sees it"), else None: not yours = does not exist."""
    return (
        LiveStream.objects.restrict(user)
        .select_related("merchant", "operator")
        .annotate(ended=Exists(LiveSession.objects.filter(external_id=OuterRef("external_id"))))
        .filter(external_id=external_id)
        .first()
    )


def stream_id_visible(user, external_id: str) -> int | None:
    return LiveStream.objects.restrict(user).filter(external_id=external_id).values_list("id", flat=True).first()


def live_streams(now: dt.datetime | None = None):
    """Streams live now: a snapshot later than 5 minutes ago and no final LiveSession row. A snapshot is at most
    24 hours (STREAM_SPAN) after its stream's start minute (ingest refuses later ones), so a live stream started
    less than that and 5 minutes ago: the index on started_at finds the candidates (last_at is not indexed)."""
    now = now or timezone.now()
    since = now - LIVE_WINDOW
    return LiveStream.objects.filter(started_at__gt=since - STREAM_SPAN, last_at__gt=since).exclude(
        Exists(LiveSession.objects.filter(external_id=OuterRef("external_id")))
    )


def wall_of_walls(*, now: dt.datetime | None = None, limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:
    """Staff's wall of walls: the streams live now by GMV (then id), with their alert counts; (total, page of
    rows: external_id, merchant, last_gmv, last_online, alert_count, last_at).

    Read through the cache (``LIVE_WALLS_CACHE_SECONDS``) under the walls' version, which every accepted batch
    and alert refresh changes (live.push.walls_changed): between bursts every staff screen shares one read, and
    a stream leaving the live window or ended by its LiveSession row drops out within those seconds."""

    def compute():
        streams = live_streams(now)
        total = streams.count()
        page = streams.order_by("-last_gmv", "id").values(
            "external_id", "last_gmv", "last_online", "alert_count", "last_at", merchant_name=F("merchant__name")
        )[offset : offset + limit]
        return total, list(page)

    if now is not None:
        return compute()
    version = walls_version()
    return cached(f"live:walls:{version}:{offset}:{limit}", settings.LIVE_WALLS_CACHE_SECONDS, compute)


WALLS_VERSION = "live:walls:version"


def walls_version():
    """What the wall of walls is keyed by in the cache (a token each accepted batch and alert refresh replaces)."""
    try:
        return cache.get(WALLS_VERSION, 0)
    except Exception:  # noqa: BLE001 - the cache down: core.caching computes the page anyway
        return 0


# --------------------------------------------------------------------------- dimensions


# The snapshots a dimension table reads: the streams' last ones and, for the own baselines, those at the same
# minutes of the merchants' earlier streams. Their instants (and five minutes before) are read first and named
# in the main statement as constants, so PostgreSQL plans only the partitions of those days (not all 180).
_KEY_CTES = f"""
WITH target AS (
    SELECT st.id, st.merchant_id, st.started_at, st.start_minute, st.start_date, m.category
    FROM live_livestream st JOIN providers_merchant m ON m.id = st.merchant_id
    WHERE st.id = ANY(%(ids)s)
),
tsnap AS (
    SELECT t.id AS target_id, x.at, x.k, x.j FROM target t
    CROSS JOIN LATERAL (
        SELECT s.at, s.k, row_number() OVER (ORDER BY s.at DESC) AS j FROM live_livesnapshot s
        WHERE s.stream_id = t.id AND {_WINDOW.format(t="t")} AND s.at <= %(until)s
          AND s.at >= %(lo)s AND s.at <= %(hi)s
        ORDER BY s.at DESC LIMIT %(last)s
    ) x
),
keys AS (
    SELECT target_id, target_id AS stream_id, at, k, j, NULL::timestamptz AS prev_started, NULL::bigint AS prev_id
    FROM tsnap
    UNION ALL
    SELECT ts.target_id, ps.id, ps.start_minute + ts.k * interval '1 minute', ts.k, ts.j, ps.started_at, ps.id
    FROM tsnap ts JOIN target t ON t.id = ts.target_id
    JOIN live_livestream ps ON ps.merchant_id = t.merchant_id AND (ps.started_at, ps.id) < (t.started_at, t.id)
)"""  # noqa: S608

_KEYS = f"""{_KEY_CTES}
SELECT array_agg(DISTINCT a) FROM keys, LATERAL (VALUES (keys.at), (keys.at - interval '5 minutes')) v(a)
"""  # noqa: S608


def _dimension_sql(codes: list[str]) -> str:
    return f"""{_KEY_CTES},
vals AS (
    SELECT kk.target_id, kk.at, kk.k, kk.j, kk.prev_started, kk.prev_id, d.code, d.value
    FROM keys kk
    CROSS JOIN LATERAL (
        SELECT s.* FROM live_livesnapshot s WHERE s.stream_id = kk.stream_id AND s.at = kk.at
          AND s.at = ANY(%(ats)s::timestamptz[])
    ) s
    LEFT JOIN LATERAL (
        SELECT p.* FROM live_livesnapshot p WHERE p.stream_id = kk.stream_id AND p.at = kk.at - interval '5 minutes'
          AND p.at = ANY(%(ats)s::timestamptz[])
    ) p ON true
    {dimensions.values_lateral(codes)}
),
bv AS (
    SELECT target_id, k, code, value,
        row_number() OVER (PARTITION BY target_id, k, code ORDER BY prev_started DESC, prev_id DESC) AS r
    FROM vals WHERE prev_id IS NOT NULL AND value IS NOT NULL
),
b10 AS (
    SELECT target_id, k, code, value,
        row_number() OVER (PARTITION BY target_id, k, code ORDER BY value) AS o,
        count(*) OVER (PARTITION BY target_id, k, code) AS n
    FROM bv WHERE r <= 10
),
base AS (
    SELECT target_id, k, code, avg(value) AS baseline, max(n) AS base_n
    FROM b10 WHERE o IN ((n + 1) / 2, (n + 2) / 2) GROUP BY target_id, k, code
),
pct AS (
    SELECT v.target_id, v.at, v.k, v.j, v.code, v.value, dim.direction, base.baseline, base.base_n,
        coalesce(array_length(pd.vals, 1), 0) AS peers,
        CASE WHEN dim.direction = 'none' OR v.value IS NULL THEN NULL
             ELSE live_midrank(pd.vals, v.value, dim.direction = 'up') END AS percentile
    FROM vals v
    JOIN target t ON t.id = v.target_id
    JOIN live_dimension dim ON dim.dimension_set_id = %(set)s AND dim.code = v.code
    LEFT JOIN live_peerfreeze f ON f.dimension_set_id = %(set)s AND f.for_date = t.start_date
    LEFT JOIN live_peerdistribution pd
        ON pd.freeze_id = f.id AND pd.category = t.category AND pd.code = v.code AND pd.minute = v.k
    LEFT JOIN base ON base.target_id = v.target_id AND base.k = v.k AND base.code = v.code
    WHERE v.prev_id IS NULL
)
SELECT target_id, at, k, j, code, value, percentile, baseline, coalesce(base_n, 0), peers,
    coalesce(
        percentile < %(below)s
        AND lag(percentile, 1) OVER w < %(below)s
        AND lag(percentile, 2) OVER w < %(below)s
        AND (baseline IS NULL OR (direction = 'up' AND value < baseline) OR (direction = 'down' AND value > baseline)),
        false
    ) AS alerting
FROM pct
WINDOW w AS (PARTITION BY target_id, code ORDER BY at)
ORDER BY target_id, at, code
"""  # noqa: S608


def dimension_table(
    stream_ids: list[int],
    *,
    last: int | None = None,
    until: dt.datetime | None = None,
    dimension_set=None,
    codes: list[str] | None = None,
) -> list[dict]:
    """Every dimension at every snapshot of the streams (or their ``last`` snapshots up to ``until``): value, peer
    percentile (None: no value or not ranked), own baseline (None: none), baseline sample, peers, alerting.

    An alert needs the stream's two snapshots before the one judged, so with ``last`` only the rows of the latest
    ``last − 2`` snapshots carry a meaningful alert flag (the wall and the alert refresh take last=3, j = 1)."""
    dimension_set = dimension_set or active_dimension_set()
    if dimension_set is None or not stream_ids:
        return []
    if codes is None:  # the registry version's codes (a caller holding its rows passes them)
        codes = list(dimension_set.dimensions.values_list("code", flat=True))
    codes = [c for c in codes if c in dimensions.SQL]
    params = {
        "ids": list(stream_ids),
        "last": last,
        "until": until or dt.datetime.max.replace(tzinfo=dt.UTC),
        "set": dimension_set.pk,
        "below": ALERT_BELOW,
    }
    # A read, in a transaction only to turn off JIT compiling for it: the planner's row guesses over the
    # partitions would make it compile (hundreds of ms) what runs in a few.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            "SELECT min(start_minute), max(start_minute) FROM live_livestream WHERE id = ANY(%(ids)s)", params
        )
        lo, hi = cursor.fetchone()
        if lo is None:
            return []
        params["lo"], params["hi"] = lo, hi + dt.timedelta(hours=24)
        cursor.execute(_KEYS, params)
        params["ats"] = cursor.fetchone()[0] or []
        cursor.execute(_dimension_sql(codes), params)
        names = [
            "stream_id",
            "at",
            "k",
            "j",
            "code",
            "value",
            "percentile",
            "baseline",
            "baseline_n",
            "peers",
            "alerting",
        ]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def alert_counts(stream_ids: list[int]) -> dict[int, tuple[dt.datetime, int]]:
    """For each stream: its latest snapshot and the number of dimensions alerting there."""
    out: dict[int, tuple[dt.datetime, int]] = {}
    for row in dimension_table(stream_ids, last=3):
        if row["j"] == 1:
            at, n = out.get(row["stream_id"], (row["at"], 0))
            out[row["stream_id"]] = (at, n + (1 if row["alerting"] else 0))
    return out


def sort_alerts(rows: list[dict]) -> list[dict]:
    """The wall's order: lowest percentile first, then code; the first RED_ALERTS are red."""
    ordered = sorted((r for r in rows if r["alerting"]), key=lambda r: (r["percentile"], r["code"]))
    for i, row in enumerate(ordered):
        row["red"] = i < RED_ALERTS
    return ordered


# --------------------------------------------------------------------------- the wall


CURVE_CODES = ("gpm", "conversion_rate", "gmv_per_minute")


def _curves(stream: LiveStream, until: dt.datetime | None) -> list[dict]:
    # Constant bounds on `at`: PostgreSQL reads only the stream's own day partitions.
    first, last = stream.start_minute, stream.start_minute + dt.timedelta(hours=24)
    if until is not None:
        last = min(last, until)
    sql = f"""
        SELECT s.at, s.k, s.gmv, s.online_viewers, s.entries, s.orders, s.new_followers,
            {dimensions.columns(list(CURVE_CODES))}
        FROM live_livesnapshot s
        LEFT JOIN live_livesnapshot p ON p.stream_id = s.stream_id AND p.at = s.at - interval '5 minutes'
            AND p.at >= %(first)s AND p.at <= %(last)s
        WHERE s.stream_id = %(id)s AND s.at >= %(first)s AND s.at <= %(last)s
        ORDER BY s.at
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {"id": stream.pk, "first": first, "last": last})
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def wall_state(stream: LiveStream, *, minute: int | None = None) -> dict:
    """Everything the wall shows of one stream at its latest snapshot (or at minute ``minute``, for the replay)."""
    until = stream.start_minute + dt.timedelta(minutes=minute) if minute is not None else None
    curves = _curves(stream, until)
    dimension_set = active_dimension_set()
    dims = registry(dimension_set)
    latest = None
    if curves:
        latest = LiveSnapshot.objects.filter(stream=stream, at=curves[-1]["at"]).first()
    rows = (
        dimension_table([stream.pk], last=3, until=until, dimension_set=dimension_set, codes=[d.code for d in dims])
        if latest
        else []
    )
    current = {r["code"]: r for r in rows if r["j"] == 1}
    board = []
    for dim in dims:
        row = current.get(dim.code, {})
        board.append(
            {
                "dimension": dim,
                "value": row.get("value"),
                "percentile": row.get("percentile"),
                "baseline": row.get("baseline"),
                "peers": row.get("peers", 0),
                "alerting": row.get("alerting", False),
            }
        )
    alerts = sort_alerts([dict(r, dimension=next(d for d in dims if d.code == r["code"])) for r in current.values()])
    events = list(LiveEvent.objects.filter(stream=stream, **({"at__lte": until} if until else {})).order_by("at", "id"))
    tiles = funnel = sources = None
    if latest is not None:
        tiles = {
            "gmv": latest.gmv,
            "online": latest.online_viewers,
            "peak": max(c["online_viewers"] for c in curves),
            "gpm": current.get("gpm", {}).get("value"),
            "conversion_rate": current.get("conversion_rate", {}).get("value"),
            "new_followers": latest.new_followers,
            "paid_roi": current.get("paid_roi", {}).get("value"),
        }
        funnel = [
            ("room_impressions", latest.room_impressions),
            ("entries", latest.entries),
            ("product_clicks", latest.product_clicks),
            ("orders", latest.orders),
        ]
        attributed = sum(getattr(latest, f"entries_{s}") for s in SOURCES)
        sources = [(s, getattr(latest, f"entries_{s}")) for s in SOURCES] + [
            ("unattributed", latest.entries - attributed)
        ]
    return {
        "stream": stream,
        "latest": latest,
        "minute": latest.k if latest else None,
        "tiles": tiles,
        "curves": curves,
        "events": events,
        "funnel": funnel,
        "sources": sources,
        "board": board,
        "alerts": alerts,
        "dimension_set": dimension_set,
        "ranked": [d for d in dims if d.direction != DimensionDirection.NONE],
    }


# --------------------------------------------------------------------------- curves for reviews (§12)

# What a review (复盘) copies of a stream's wall: the cumulative counters and the core rates, minute by minute.
REVIEW_COUNTERS = ("gmv", "entries", "exits", "orders", "new_followers", "online_viewers")
REVIEW_RATES = ("gpm", "conversion_rate")


def streams_curves(external_ids: list[str]) -> dict[str, dict]:
    """Each stream's minute curves as a review keeps them, in two queries for any number of streams:
    ``{external_id: {"minutes": [k, …], "series": {name: [value, …]}, "events": [{"minute", "kind", "label"}]}}``
    (money and rates as exact decimal strings; streams without snapshots are left out)."""
    streams = list(LiveStream.objects.filter(external_id__in=external_ids))
    if not streams:
        return {}
    # Constant bounds on `at`: PostgreSQL reads only the streams' own day partitions.
    first = min(s.start_minute for s in streams)
    last = max(s.start_minute for s in streams) + dt.timedelta(hours=24)
    sql = f"""
        SELECT s.stream_id, s.k, {", ".join(f"s.{c}" for c in REVIEW_COUNTERS)},
            {dimensions.columns(list(REVIEW_RATES))}
        FROM live_livesnapshot s
        LEFT JOIN live_livesnapshot p ON p.stream_id = s.stream_id AND p.at = s.at - interval '5 minutes'
            AND p.at >= %(first)s AND p.at <= %(last)s
        WHERE s.stream_id = ANY(%(ids)s) AND s.at >= %(first)s AND s.at <= %(last)s
        ORDER BY s.stream_id, s.at
    """  # noqa: S608
    by_id = {
        s.pk: {"minutes": [], "series": {n: [] for n in REVIEW_COUNTERS + REVIEW_RATES}, "events": []} for s in streams
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": list(by_id), "first": first, "last": last})
        for stream_id, k, *values in cursor.fetchall():
            curves = by_id[stream_id]
            curves["minutes"].append(k)
            for name, value in zip(REVIEW_COUNTERS + REVIEW_RATES, values, strict=True):
                curves["series"][name].append(
                    None if value is None else (format(value, "f") if isinstance(value, Decimal) else value)
                )
    start = {s.pk: s.start_minute for s in streams}
    for event in LiveEvent.objects.filter(stream_id__in=by_id).order_by("stream_id", "at", "id"):
        minute = int((event.at - start[event.stream_id]).total_seconds() // 60)
        by_id[event.stream_id]["events"].append({"minute": minute, "kind": event.kind, "label": event.label})
    return {s.external_id: by_id[s.pk] for s in streams if by_id[s.pk]["minutes"]}
