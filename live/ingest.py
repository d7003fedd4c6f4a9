"""Snapshot and event ingest (DESIGN §10 "Data"): rows accepted or refused one by one, upserted by (stream, at).

A batch is read in row order, as if its rows arrived one at a time: each row is checked on its own (fields, money,
whole minute, sources ≤ entries), against the platform (merchant, operator, the stream's recorded identity) and
against the stream's snapshots as they stand when the row comes — the stored ones and the batch's rows accepted
before it: every cumulative figure must be at least the latest earlier snapshot's and at most the earliest later
one's. A refused row is reported (row, field, code, reason) and changes nothing; the others are written.

The checks are set-based SQL over the staged batch (see "snapshots" below): the rows go to PostgreSQL as one JSON
parameter, every rule is a statement over all of them, and "as if one at a time" becomes passes (``_pass_sql``):
each checks every row still to decide as if its stream's earlier rows were accepted, which holds up to the
stream's first refusal; the rows after it are decided in the next pass (a batch without refusals is one pass,
whatever its rows per stream). The writes are one
``INSERT ... ON CONFLICT (stream_id, at) DO UPDATE ... WHERE <the row differs>``, so re-sending a batch changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.dates import shanghai_date, shanghai_today

from .choices import EventKind, IngestKind
from .models import (
    COUNT_FIELDS,
    CUMULATIVE_FIELDS,
    FIGURE_FIELDS,
    GAUGE_FIELDS,
    MONEY_FIELDS,
    LiveIngestBatch,
    LiveStream,
)
from .partitions import RETENTION_DAYS, oldest_kept, partitions_ensure
from .reasons import row_error

logger = logging.getLogger(__name__)

MAX_ROWS = 10_000
MAX_BYTES = 32 * 1024 * 1024
MAX_REPORTED_ERRORS = 1_000
MAX_STREAM_HOURS = 24
FUTURE_SLACK = dt.timedelta(hours=1)
BIGINT_MAX = 2**63 - 1
MONEY_MAX = Decimal("999999999999.99")
SNAPSHOT_FIELDS = ("external_id", "merchant", "operator", "started_at", "at", *FIGURE_FIELDS)
EVENT_FIELDS = ("external_id", "at", "kind", "label")
SOURCE_FIELDS = ("entries_feed", "entries_follow", "entries_search", "entries_paid", "entries_other")
_DIGITS = re.compile(r"[0-9]+")
_MONEY = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
# What the table stores per snapshot, in COPY order.
_COLUMNS = ("stream_id", "at", "k", *FIGURE_FIELDS)


@dataclass
class Report:
    batch: int = 0
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    stream_ids: list = field(default_factory=list)

    def record(self, *, kind: str, submitted_by) -> int:
        """Record the batch as this report counts it (LiveIngestBatch); its id becomes ``batch``."""
        self.batch = LiveIngestBatch.objects.create(
            kind=kind,
            submitted_by=submitted_by,
            received=self.received,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=self.rejected,
            errors=self.errors,
        ).pk
        return self.batch

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def refuse(self, entries: list[dict]) -> None:
        self.error_count += len(entries)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(entries[:room])

    def as_dict(self) -> dict:
        return {
            "batch": self.batch,
            "received": self.received,
            "accepted": self.accepted,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
            "error_count": self.error_count,
            "errors_truncated": self.error_count > len(self.errors),
        }


# --------------------------------------------------------------------------- field parsing


def _text(value, name, errors, n, max_length=64):
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        errors.append(row_error(n, name, "not_text", max=max_length))
        return None
    if "\x00" in value:
        errors.append(row_error(n, name, "nul"))
        return None
    return value


def _instant(value, name, errors, n):
    if not isinstance(value, str):
        errors.append(row_error(n, name, "not_datetime"))
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        errors.append(row_error(n, name, "not_datetime"))
        return None
    if timezone.is_naive(parsed):
        errors.append(row_error(n, name, "naive_datetime"))
        return None
    return parsed.astimezone(dt.UTC)


def _count(value, name, errors, n):
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and _DIGITS.fullmatch(value))):
        errors.append(row_error(n, name, "not_count"))
        return None
    number = int(value)
    if number < 0:
        errors.append(row_error(n, name, "not_count"))
        return None
    if number > BIGINT_MAX:
        errors.append(row_error(n, name, "too_large"))
        return None
    return number


def _money(value, name, errors, n):
    # JSON numbers reach us as their text (parse_float=str) or as ints; money may also come as a string.
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        errors.append(row_error(n, name, "not_money"))
        return None
    text = str(value).strip()
    if text.startswith("-"):
        try:
            Decimal(text)
            errors.append(row_error(n, name, "negative_money"))
        except InvalidOperation:
            errors.append(row_error(n, name, "not_money"))
        return None
    if not _MONEY.fullmatch(text):
        errors.append(row_error(n, name, "not_money"))
        return None
    amount = Decimal(text)
    if amount > MONEY_MAX:
        errors.append(row_error(n, name, "too_large"))
        return None
    return amount


def parse_snapshot(row, n: int, now: dt.datetime, oldest: dt.date) -> tuple[dict | None, list]:
    """One row's own checks; returns the clean row (or None) and its errors."""
    if not isinstance(row, dict):
        return None, [row_error(n, None, "not_object")]
    errors: list = []
    for key in row:
        if key not in SNAPSHOT_FIELDS:
            errors.append(row_error(n, str(key)[:64], "unknown_field"))
    for key in SNAPSHOT_FIELDS:
        if key not in row or (row[key] is None and key != "operator"):
            errors.append(row_error(n, key, "missing"))
    if errors:
        return None, errors
    clean = {
        "row": n,
        "external_id": _text(row["external_id"], "external_id", errors, n),
        "merchant": _text(row["merchant"], "merchant", errors, n),
        "operator": None if row["operator"] is None else _text(row["operator"], "operator", errors, n),
        "started_at": _instant(row["started_at"], "started_at", errors, n),
        "at": _instant(row["at"], "at", errors, n),
    }
    for name in COUNT_FIELDS + ("online_viewers",):
        clean[name] = _count(row[name], name, errors, n)
    for name in MONEY_FIELDS:
        clean[name] = _money(row[name], name, errors, n)
    at, started = clean["at"], clean["started_at"]
    if at is not None:
        if at.second or at.microsecond:
            errors.append(row_error(n, "at", "not_whole_minute"))
        elif at > now + FUTURE_SLACK:
            errors.append(row_error(n, "at", "in_future"))
        elif shanghai_date(at) < oldest:
            errors.append(row_error(n, "at", "expired", days=RETENTION_DAYS))
        elif started is not None:
            start_minute = started.replace(second=0, microsecond=0)
            if at < start_minute:
                errors.append(row_error(n, "at", "before_start"))
            elif at - start_minute > dt.timedelta(hours=MAX_STREAM_HOURS):
                errors.append(row_error(n, "at", "too_long", hours=MAX_STREAM_HOURS))
            else:
                clean["start_minute"] = start_minute
                clean["k"] = int((at - start_minute).total_seconds()) // 60
    if clean["entries"] is not None and all(clean[name] is not None for name in SOURCE_FIELDS):
        sources = sum(clean[name] for name in SOURCE_FIELDS)
        if sources > clean["entries"]:
            errors.append(row_error(n, "entries", "sources_above_entries", sources=sources, entries=clean["entries"]))
    return (None if errors else clean), errors


# --------------------------------------------------------------------------- snapshots
# A batch is staged whole (one JSON parameter unpacked by jsonb_array_elements) and checked by set-based SQL in
# the order a row's checks come: its fields (phase 1), the platform's merchant and operator (phase 2), then the
# stream (phase 3): the stream's identity and the order against its snapshots. Python only reads each row's shape
# (an object with exactly the known fields, none of them null but the operator) and parses each distinct date and
# time text once (``parse_datetime``'s rules), and words the errors. ``parse_snapshot`` above stays the rules'
# reference: it reads the rare rows SQL cannot be handed (a NUL character, or values JSON cannot carry that a
# Python caller sent, such as floats), which its rules always refuse.

_FIELD_SET = frozenset(SNAPSHOT_FIELDS)
_REQUIRED = tuple(name for name in SNAPSHOT_FIELDS if name != "operator")
_JSON_TYPES = frozenset((str, int, bool, list, dict, type(None)))
# What str.strip() strips (Unicode whitespace as Python defines it), for btrim().
_WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
_COUNTS = (*COUNT_FIELDS, *GAUGE_FIELDS)
_TEXTS = ("external_id", "merchant", "operator")
_TIMES = ("started_at", "at")
# The order of a row's field errors, as parse_snapshot finds them.
_PARSE_ORDER = ("external_id", "merchant", "operator", "started_at", "at", *_COUNTS, *MONEY_FIELDS)
_ORD = {name: i for i, name in enumerate(_PARSE_ORDER, start=1)}
_AT_CHECKS, _SOURCES_CHECK = len(_PARSE_ORDER) + 1, len(_PARSE_ORDER) + 2
_SH = "'Asia/Shanghai'"
_TEMP = (
    "live_ingest_in",
    "live_ingest_dt",
    "live_ingest_typed",
    "live_ingest_err",
    "live_ingest_known",
    "live_ingest_acc",
)


def _structure(row, n: int) -> list:
    """A row's shape: an object with exactly the snapshot fields, none null but the operator (parse_snapshot's
    first checks, in its order)."""
    if not isinstance(row, dict):
        return [row_error(n, None, "not_object")]
    if row.keys() != _FIELD_SET:
        errors = [row_error(n, str(key)[:64], "unknown_field") for key in row if key not in _FIELD_SET]
        return errors + [
            row_error(n, key, "missing")
            for key in SNAPSHOT_FIELDS
            if key not in row or (row[key] is None and key != "operator")
        ]
    return [row_error(n, key, "missing") for key in _REQUIRED if row[key] is None]


def _instant_of(value: str) -> tuple[dt.datetime | None, str | None]:
    errors: list = []
    parsed = _instant(value, "", errors, 0)
    return parsed, (errors[0]["code"] if errors else None)


_BIGINT_MAX = str(BIGINT_MAX)


def _typed_sql() -> str:
    """Each staged row's fields, typed where they read (NULL where not), with the code of what is wrong with each
    text and time (jsonb_to_record reads a row's values in one pass; the type is asked only where it matters: a
    text or a time must be a JSON string)."""
    record = ", ".join(f"{name} text" for name in SNAPSHOT_FIELDS)
    inner = ["i.n", "x.*"] + [f"jsonb_typeof(i.r->'{name}') AS {name}_type" for name in _TEXTS + _TIMES]
    cols = ["q.n"]
    for name in _TEXTS:
        bad = f"q.{name}_type <> 'string' OR btrim(q.{name}, %(ws)s) = '' OR length(q.{name}) > 64"
        null_ok = "WHEN q.operator_type = 'null' THEN NULL " if name == "operator" else ""
        cols += [
            f"CASE WHEN q.{name}_type = 'string' THEN q.{name} END AS {name}",
            f"CASE {null_ok}WHEN {bad} THEN 'not_text' END AS {name}_code",
        ]
    for name in _TIMES:
        alias = name[0]
        cols += [
            f"CASE WHEN q.{name}_type = 'string' THEN {alias}.at END AS {name}",
            f"CASE WHEN q.{name}_type <> 'string' THEN 'not_datetime' ELSE {alias}.code END AS {name}_code",
        ]
    for name in _COUNTS:  # digits only: "12.0", "-1" and "1e3" are not counts (a JSON number's text is digits)
        cols.append(f"CASE WHEN q.{name} ~ '^[0-9]+$' THEN q.{name}::numeric END AS {name}")
    for name in MONEY_FIELDS:  # yuan with at most 2 decimals, blanks around it stripped as str.strip() does
        text = f"btrim(q.{name}, %(ws)s)"
        cols += [
            f"CASE WHEN {text} ~ '^[0-9]+(\\.[0-9]{{1,2}})?$' THEN {text}::numeric END AS {name}",
            f"CASE WHEN left({text}, 1) = '-' THEN 'minus' WHEN {text} ~ '^[0-9]+(\\.[0-9]{{1,2}})?$' THEN NULL "
            f"ELSE 'not_money' END AS {name}_code",
            f"q.{name} AS {name}_raw",
        ]
    return f"""
        CREATE TEMP TABLE live_ingest_typed AS SELECT {", ".join(cols)}
        FROM (
            SELECT {", ".join(inner)} FROM live_ingest_in i CROSS JOIN LATERAL jsonb_to_record(i.r) AS x({record})
        ) q
        LEFT JOIN live_ingest_dt s ON s.raw = q.started_at LEFT JOIN live_ingest_dt a ON a.raw = q.at
    """  # noqa: S608


def _field_errors_sql() -> str:
    """Phase 1: every field error of every staged row (code, params; money starting with '-' as 'minus', which
    Python words as negative or not money by Decimal's own reading). Only rows with an error are unfolded."""
    none = "NULL::jsonb"
    codes = {name: f"t.{name}_code" for name in _TEXTS + _TIMES}
    for name in _COUNTS:
        codes[name] = f"CASE WHEN t.{name} IS NULL THEN 'not_count' WHEN t.{name} > {_BIGINT_MAX} THEN 'too_large' END"
    for name in MONEY_FIELDS:
        codes[name] = (
            f"CASE WHEN t.{name}_code IS NOT NULL THEN t.{name}_code WHEN t.{name} > {MONEY_MAX} THEN 'too_large' END"
        )
    values = [
        f"({_ORD[name]}, '{name}', {codes[name]}, "
        + ('\'{"max": "64"}\'::jsonb' if name in _TEXTS else none)
        + (f", CASE WHEN t.{name}_code = 'minus' THEN t.{name}_raw END)" if name in MONEY_FIELDS else ", NULL)")
        for name in _PARSE_ORDER
    ]
    start = "date_trunc('minute', t.started_at)"
    at_check = (
        "CASE WHEN t.at IS NULL OR t.at_code IS NOT NULL THEN NULL "
        "WHEN date_trunc('minute', t.at) <> t.at THEN 'not_whole_minute' "
        "WHEN t.at > %(latest)s THEN 'in_future' "
        f"WHEN (t.at AT TIME ZONE {_SH})::date < %(oldest)s THEN 'expired' "
        "WHEN t.started_at IS NULL OR t.started_at_code IS NOT NULL THEN NULL "
        f"WHEN t.at < {start} THEN 'before_start' "
        f"WHEN t.at - {start} > interval '{MAX_STREAM_HOURS} hours' THEN 'too_long' END"
    )
    at_params = (
        f"CASE ({at_check}) WHEN 'expired' THEN '{{\"days\": \"{RETENTION_DAYS}\"}}'::jsonb "
        f"WHEN 'too_long' THEN '{{\"hours\": \"{MAX_STREAM_HOURS}\"}}'::jsonb END"
    )
    values.append(f"({_AT_CHECKS}, 'at', {at_check}, {at_params}, NULL)")
    fine = " AND ".join(f"t.{n} <= {_BIGINT_MAX}" for n in ("entries", *SOURCE_FIELDS))
    total = " + ".join(f"t.{n}" for n in SOURCE_FIELDS)
    sources = f"CASE WHEN {fine} AND {total} > t.entries THEN 'sources_above_entries' END"
    values.append(
        f"({_SOURCES_CHECK}, 'entries', {sources}, "
        f"jsonb_build_object('sources', ({total})::text, 'entries', t.entries::text), NULL)"
    )
    wrong = " OR ".join(f"({code}) IS NOT NULL" for code in [*codes.values(), at_check, sources])
    return f"""
        INSERT INTO live_ingest_err (phase, n, ord, field, code, params, raw)
        SELECT 1, t.n, v.ord, v.field, v.code, v.params, v.raw
        FROM (SELECT * FROM live_ingest_typed t WHERE {wrong} OFFSET 0) t
        CROSS JOIN LATERAL (VALUES {", ".join(values)}) v(ord, field, code, params, raw)
        WHERE v.code IS NOT NULL
    """  # noqa: S608


_KNOWN_SQL = f"""
    CREATE TEMP TABLE live_ingest_known AS
    SELECT t.n, t.external_id, t.merchant, t.operator, t.started_at, date_trunc('minute', t.started_at) AS start_minute,
        t.at, (extract(epoch FROM t.at - date_trunc('minute', t.started_at)) / 60)::int AS k,
        {", ".join(f"t.{n}::bigint AS {n}" for n in _COUNTS)}, {", ".join(f"t.{n}" for n in MONEY_FIELDS)},
        m.id AS merchant_id, o.id AS operator_id, NULL::bigint AS stream_id, 0 AS r
    FROM live_ingest_typed t
    LEFT JOIN providers_merchant m ON m.platform_account_id = t.merchant
    LEFT JOIN providers_operator o ON o.platform_user_id = t.operator
    WHERE NOT EXISTS (SELECT 1 FROM live_ingest_err e WHERE e.n = t.n)
"""  # noqa: S608

# Phase 2: the platform's merchant and operator; the rows refused here leave live_ingest_known.
_PLATFORM_SQL = """
    WITH bad AS (
        INSERT INTO live_ingest_err (phase, n, ord, field, code)
        SELECT 2, k.n, v.ord, v.field, v.code FROM live_ingest_known k
        CROSS JOIN LATERAL (VALUES
            (1, 'merchant', CASE WHEN k.merchant_id IS NULL THEN 'unknown_merchant' END),
            (2, 'operator', CASE WHEN k.operator IS NOT NULL AND k.operator_id IS NULL THEN 'unknown_operator' END)
        ) v(ord, field, code)
        WHERE v.code IS NOT NULL
        RETURNING n
    )
    DELETE FROM live_ingest_known k USING bad WHERE k.n = bad.n
"""

# Phase 3a: the batch's streams, locked (two batches of one stream are checked one after the other); a stream not
# yet recorded takes its identity from its first row in the batch (one made meanwhile by another batch is taken).
_LOCK_SQL = """
    SELECT id FROM live_livestream WHERE external_id = ANY(ARRAY(SELECT DISTINCT external_id FROM live_ingest_known))
    ORDER BY id FOR UPDATE
"""
_STREAMS_SQL = f"""
    WITH known AS (
        SELECT external_id FROM live_livestream
        WHERE external_id = ANY(ARRAY(SELECT DISTINCT external_id FROM live_ingest_known))
    )
    INSERT INTO live_livestream (external_id, merchant_id, operator_id, started_at, start_minute, start_date,
        last_gmv, last_online, peak_online, snapshot_count, alert_count, created_at)
    SELECT f.external_id, f.merchant_id, f.operator_id, f.started_at, f.start_minute,
        (f.started_at AT TIME ZONE {_SH})::date, 0, 0, 0, 0, 0, now()
    FROM (SELECT DISTINCT ON (external_id) * FROM live_ingest_known ORDER BY external_id, n) f
    WHERE NOT EXISTS (SELECT 1 FROM known WHERE known.external_id = f.external_id)
    ORDER BY f.n
    ON CONFLICT (external_id) DO NOTHING
"""  # noqa: S608
# Phase 3b: a row must agree with its stream's merchant, operator and start; the others get their stream and their
# place among the stream's rows in the batch (r: 1, 2, …).
_IDENTITY_SQL = """
    WITH ids AS (
        SELECT k.n, st.id, st.start_minute,
            k.merchant_id IS DISTINCT FROM st.merchant_id AS merchant,
            k.operator_id IS DISTINCT FROM st.operator_id AS operator,
            k.started_at IS DISTINCT FROM st.started_at AS started
        FROM live_ingest_known k JOIN live_livestream st ON st.external_id = k.external_id
        WHERE st.external_id = ANY(ARRAY(SELECT DISTINCT external_id FROM live_ingest_known))
    ),
    bad AS (
        INSERT INTO live_ingest_err (phase, n, ord, field, code)
        SELECT 3, ids.n, v.ord, v.field, 'stream_differs' FROM ids
        CROSS JOIN LATERAL (VALUES (1, 'merchant', ids.merchant), (2, 'operator', ids.operator),
            (3, 'started_at', ids.started)) v(ord, field, differs)
        WHERE v.differs
        RETURNING n
    ),
    gone AS (DELETE FROM live_ingest_known k USING bad WHERE k.n = bad.n RETURNING k.n)
    UPDATE live_ingest_known k SET stream_id = x.id, start_minute = x.start_minute, r = x.r
    FROM (
        SELECT ids.n, ids.id, ids.start_minute, row_number() OVER (PARTITION BY ids.id ORDER BY ids.n) AS r
        FROM ids WHERE NOT (ids.merchant OR ids.operator OR ids.started)
    ) x
    WHERE k.n = x.n
"""
_ACC_TABLE = (
    "CREATE TEMP TABLE live_ingest_acc (stream_id bigint, at timestamptz, n int, k int, "
    + ", ".join(f"{n} bigint" for n in _COUNTS)
    + ", "
    + ", ".join(f"{n} numeric" for n in MONEY_FIELDS)
    + ", existed boolean NOT NULL DEFAULT false, PRIMARY KEY (stream_id, at))"
)


def _neighbour(direction: str, c: str = "c") -> str:
    """The stream's snapshot just before (or after) the row as the stream stands now: the stored ones overlaid with
    the batch's rows accepted before it (one of those replaces a stored row of its minute)."""
    before = direction == "before"
    cmp, order = ("<", "DESC") if before else (">", "ASC")
    cols = ", ".join(CUMULATIVE_FIELDS)
    return f"""
        SELECT x.* FROM (
            (SELECT s.at, 0 AS src, {cols} FROM live_livesnapshot s
             WHERE s.stream_id = {c}.stream_id AND s.at >= %(lo)s AND s.at <= %(hi)s
               AND s.at >= {c}.start_minute AND s.at <= {c}.start_minute + interval '{MAX_STREAM_HOURS} hours'
               AND s.at {cmp} {c}.at
             ORDER BY s.at {order} LIMIT 1)
            UNION ALL
            (SELECT a.at, 1 AS src, {cols} FROM live_ingest_acc a
             WHERE a.stream_id = {c}.stream_id AND a.at {cmp} {c}.at ORDER BY a.at {order} LIMIT 1)
        ) x ORDER BY x.at {order}, x.src DESC LIMIT 1
    """  # noqa: S608


def _shanghai_sql(col: str) -> str:
    # Shanghai has kept +08:00 all year since 1991: the same text as datetime.isoformat() in Shanghai.
    return f"""to_char({col} AT TIME ZONE {_SH}, 'YYYY-MM-DD"T"HH24:MI:SS') || '+08:00'"""


def _pass_sql() -> str:
    """Phase 3c, one pass over the rows still to decide. Each row is checked as if every earlier row of its stream
    in the batch still to decide were accepted: then, where a stream's rows come in rising minutes, a row's earlier
    neighbour is the later of its previous row (LAG by row number) and the stream's snapshot before it as it stands
    (stored, overlaid with the rows accepted in earlier passes), and its later neighbour that snapshot after it. The
    assumption holds up to the stream's first refused row: the rows before it are accepted, it is refused (its
    neighbours are exact), and the rows after it wait for the next pass, against the stream as it then stands. A
    stream whose rows do not come in rising minutes decides only its first row in a pass, as one row at a time
    would. Without refusals (the pipeline's batches) a batch is one pass, whatever its rows per stream."""
    lags = ", ".join(f"lag(k.{n}) OVER w AS p_{n}" for n in CUMULATIVE_FIELDS)
    # The earlier neighbour: the previous row where the stream is in rising minutes and it is the later (at the same
    # minute the batch's row, which replaced the stored one), else the stream's snapshot before.
    use_p = "(m.mono AND m.p_at IS NOT NULL AND (e.at IS NULL OR m.p_at >= e.at))"
    pick = ", ".join(
        f"CASE WHEN {use_p} THEN m.p_{n} ELSE e.{n} END AS e_{n}, l.{n} AS l_{n}" for n in CUMULATIVE_FIELDS
    )
    checks, wrong = [], []
    for i, name in enumerate(CUMULATIVE_FIELDS):
        checks.append(
            f"({2 * i}, '{name}', CASE WHEN c.{name} < c.e_{name} THEN 'below_earlier' END, jsonb_build_object("
            f"'value', c.{name}::text, 'earlier', c.e_{name}::text, 'at', {_shanghai_sql('c.e_at')}))"
        )
        checks.append(
            f"({2 * i + 1}, '{name}', CASE WHEN c.{name} > c.l_{name} THEN 'above_later' END, jsonb_build_object("
            f"'value', c.{name}::text, 'later', c.l_{name}::text, 'at', {_shanghai_sql('c.l_at')}))"
        )
        wrong += [f"t.{name} < t.e_{name}", f"t.{name} > t.l_{name}"]
    any_wrong = f"coalesce({' OR '.join(wrong)}, false)"
    cols = ", ".join(("stream_id", "at", "n", "k", *_COUNTS, *MONEY_FIELDS))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in ("n", "k", *_COUNTS, *MONEY_FIELDS))
    return f"""
        WITH p AS MATERIALIZED (
            SELECT k.*, lag(k.at) OVER w AS p_at, {lags}, row_number() OVER w AS place
            FROM live_ingest_known k WHERE k.r > 0
            WINDOW w AS (PARTITION BY k.stream_id ORDER BY k.n)
        ),
        m AS MATERIALIZED (
            SELECT p.*, bool_and(p.p_at IS NULL OR p.at > p.p_at) OVER (PARTITION BY p.stream_id) AS mono FROM p
        ),
        t AS MATERIALIZED (
            SELECT m.*, CASE WHEN {use_p} THEN m.p_at ELSE e.at END AS e_at, l.at AS l_at, {pick}
            FROM m
            LEFT JOIN LATERAL ({_neighbour("before", "m")}) e ON true
            LEFT JOIN LATERAL ({_neighbour("after", "m")}) l ON true
            WHERE m.mono OR m.place = 1
        ),
        c AS MATERIALIZED (
            SELECT t.*, {any_wrong} AS wrong FROM t
        ),
        d AS MATERIALIZED (
            SELECT c.*, min(c.n) FILTER (WHERE c.wrong) OVER (PARTITION BY c.stream_id) AS first_wrong FROM c
        ),
        bad AS (
            INSERT INTO live_ingest_err (phase, n, ord, field, code, params)
            SELECT 3, c.n, 10 + v.ord, v.field, v.code, v.params FROM (SELECT * FROM d WHERE d.n = d.first_wrong) c
            CROSS JOIN LATERAL (VALUES {", ".join(checks)}) v(ord, field, code, params)
            WHERE v.code IS NOT NULL
        ),
        good AS (
            INSERT INTO live_ingest_acc ({cols})
            SELECT {cols} FROM d WHERE d.first_wrong IS NULL OR d.n < d.first_wrong
            ORDER BY stream_id, at, n
            ON CONFLICT (stream_id, at) DO UPDATE SET {sets}
        )
        UPDATE live_ingest_known k SET r = -k.r FROM d
        WHERE k.n = d.n AND (d.first_wrong IS NULL OR d.n <= d.first_wrong)
    """  # noqa: S608


def _upsert_sql() -> str:
    cols = ", ".join(_COLUMNS)
    figures = ("k", *FIGURE_FIELDS)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in figures)
    old = ", ".join(f"t.{c}" for c in figures)
    new = ", ".join(f"EXCLUDED.{c}" for c in figures)
    return (
        f"INSERT INTO live_livesnapshot AS t ({cols}) SELECT {cols} FROM live_ingest_acc ORDER BY stream_id, at "  # noqa: S608
        f"ON CONFLICT (stream_id, at) DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM ({new})"
    )


# The wall of walls' row of each touched stream. A stream that only gained new snapshots adds them to its row; one
# where a snapshot was sent again (maybe replaced: its peak may fall) is summed up again from its snapshots.
_SUMMARY_ADD_SQL = """
    UPDATE live_livestream st SET
        last_at = greatest(st.last_at, a.last_at),
        snapshot_count = st.snapshot_count + a.n,
        peak_online = greatest(st.peak_online, a.peak),
        last_gmv = CASE WHEN st.last_at IS NULL OR a.last_at > st.last_at THEN a.gmv ELSE st.last_gmv END,
        last_online = CASE WHEN st.last_at IS NULL OR a.last_at > st.last_at THEN a.online ELSE st.last_online END
    FROM (
        SELECT stream_id, max(at) AS last_at, count(*) AS n, max(online_viewers) AS peak,
            (array_agg(gmv ORDER BY at DESC))[1] AS gmv, (array_agg(online_viewers ORDER BY at DESC))[1] AS online
        FROM live_ingest_acc GROUP BY stream_id HAVING NOT bool_or(existed)
    ) a
    WHERE st.id = a.stream_id
"""


def _summaries_resum(cursor) -> None:
    cursor.execute("SELECT DISTINCT stream_id FROM live_ingest_acc WHERE existed")
    ids = [i for (i,) in cursor.fetchall()]
    if ids:
        _refresh_summaries(cursor, ids)


def _refresh_summaries(cursor, stream_ids: list[int]) -> None:
    """The wall of walls' row of these streams from all their snapshots: last figures, peak online, count."""
    cursor.execute(
        f"""
        UPDATE live_livestream st SET last_at = agg.last_at, snapshot_count = agg.n, peak_online = agg.peak,
            last_gmv = agg.gmv, last_online = agg.online
        FROM live_livestream src
        CROSS JOIN LATERAL (
            SELECT max(s.at) AS last_at, count(*) AS n, max(s.online_viewers) AS peak,
                (array_agg(s.gmv ORDER BY s.at DESC))[1] AS gmv,
                (array_agg(s.online_viewers ORDER BY s.at DESC))[1] AS online
            FROM live_livesnapshot s
            WHERE s.stream_id = src.id AND s.at >= src.start_minute
              AND s.at <= src.start_minute + interval '{MAX_STREAM_HOURS} hours'
        ) agg
        WHERE st.id = src.id AND src.id = ANY(%s)
        """,  # noqa: S608
        [stream_ids],
    )


def _drop_temp(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TEMP)}")


def _stage(cursor, rows: list, now: dt.datetime, oldest: dt.date) -> list:
    """Read each row's shape; stage the sound ones; phase 1 (fields) and 2 (merchant, operator) in SQL. Returns the
    errors Python found (phase 1), as (sort key, entry)."""
    found: list = []
    staged: list = []
    numbers: list[int] = []
    for n, row in enumerate(rows, start=1):
        errors = _structure(row, n)
        if not errors and not _JSON_TYPES.issuperset(map(type, row.values())):
            _clean, errors = parse_snapshot(row, n, now, oldest)  # a float or an object JSON cannot carry
        if errors:
            found += [((1, n, i), e) for i, e in enumerate(errors)]
            continue
        staged.append(row)
        numbers.append(n)
    body = None
    try:
        body = json.dumps(staged, allow_nan=False, default=_unsupported)
    except ValueError:  # a NaN or infinity deep in a list or object: read those rows by the reference
        pass
    if body is None or "\\u0000" in body:  # PostgreSQL's JSON holds no NUL: those rows too
        keep_rows, keep_numbers, texts = [], [], []
        for n, row in zip(numbers, staged, strict=True):
            try:
                text = json.dumps(row, allow_nan=False, default=_unsupported)
            except ValueError:
                text = None
            if text is None or "\\u0000" in text:
                _clean, errors = parse_snapshot(row, n, now, oldest)
                found += [((1, n, i), e) for i, e in enumerate(errors)]
            else:
                keep_rows.append(row)
                keep_numbers.append(n)
                texts.append(text)
        staged, numbers, body = keep_rows, keep_numbers, "[" + ",".join(texts) + "]"
    instants = {}
    for row in staged:
        for name in ("started_at", "at"):
            value = row[name]
            if type(value) is str and value not in instants:
                instants[value] = _instant_of(value)
    raw = list(instants)
    params = {
        "body": body,
        "ns": numbers,
        "raw": raw,
        "ats": [instants[v][0] for v in raw],
        "codes": [instants[v][1] for v in raw],
        "ws": _WHITESPACE,
        "latest": now + FUTURE_SLACK,
        "oldest": oldest,
    }
    cursor.execute(
        "CREATE TEMP TABLE live_ingest_in AS SELECT (%(ns)s::int[])[e.i] AS n, e.r "
        "FROM jsonb_array_elements(%(body)s::jsonb) WITH ORDINALITY e(r, i)",
        params,
    )
    cursor.execute(
        "CREATE TEMP TABLE live_ingest_dt AS SELECT * FROM unnest(%(raw)s::text[], %(ats)s::timestamptz[],"
        " %(codes)s::text[]) d(raw, at, code)",
        params,
    )
    cursor.execute(_typed_sql(), params)
    cursor.execute(
        "CREATE TEMP TABLE live_ingest_err (phase int, n int, ord int, field text, code text, params jsonb, raw text)"
    )
    cursor.execute(_field_errors_sql(), params)
    cursor.execute(_KNOWN_SQL)
    cursor.execute(_PLATFORM_SQL)
    return found


def _unsupported(value):
    return {"unsupported": type(value).__name__}  # an object: refused where a text, count, money or time is due


def _entry(n, field, code, params, raw) -> dict:
    if code == "minus":  # "-1.5" is negative money; "-abc" is not money (Decimal's own reading of the text)
        try:
            Decimal(raw.strip())
            code = "negative_money"
        except InvalidOperation:
            code = "not_money"
    if isinstance(params, str):  # Django reads jsonb as its text
        params = json.loads(params)
    return row_error(n, field, code, **(params or {}))


def _errors(cursor, found: list, report: Report) -> None:
    """The report's errors: Python's and SQL's, in the order the rows and their checks come."""
    cursor.execute("SELECT count(*), count(DISTINCT n) FROM live_ingest_err")
    count, rows = cursor.fetchone()
    cursor.execute(
        "SELECT phase, n, ord, field, code, params, raw FROM live_ingest_err ORDER BY phase, n, ord LIMIT %s",
        [MAX_REPORTED_ERRORS],
    )
    sql = [((phase, n, ord_), (n, field, code, params, raw)) for phase, n, ord_, field, code, params, raw in cursor]
    merged = sorted(found + sql, key=lambda item: item[0])[:MAX_REPORTED_ERRORS]
    report.errors = [e if isinstance(e, dict) else _entry(*e) for _key, e in merged]
    report.error_count = count + len(found)
    report.rejected = rows + len({key[1] for key, _e in found})


def snapshots_ingest(*, rows: list, submitted_by=None) -> Report:
    """Accept or refuse each snapshot row (see the module docstring); record the batch; push to open walls."""
    report = Report(received=len(rows))
    now = timezone.now()
    oldest = oldest_kept(shanghai_today())
    with connection.cursor() as cursor:
        _drop_temp(cursor)
        try:
            with transaction.atomic():
                # The staged tables have no statistics: the planner's guesses would make it compile the
                # statements (JIT), which costs seconds for what runs in milliseconds.
                cursor.execute("SET LOCAL jit = off")
                found = _stage(cursor, rows, now, oldest)
                cursor.execute(f"SELECT DISTINCT (at AT TIME ZONE {_SH})::date FROM live_ingest_known")  # noqa: S608
                days = [day for (day,) in cursor.fetchall()]
            # Partitions are made outside the batch's transaction (DDL would lock the table until it commits).
            partitions_ensure(days)
            with transaction.atomic():
                cursor.execute("SET LOCAL jit = off")
                _check_and_write(cursor, report)
                _errors(cursor, found, report)
                # Rows sent twice in one batch count once in the table, each time as accepted.
                report.unchanged = report.received - report.rejected - report.created - report.updated
                report.record(kind=IngestKind.SNAPSHOTS, submitted_by=submitted_by)
                if report.created or report.updated:
                    from .push import after_snapshots  # the push module imports channels; only writers need it

                    changed = report.stream_ids
                    transaction.on_commit(lambda: after_snapshots(changed))
        finally:
            try:
                _drop_temp(cursor)
            except (DatabaseError, TransactionManagementError):
                pass  # an outer transaction is broken: its rollback takes the tables; the next batch drops them
    logger.info(
        "live snapshots ingest: batch=%s by=%s received=%s created=%s updated=%s unchanged=%s rejected=%s",
        report.batch,
        getattr(submitted_by, "pk", None),
        report.received,
        report.created,
        report.updated,
        report.unchanged,
        report.rejected,
    )
    return report


def _check_and_write(cursor, report: Report) -> None:
    """Phase 3 and the writes: lock or record the streams, check identity and order, upsert, sum up the streams."""
    cursor.execute(_LOCK_SQL)
    cursor.execute(_STREAMS_SQL)
    if cursor.rowcount:
        cursor.execute(_LOCK_SQL)  # and those another batch recorded meanwhile
    cursor.execute(_IDENTITY_SQL)
    cursor.execute("SELECT count(*), min(start_minute), max(start_minute) FROM live_ingest_known WHERE r > 0")
    pending, first_start, last_start = cursor.fetchone()
    cursor.execute(_ACC_TABLE)
    if not pending:
        return
    # Constant bounds on `at` (the batch's streams' days): PostgreSQL plans only those partitions.
    bounds = {"lo": first_start, "hi": last_start + dt.timedelta(hours=MAX_STREAM_HOURS)}
    statement = _pass_sql()
    while pending > 0:
        cursor.execute(statement, bounds)
        if not cursor.rowcount:
            raise RuntimeError("live ingest: a pass decided no row")  # cannot happen: each stream decides one
        pending -= cursor.rowcount
    cursor.execute("SELECT count(*) FROM live_ingest_acc")
    final = cursor.fetchone()[0]
    if not final:
        return
    cursor.execute("SELECT min(at), max(at) FROM live_ingest_acc")
    lo, hi = cursor.fetchone()
    cursor.execute(
        "UPDATE live_ingest_acc a SET existed = true FROM live_ingest_acc b CROSS JOIN LATERAL ("
        " SELECT 1 FROM live_livesnapshot t WHERE t.stream_id = b.stream_id AND t.at = b.at"
        " AND t.at >= %s AND t.at <= %s) x WHERE a.stream_id = b.stream_id AND a.at = b.at",
        [lo, hi],
    )
    existing = cursor.rowcount
    cursor.execute(_upsert_sql())
    report.created = final - existing
    report.updated = cursor.rowcount - report.created
    cursor.execute(_SUMMARY_ADD_SQL)
    _summaries_resum(cursor)
    cursor.execute("SELECT DISTINCT stream_id FROM live_ingest_acc ORDER BY 1")
    report.stream_ids = [i for (i,) in cursor.fetchall()]


# --------------------------------------------------------------------------- events


def events_ingest(*, rows: list, submitted_by=None) -> Report:
    """Timeline events: each row accepted or refused on its own; re-sending an event changes nothing."""
    report = Report(received=len(rows))
    clean_rows = []
    kinds = ", ".join(EventKind.values)
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            report.refuse([row_error(n, None, "not_object")])
            report.rejected += 1
            continue
        errors = [row_error(n, str(key)[:64], "unknown_field") for key in row if key not in EVENT_FIELDS]
        errors += [row_error(n, key, "missing") for key in EVENT_FIELDS if row.get(key) is None]
        if not errors:
            clean = {
                "row": n,
                "external_id": _text(row["external_id"], "external_id", errors, n),
                "at": _instant(row["at"], "at", errors, n),
                "label": _text(row["label"], "label", errors, n, max_length=200),
            }
            if row["kind"] not in EventKind.values:
                errors.append(row_error(n, "kind", "bad_kind", kinds=kinds))
            clean["kind"] = row["kind"]
        if errors:
            report.refuse(errors)
            report.rejected += 1
        else:
            clean_rows.append(clean)
    streams = dict(
        LiveStream.objects.filter(external_id__in={r["external_id"] for r in clean_rows}).values_list(
            "external_id", "id"
        )
    )
    with transaction.atomic():
        values = []
        for row in clean_rows:
            if row["external_id"] not in streams:
                report.refuse([row_error(row["row"], "external_id", "unknown_stream")])
                report.rejected += 1
            else:
                values.append((streams[row["external_id"]], row["at"], row["kind"], row["label"]))
        if values:
            from psycopg2.extras import execute_values

            with connection.cursor() as cursor:
                inserted = execute_values(
                    cursor.cursor,
                    "INSERT INTO live_liveevent (stream_id, at, kind, label, created_at) "
                    "SELECT v.stream_id, v.at::timestamptz, v.kind, v.label, now() "
                    "FROM (VALUES %s) v(stream_id, at, kind, label) "
                    "ON CONFLICT (stream_id, at, kind, label) DO NOTHING RETURNING stream_id",
                    values,
                    fetch=True,
                )
            report.created = len(inserted)
            report.unchanged = len(values) - report.created
            report.stream_ids = sorted({stream_id for (stream_id,) in inserted})
        report.record(kind=IngestKind.EVENTS, submitted_by=submitted_by)
        if report.created:
            from .push import after_events

            changed = report.stream_ids
            transaction.on_commit(lambda: after_events(changed))
    logger.info(
        "live events ingest: batch=%s by=%s received=%s created=%s rejected=%s",
        report.batch,
        getattr(submitted_by, "pk", None),
        report.received,
        report.created,
        report.rejected,
    )
    return report


def ingest_refuse(*, kind: str, code: str, reason: str, submitted_by=None, received: int = 0) -> Report:
    """A batch that could not be read at all (not JSON, not a list, too many rows): recorded, nothing written."""
    report = Report(received=received, errors=[{"row": None, "field": None, "code": code, "reason": reason}])
    report.error_count = 1
    report.record(kind=kind, submitted_by=submitted_by)
    return report
