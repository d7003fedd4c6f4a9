"""The monthly partitions of providers_livesession (DESIGN §9 "Scale") and the key table of external_id.

``providers_livesession`` is ``PARTITION BY RANGE (started_at)``, one partition per **Asia/Shanghai** month
(``providers_livesession_YYYYMM`` holds the sessions started from that month's first Shanghai midnight to the
next one's): cycle windows, settlement months, the rollups and the ecosystem report are all Shanghai months, so
a month's read touches exactly one partition (UTC months would make every Shanghai month read two). Rows of a
month without a partition go to ``providers_livesession_default`` rather than being refused: every writer
(ingest, services, COPY loads, the admin) keeps working whatever date a session carries. The nightly job makes
the current month's and the next AHEAD_MONTHS' partitions, and a partition for every month that has rows in the
default partition, moving those rows into it (``providers_session_partitions``, which runs as the schema
owner: the app's role owns no table).

A partitioned table's unique keys must include the partition key, so the primary key is (id, started_at) in the
database (Django keeps ``id`` as its pk: ids come from one sequence and never change) and external_id is no
longer unique there. ``providers_livesessionkey`` (external_id primary key → session id, started_at) keeps it
unique across the whole table: statement-level triggers on the sessions table write it from every INSERT,
UPDATE, DELETE and TRUNCATE, so a second session with a stored external_id fails like a unique index would, and
ingest finds a stored session by its external_id with one index probe, and its partition with its started_at.

``partition_sessions`` / ``unpartition_sessions`` are the migration's two directions (providers 0007): they
rebuild the table and carry its rows, its CHECK and foreign-key constraints, its indexes and every trigger on
it (the audit's, the rollups') over unchanged.
"""

# ruff: noqa: S608 - statements are assembled from this module's constants and catalog names only

import datetime as dt
import logging

from django.db import connection

from core.dates import shanghai_today

logger = logging.getLogger(__name__)

TABLE = "providers_livesession"
DEFAULT = "providers_livesession_default"
KEYS = "providers_livesessionkey"
PREFIX = "providers_livesession_"
AHEAD_MONTHS = 3

FUNCTION_SQL = f"""
CREATE FUNCTION providers_session_partitions(first_month date, last_month date) RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog, pg_temp AS $$
DECLARE
    m date := date_trunc('month', first_month)::date;
    lo timestamptz;
    hi timestamptz;
    part text;
    made text[] := '{{}}';
BEGIN
    IF last_month - first_month > 3700 THEN
        RAISE EXCEPTION 'providers_session_partitions: at most 10 years at a time';
    END IF;
    WHILE m <= last_month LOOP
        part := '{PREFIX}' || to_char(m, 'YYYYMM');
        IF to_regclass(part) IS NULL THEN
            lo := m::timestamp AT TIME ZONE 'Asia/Shanghai';
            hi := (m + 1 * interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai';
            IF EXISTS (SELECT 1 FROM {DEFAULT} WHERE started_at >= lo AND started_at < hi) THEN
                -- The default partition holds rows of this month: they move into the new partition as they are
                -- (same ids, no audit event, no rollup change: the parent's statement triggers do not fire).
                -- Deferred checks of rows written earlier in the transaction run first: ALTER TABLE refuses a
                -- table with pending trigger events.
                SET CONSTRAINTS ALL IMMEDIATE;
                EXECUTE format('CREATE TABLE %I (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
                EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (started_at >= %L AND started_at < %L)',
                               part, part || '_bounds', lo, hi);
                EXECUTE format('INSERT INTO %I SELECT * FROM {DEFAULT} WHERE started_at >= %L AND started_at < %L',
                               part, lo, hi);
                ALTER TABLE {DEFAULT} DISABLE TRIGGER USER;
                DELETE FROM {DEFAULT} WHERE started_at >= lo AND started_at < hi;
                ALTER TABLE {DEFAULT} ENABLE TRIGGER USER;
                EXECUTE format('ALTER TABLE {TABLE} ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
                EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_bounds');
            ELSE
                EXECUTE format('CREATE TABLE %I PARTITION OF {TABLE} FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
            END IF;
            made := made || part;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END
$$;
REVOKE ALL ON FUNCTION providers_session_partitions(date, date) FROM PUBLIC;
"""
DROP_FUNCTION_SQL = "DROP FUNCTION IF EXISTS providers_session_partitions(date, date);"

# The key table follows every write of the sessions table, set-based (one statement per statement).
KEY_TRIGGERS_SQL = f"""
CREATE FUNCTION providers_session_keys_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO {KEYS} (external_id, session_id, started_at) SELECT external_id, id, started_at FROM new_rows;
    RETURN NULL;
END
$fn$;
CREATE FUNCTION providers_session_keys_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- only the keys whose (external_id, id, started_at) changed: a corrected GMV writes nothing here
    DELETE FROM {KEYS} k USING (
        SELECT external_id, id, started_at FROM old_rows EXCEPT SELECT external_id, id, started_at FROM new_rows
    ) o WHERE k.external_id = o.external_id AND k.session_id = o.id;
    INSERT INTO {KEYS} (external_id, session_id, started_at)
    SELECT external_id, id, started_at FROM new_rows EXCEPT SELECT external_id, id, started_at FROM old_rows;
    RETURN NULL;
END
$fn$;
CREATE FUNCTION providers_session_keys_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM {KEYS} k USING old_rows o WHERE k.external_id = o.external_id AND k.session_id = o.id;
    RETURN NULL;
END
$fn$;
CREATE FUNCTION providers_session_keys_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM {KEYS};
    RETURN NULL;
END
$fn$;
CREATE TRIGGER providers_session_keys_insert AFTER INSERT ON {TABLE}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION providers_session_keys_inserted();
CREATE TRIGGER providers_session_keys_update AFTER UPDATE ON {TABLE}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION providers_session_keys_updated();
CREATE TRIGGER providers_session_keys_delete AFTER DELETE ON {TABLE}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION providers_session_keys_deleted();
CREATE TRIGGER providers_session_keys_truncate AFTER TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION providers_session_keys_truncated();
DELETE FROM {KEYS};
INSERT INTO {KEYS} (external_id, session_id, started_at) SELECT external_id, id, started_at FROM {TABLE};
"""
DROP_KEY_TRIGGERS_SQL = f"""
DROP TRIGGER IF EXISTS providers_session_keys_insert ON {TABLE};
DROP TRIGGER IF EXISTS providers_session_keys_update ON {TABLE};
DROP TRIGGER IF EXISTS providers_session_keys_delete ON {TABLE};
DROP TRIGGER IF EXISTS providers_session_keys_truncate ON {TABLE};
DROP FUNCTION IF EXISTS providers_session_keys_inserted(), providers_session_keys_updated(),
    providers_session_keys_deleted(), providers_session_keys_truncated();
"""


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def partition_name(month: dt.date) -> str:
    return f"{PREFIX}{month:%Y%m}"


def partitions() -> list[dt.date]:
    """The months that have a partition, oldest first (the default partition is not one of them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = inhrelid "
            "WHERE inhparent = %s::regclass ORDER BY 1",
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall() if name != DEFAULT]
    return [dt.datetime.strptime(name.removeprefix(PREFIX), "%Y%m").date() for name in names]


def partitions_ensure(first: dt.date, last: dt.date | None = None) -> list[str]:
    """Create the partitions of the months first .. last (one month when last is None) that are missing, moving
    their rows out of the default partition; the names of the partitions made."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT providers_session_partitions(%s, %s)", [month_of(first), month_of(last or first)])
        made = list(cursor.fetchone()[0])
    if made:
        logger.info("session partitions: created %s", made)
    return made


def default_months() -> list[dt.date]:
    """The Shanghai months of the rows in the default partition (months that had no partition when written)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'Asia/Shanghai')::date FROM {DEFAULT} "
            "ORDER BY 1"
        )
        return [month for (month,) in cursor.fetchall()]


def partitions_maintain(*, today: dt.date | None = None) -> dict:
    """The nightly job: this Shanghai month's and the next AHEAD_MONTHS' partitions exist, and every month with
    rows in the default partition has its own partition (the rows moved into it)."""
    this_month = month_of(today or shanghai_today())
    ahead = this_month
    for _ in range(AHEAD_MONTHS):
        ahead = (ahead + dt.timedelta(days=32)).replace(day=1)
    made = partitions_ensure(this_month, ahead)
    stray = default_months()
    for month in stray:
        made += partitions_ensure(month)
    logger.info("session partitions: month=%s created=%s moved_out_of_default=%s", this_month, made, stray)
    return {"created": made, "moved_out_of_default": [m.isoformat() for m in stray]}


# --------------------------------------------------------------------------- the migration's rebuild


def _fetch(cursor, sql: str, params=None) -> list[tuple]:
    cursor.execute(sql, params or [])
    return cursor.fetchall()


def _definition(cursor) -> dict:
    """What must survive a rebuild of the table: CHECK and foreign-key constraints, plain indexes, and the
    triggers created on it (not those PostgreSQL makes itself, nor their clones on partitions)."""
    return {
        "constraints": _fetch(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('c', 'f') AND coninhcount = 0 ORDER BY conname",
            [TABLE],
        ),
        "indexes": _fetch(
            cursor,
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [TABLE],
        ),
        "triggers": _fetch(
            cursor,
            "SELECT tgname, pg_get_triggerdef(oid), obj_description(oid, 'pg_trigger') FROM pg_trigger "
            "WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0 ORDER BY tgname",
            [TABLE],
        ),
    }


def _restore(cursor, definition: dict) -> None:
    quote = connection.ops.quote_name
    for name, body in definition["constraints"]:
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {quote(name)} {body}")
    for (statement,) in definition["indexes"]:
        cursor.execute(statement)
    for name, statement, comment in definition["triggers"]:
        cursor.execute(statement)
        if comment is not None:
            cursor.execute(f"COMMENT ON TRIGGER {quote(name)} ON {TABLE} IS %s", [comment])


def _rebuild(cursor, *, partitioned: bool) -> None:
    # Deferred foreign-key checks of rows written earlier in the transaction run now: a table with pending
    # trigger events cannot be dropped.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    definition = _definition(cursor)
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_old")
    by_month = " PARTITION BY RANGE (started_at)" if partitioned else ""
    cursor.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_old){by_month}")
    if partitioned:
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        cursor.execute(FUNCTION_SQL)
        months = _fetch(
            cursor,
            f"SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'Asia/Shanghai')::date FROM {TABLE}_old",
        )
        for (month,) in sorted(months):
            cursor.execute("SELECT providers_session_partitions(%s, %s)", [month, month])
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_old")
    (last_id,) = _fetch(cursor, f"SELECT coalesce(max(id), 0) FROM {TABLE}_old")[0]
    # Foreign keys into the table are refused by the DROP: they must be gone first (settlement 0003, playbook
    # 0004 make them db_constraint=False); the audit events' pgh_obj never had one.
    cursor.execute(f"DROP TABLE {TABLE}_old")
    if partitioned:
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s, %s)", [max(last_id, 1), last_id > 0])
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, started_at)")
    else:
        cursor.execute(DROP_FUNCTION_SQL)
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), %s, %s)", [max(last_id, 1), last_id > 0]
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
    _restore(cursor, definition)
    cursor.execute(f"ANALYZE {TABLE}")


def partition_sessions(cursor) -> None:
    """Make providers_livesession partitioned by Shanghai month, every row, constraint, index and trigger kept."""
    _rebuild(cursor, partitioned=True)


def unpartition_sessions(cursor) -> None:
    """The way back: one plain table with an identity id and primary key (id)."""
    _rebuild(cursor, partitioned=False)
