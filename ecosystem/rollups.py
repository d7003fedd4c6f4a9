"""The monthly rollups of live sessions (DESIGN §13) and the database triggers that keep them exact.

providers_livesession is written by ingest (providers, a lower layer that knows nothing of this app),
by services and by the admin. Rather than asking each writer to remember the rollups, statement-level
triggers with transition tables (migration 0002) turn every INSERT, UPDATE and DELETE into one
set-based delta: the new rows count +1 and +gmv in their (merchant, Shanghai month) and (provider,
merchant, month), the old rows −1 and −gmv; the sums are upserted in key order and keys left with no
session are deleted. A corrected session (new GMV, another month, another merchant or provider) so
moves exactly the figures of the months it leaves and enters. ``recompute_sql`` is the definition the
triggers must agree with (the property test compares them).
"""
# ruff: noqa: S608 - statements are assembled from this module's constants only

MONTH = "(date_trunc('month', {t} AT TIME ZONE 'Asia/Shanghai'))::date"

_TABLES = {
    # rollup table: (key columns, row filter)
    "ecosystem_merchantmonth": (("merchant_id", "month"), "TRUE"),
    "ecosystem_providermerchantmonth": (("provider_id", "merchant_id", "month"), "provider_id IS NOT NULL"),
}


def _delta_rows(source: str, sign: str) -> str:
    month = MONTH.format(t="started_at")
    return f"SELECT merchant_id, provider_id, {month} AS month, {sign}gmv AS gmv, {sign}1 AS n FROM {source}"


def _apply(table: str, sources: list[tuple[str, str]]) -> str:
    keys, where = _TABLES[table]
    cols = ", ".join(keys)
    union = " UNION ALL ".join(_delta_rows(src, sign) for src, sign in sources)
    return f"""
    INSERT INTO {table} AS t ({cols}, gmv, sessions)
    SELECT {cols}, sum(gmv), sum(n) FROM ({union}) d WHERE {where}
    GROUP BY {cols} HAVING sum(gmv) <> 0 OR sum(n) <> 0
    ORDER BY {cols}
    ON CONFLICT ({cols}) DO UPDATE SET gmv = t.gmv + EXCLUDED.gmv, sessions = t.sessions + EXCLUDED.sessions;
    """


def _prune(table: str) -> str:
    """Keys an old row left may have no session any more: such a rollup row goes (a recomputation has none)."""
    keys, where = _TABLES[table]
    cols = ", ".join(keys)
    month = MONTH.format(t="started_at")
    old_keys = (
        f"SELECT DISTINCT {cols} FROM (SELECT merchant_id, provider_id, {month} AS month FROM old_rows) o WHERE {where}"
    )
    return f"DELETE FROM {table} WHERE sessions = 0 AND ({cols}) IN ({old_keys});"


def _function(name: str, sources: list[tuple[str, str]], prune: bool) -> str:
    body = "".join(_apply(table, sources) for table in _TABLES)
    if prune:
        body += "".join(_prune(table) for table in _TABLES)
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
    {body}
    RETURN NULL;
    END
    $fn$;
    """


TRIGGERS_SQL = (
    _function("ecosystem_sessions_inserted", [("new_rows", "")], prune=False)
    + _function("ecosystem_sessions_updated", [("new_rows", ""), ("old_rows", "-")], prune=True)
    + _function("ecosystem_sessions_deleted", [("old_rows", "-")], prune=True)
    + """
    CREATE OR REPLACE FUNCTION ecosystem_sessions_truncated() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
    DELETE FROM ecosystem_merchantmonth; DELETE FROM ecosystem_providermerchantmonth;
    RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER ecosystem_rollup_insert AFTER INSERT ON providers_livesession
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ecosystem_sessions_inserted();
    CREATE TRIGGER ecosystem_rollup_update AFTER UPDATE ON providers_livesession
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION ecosystem_sessions_updated();
    CREATE TRIGGER ecosystem_rollup_delete AFTER DELETE ON providers_livesession
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ecosystem_sessions_deleted();
    CREATE TRIGGER ecosystem_rollup_truncate AFTER TRUNCATE ON providers_livesession
        FOR EACH STATEMENT EXECUTE FUNCTION ecosystem_sessions_truncated();
    """
)

DROP_TRIGGERS_SQL = """
    DROP TRIGGER IF EXISTS ecosystem_rollup_insert ON providers_livesession;
    DROP TRIGGER IF EXISTS ecosystem_rollup_update ON providers_livesession;
    DROP TRIGGER IF EXISTS ecosystem_rollup_delete ON providers_livesession;
    DROP TRIGGER IF EXISTS ecosystem_rollup_truncate ON providers_livesession;
    DROP FUNCTION IF EXISTS ecosystem_sessions_inserted(), ecosystem_sessions_updated(),
        ecosystem_sessions_deleted(), ecosystem_sessions_truncated();
"""

# The definition: the rollups as a full recomputation from the sessions table gives them.
RECOMPUTE_MERCHANT_SQL = f"""
    SELECT merchant_id, {MONTH.format(t="started_at")} AS month, sum(gmv) AS gmv, count(*) AS sessions
    FROM providers_livesession GROUP BY 1, 2
"""
RECOMPUTE_PROVIDER_SQL = f"""
    SELECT provider_id, merchant_id, {MONTH.format(t="started_at")} AS month, sum(gmv) AS gmv, count(*) AS sessions
    FROM providers_livesession WHERE provider_id IS NOT NULL GROUP BY 1, 2, 3
"""

BACKFILL_SQL = f"""
    DELETE FROM ecosystem_merchantmonth; DELETE FROM ecosystem_providermerchantmonth;
    INSERT INTO ecosystem_merchantmonth (merchant_id, month, gmv, sessions) {RECOMPUTE_MERCHANT_SQL};
    INSERT INTO ecosystem_providermerchantmonth (provider_id, merchant_id, month, gmv, sessions)
    {RECOMPUTE_PROVIDER_SQL};
"""
