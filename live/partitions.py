"""The daily partitions of live_livesnapshot (DESIGN §10 "Scale"): made ahead, dropped after RETENTION_DAYS.

Partition ``live_livesnapshot_YYYYMMDD`` holds the snapshots whose ``at`` falls on that Shanghai day. The app's
role owns no table, so it calls live_snapshot_partitions() (live migration 0002), which runs as the schema owner.
"""

import datetime as dt
import logging

from django.db import connection

from core.dates import shanghai_today

logger = logging.getLogger(__name__)

RETENTION_DAYS = 180
AHEAD_DAYS = 7
PREFIX = "live_livesnapshot_"


def partition_name(day: dt.date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def partitions() -> list[dt.date]:
    """The days that have a partition, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = inhrelid "
            "JOIN pg_class parent ON parent.oid = inhparent WHERE parent.relname = 'live_livesnapshot' ORDER BY 1"
        )
        names = [name for (name,) in cursor.fetchall() if name.startswith(PREFIX)]
    return [dt.datetime.strptime(name.removeprefix(PREFIX), "%Y%m%d").date() for name in names]


def oldest_kept(today: dt.date) -> dt.date:
    """Snapshots are kept for the RETENTION_DAYS days before today and today; older days' partitions are dropped."""
    return today - dt.timedelta(days=RETENTION_DAYS)


def partitions_ensure(days) -> list[str]:
    """Create the partitions of the given days that are missing (nothing happens for days that have one)."""
    days = sorted(set(days))
    if not days:
        return []
    existing = set(partitions())
    missing = [day for day in days if day not in existing]
    made = []
    with connection.cursor() as cursor:
        for day in missing:
            cursor.execute("SELECT created FROM live_snapshot_partitions(%s, %s, NULL)", [day, day])
            made.extend(cursor.fetchone()[0])
    if made:
        logger.info("live partitions: created %s", made)
    return made


def partitions_maintain(*, today: dt.date | None = None) -> dict:
    """The nightly job: partitions for today .. today + AHEAD_DAYS exist, those before oldest_kept(today) are gone."""
    today = today or shanghai_today()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT created, dropped FROM live_snapshot_partitions(%s, %s, %s)",
            [today, today + dt.timedelta(days=AHEAD_DAYS), oldest_kept(today)],
        )
        created, dropped = cursor.fetchone()
    logger.info("live partitions: today=%s created=%s dropped=%s", today, created, dropped)
    return {"created": list(created), "dropped": list(dropped)}
