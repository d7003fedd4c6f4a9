"""Writes of the live app besides ingest (live.ingest): the nightly peer freeze and the alert-count refresh."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction

from core.dates import SHANGHAI, shanghai_today

from . import dimensions
from .choices import DimensionDirection
from .models import DimensionSet, PeerFreeze
from .selectors import active_dimension_set, alert_counts

logger = logging.getLogger(__name__)

PEER_DAYS = 30
MAX_MINUTE = 600


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


@transaction.atomic
def peers_freeze(*, for_date: dt.date | None = None, dimension_set: DimensionSet | None = None) -> PeerFreeze | None:
    """Freeze, per category, ranked dimension and minute k ≤ 600, the sorted values at minute k of the category's
    streams that started in the 30 Shanghai days before ``for_date`` (default: today, the night's job). Streams
    starting on ``for_date`` are ranked against it. A date already frozen is left as it is (frozen means frozen)."""
    for_date = for_date or shanghai_today()
    dimension_set = dimension_set or active_dimension_set()
    if dimension_set is None:
        return None
    existing = PeerFreeze.objects.filter(dimension_set=dimension_set, for_date=for_date).first()
    if existing:
        logger.info("live peers freeze: %s v%s already frozen", for_date, dimension_set.version)
        return existing
    first = for_date - dt.timedelta(days=PEER_DAYS)
    codes = list(
        dimension_set.dimensions.exclude(direction=DimensionDirection.NONE)
        .filter(code__in=list(dimensions.SQL))
        .values_list("code", flat=True)
    )
    freeze = PeerFreeze.objects.create(dimension_set=dimension_set, for_date=for_date, streams=0, distributions=0)
    params = {
        "freeze": freeze.pk,
        "first": first,
        "for": for_date,
        "lo": _midnight(first),
        "hi": _midnight(for_date + dt.timedelta(days=1)),
        "max": MAX_MINUTE,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM live_livestream WHERE start_date >= %(first)s AND start_date < %(for)s", params
        )
        streams = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO live_peerdistribution (freeze_id, category, code, minute, vals)
            SELECT %(freeze)s, m.category, d.code, s.k, array_agg(d.value ORDER BY d.value)
            FROM live_livestream st
            JOIN providers_merchant m ON m.id = st.merchant_id
            JOIN live_livesnapshot s ON s.stream_id = st.id AND s.at >= %(lo)s AND s.at < %(hi)s AND s.k <= %(max)s
            LEFT JOIN live_livesnapshot p ON p.stream_id = s.stream_id AND p.at = s.at - interval '5 minutes'
                AND p.at >= %(lo)s AND p.at < %(hi)s
            {dimensions.values_lateral(codes)}
            WHERE st.start_date >= %(first)s AND st.start_date < %(for)s AND d.value IS NOT NULL
            GROUP BY m.category, d.code, s.k
            """,  # noqa: S608
            params,
        )
        distributions = cursor.rowcount
    PeerFreeze.objects.filter(pk=freeze.pk).update(streams=streams, distributions=distributions)
    freeze.streams, freeze.distributions = streams, distributions
    logger.info(
        "live peers freeze: for=%s v%s streams=%s distributions=%s",
        for_date,
        dimension_set.version,
        streams,
        distributions,
    )
    return freeze


@transaction.atomic
def alerts_refresh(*, stream_ids: list[int]) -> dict[int, int]:
    """Store each stream's alert count (the dimensions alerting at its latest snapshot) for the wall of walls."""
    counts = alert_counts(list(stream_ids))
    if counts:
        ids = list(counts)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE live_livestream st SET alert_count = c.n, alerts_at = c.at "
                "FROM unnest(%s::bigint[], %s::int[], %s::timestamptz[]) AS c(id, n, at) "
                "WHERE st.id = c.id AND st.last_at = c.at",
                [ids, [counts[i][1] for i in ids], [counts[i][0] for i in ids]],
            )
    logger.info("live alerts refresh: streams=%s alerting=%s", len(counts), sum(1 for _at, n in counts.values() if n))
    return {i: n for i, (_at, n) in counts.items()}
