"""Snapshot and event ingest (DESIGN §10 "Data"): rows accepted or refused one by one, upserted by (stream, at).

A batch is read in row order, as if its rows arrived one at a time: each row is checked on its own (fields, money,
whole minute, sources ≤ entries), against the platform (merchant, operator, the stream's recorded identity) and
against the stream's snapshots as they stand when the row comes — the stored ones and the batch's rows accepted
before it: every cumulative figure must be at least the latest earlier snapshot's and at most the earliest later
one's. A refused row is reported (row, field, code, reason) and changes nothing; the others are written. The reads
are set-based (one query per kind of lookup, whatever the batch's size); the writes go through COPY into a
temporary table and one ``INSERT ... ON CONFLICT (stream_id, at) DO UPDATE ... WHERE <the row differs>``, so
re-sending a batch changes nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.dates import SHANGHAI, shanghai_date, shanghai_today
from providers.models import Merchant, Operator

from .choices import EventKind, IngestKind
from .models import COUNT_FIELDS, CUMULATIVE_FIELDS, FIGURE_FIELDS, MONEY_FIELDS, LiveIngestBatch, LiveStream
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


def _shanghai(instant: dt.datetime) -> str:
    return instant.astimezone(SHANGHAI).isoformat()


def _neighbours(keys: list[tuple[int, dt.datetime]]) -> dict:
    """For each (stream id, at): the stored snapshots just before and just after it (one query, index probes
    bounded to the stream's own days so only their partitions are read)."""
    if not keys:
        return {}
    cols = ", ".join(CUMULATIVE_FIELDS)
    window = f"s.at >= st.start_minute AND s.at <= st.start_minute + interval '{MAX_STREAM_HOURS} hours'"
    sql = f"""
        SELECT b.i, p.at, p.vals, n.at, n.vals
        FROM unnest(%s::bigint[], %s::timestamptz[]) WITH ORDINALITY AS b(stream_id, at, i)
        JOIN live_livestream st ON st.id = b.stream_id
        LEFT JOIN LATERAL (
            SELECT s.at, ARRAY[{cols}]::numeric[] AS vals FROM live_livesnapshot s
            WHERE s.stream_id = b.stream_id AND {window} AND s.at < b.at ORDER BY s.at DESC LIMIT 1
        ) p ON true
        LEFT JOIN LATERAL (
            SELECT s.at, ARRAY[{cols}]::numeric[] AS vals FROM live_livesnapshot s
            WHERE s.stream_id = b.stream_id AND {window} AND s.at > b.at ORDER BY s.at LIMIT 1
        ) n ON true
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [[k[0] for k in keys], [k[1] for k in keys]])
        out = {}
        for i, p_at, p_vals, n_at, n_vals in cursor.fetchall():
            key = keys[i - 1]
            out[key] = (
                (p_at, dict(zip(CUMULATIVE_FIELDS, p_vals, strict=True))) if p_at else None,
                (n_at, dict(zip(CUMULATIVE_FIELDS, n_vals, strict=True))) if n_at else None,
            )
    return out


class _Timeline:
    """A stream's rows accepted so far in this batch, by minute (for the checks of the rows after them)."""

    def __init__(self):
        self.ats: list[dt.datetime] = []
        self.rows: dict[dt.datetime, dict] = {}

    def put(self, row: dict) -> None:
        if row["at"] not in self.rows:
            bisect.insort(self.ats, row["at"])
        self.rows[row["at"]] = row

    def before(self, at):
        i = bisect.bisect_left(self.ats, at)
        return (self.ats[i - 1], self.rows[self.ats[i - 1]]) if i else None

    def after(self, at):
        i = bisect.bisect_right(self.ats, at)
        return (self.ats[i], self.rows[self.ats[i]]) if i < len(self.ats) else None


def _order_errors(row: dict, earlier, later) -> list:
    errors = []
    for name in CUMULATIVE_FIELDS:
        value = row[name]
        if earlier is not None and value < earlier[1][name]:
            errors.append(
                row_error(
                    row["row"], name, "below_earlier", value=value, earlier=earlier[1][name], at=_shanghai(earlier[0])
                )
            )
        if later is not None and value > later[1][name]:
            errors.append(
                row_error(row["row"], name, "above_later", value=value, later=later[1][name], at=_shanghai(later[0]))
            )
    return errors


def _copy_rows(cursor, rows: list[dict]) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(str(row[c]) if c != "at" else row["at"].isoformat() for c in _COLUMNS))
        buf.write("\n")
    buf.seek(0)
    # Dropped at commit; a batch inside an outer transaction (tests, a command) may find the last one's.
    cursor.execute("DROP TABLE IF EXISTS live_stage")
    cursor.execute("CREATE TEMP TABLE live_stage (LIKE live_livesnapshot INCLUDING DEFAULTS) ON COMMIT DROP")
    cursor.copy_expert(f"COPY live_stage ({', '.join(_COLUMNS)}) FROM STDIN", buf)


def _upsert(cursor, staged: int) -> tuple[int, int]:
    """Write the staged rows; (created, updated). The streams are locked, so the keys found first stay true."""
    cursor.execute(
        "SELECT count(*) FROM live_stage g CROSS JOIN LATERAL ("
        " SELECT 1 FROM live_livesnapshot t WHERE t.stream_id = g.stream_id AND t.at = g.at) x"
    )
    existing = cursor.fetchone()[0]
    cols = ", ".join(_COLUMNS)
    figures = ("k", *FIGURE_FIELDS)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in figures)
    old = ", ".join(f"t.{c}" for c in figures)
    new = ", ".join(f"EXCLUDED.{c}" for c in figures)
    cursor.execute(
        f"INSERT INTO live_livesnapshot AS t ({cols}) SELECT {cols} FROM live_stage "  # noqa: S608
        f"ON CONFLICT (stream_id, at) DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM ({new})"
    )
    created = staged - existing
    return created, cursor.rowcount - created


def _refresh_summaries(cursor, stream_ids: list[int]) -> None:
    """The wall of walls' row of each touched stream: last snapshot's figures, peak online, snapshot count."""
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


def snapshots_ingest(*, rows: list, submitted_by=None) -> Report:
    """Accept or refuse each snapshot row (see the module docstring); record the batch; push to open walls."""
    report = Report(received=len(rows))
    now = timezone.now()
    oldest = oldest_kept(shanghai_today())
    parsed: list[dict] = []
    for n, row in enumerate(rows, start=1):
        clean, errors = parse_snapshot(row, n, now, oldest)
        if errors:
            report.refuse(errors)
            report.rejected += 1
        else:
            parsed.append(clean)

    merchants = dict(
        Merchant.objects.filter(platform_account_id__in={r["merchant"] for r in parsed}).values_list(
            "platform_account_id", "id"
        )
    )
    operators = dict(
        Operator.objects.filter(platform_user_id__in={r["operator"] for r in parsed if r["operator"]}).values_list(
            "platform_user_id", "id"
        )
    )
    known = []
    for row in parsed:
        errors = []
        if row["merchant"] not in merchants:
            errors.append(row_error(row["row"], "merchant", "unknown_merchant"))
        if row["operator"] is not None and row["operator"] not in operators:
            errors.append(row_error(row["row"], "operator", "unknown_operator"))
        if errors:
            report.refuse(errors)
            report.rejected += 1
        else:
            row["merchant_id"] = merchants[row["merchant"]]
            row["operator_id"] = operators.get(row["operator"])
            known.append(row)

    # Partitions are made outside the batch's transaction (DDL would lock the table until it commits).
    partitions_ensure(shanghai_date(row["at"]) for row in known)

    with transaction.atomic():
        streams = _streams_for(known)
        accepted: dict[int, _Timeline] = {}
        keys = [(streams[r["external_id"]].id, r["at"]) for r in known if streams[r["external_id"]].id is not None]
        stored = _neighbours(sorted(set(keys)))
        final_rows: dict[tuple[int, dt.datetime], dict] = {}
        for row in known:
            stream = streams[row["external_id"]]
            errors = _identity_errors(row, stream)
            if not errors:
                if stream.id is None:
                    _stream_create(stream)
                row["stream_id"] = stream.id
                timeline = accepted.setdefault(stream.id, _Timeline())
                earlier_stored, later_stored = stored.get((stream.id, row["at"]), (None, None))
                earlier = _nearest(earlier_stored, timeline.before(row["at"]), later=False)
                later = _nearest(later_stored, timeline.after(row["at"]), later=True)
                errors = _order_errors(row, earlier, later)
            if errors:
                report.refuse(errors)
                report.rejected += 1
                continue
            timeline.put(row)
            final_rows[(stream.id, row["at"])] = row

        if final_rows:
            with connection.cursor() as cursor:
                _copy_rows(cursor, list(final_rows.values()))
                report.created, report.updated = _upsert(cursor, len(final_rows))
                report.unchanged = len(final_rows) - report.created - report.updated
                # Rows sent twice in one batch count once in the table, each time as accepted.
                report.unchanged += report.received - report.rejected - len(final_rows)
                report.stream_ids = sorted(accepted)
                _refresh_summaries(cursor, report.stream_ids)
        batch = LiveIngestBatch.objects.create(
            kind=IngestKind.SNAPSHOTS,
            submitted_by=submitted_by,
            received=report.received,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            errors=report.errors,
        )
        report.batch = batch.pk
        if report.created or report.updated:
            from .push import after_snapshots  # the push module imports channels; only writers need it

            changed = report.stream_ids
            transaction.on_commit(lambda: after_snapshots(changed))
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


def _nearest(stored, in_batch, *, later: bool):
    """The closer of a stored neighbour and a batch neighbour (the batch's row wins at the same minute: it replaced
    the stored one)."""
    if stored is None:
        return in_batch
    if in_batch is None:
        return stored
    if stored[0] == in_batch[0]:
        return in_batch
    return min(stored, in_batch, key=lambda x: x[0]) if later else max(stored, in_batch, key=lambda x: x[0])


def _streams_for(rows: list[dict]) -> dict[str, LiveStream]:
    """The batch's streams, locked (so two batches of one stream are checked one after the other); a stream not
    yet recorded is an unsaved LiveStream taking its identity from its first row in the batch."""
    external_ids = sorted({r["external_id"] for r in rows})
    streams = {
        s.external_id: s
        for s in LiveStream.objects.select_for_update().filter(external_id__in=external_ids).order_by("id")
    }
    for row in rows:
        if row["external_id"] not in streams:
            streams[row["external_id"]] = LiveStream(
                external_id=row["external_id"],
                merchant_id=row["merchant_id"],
                operator_id=row["operator_id"],
                started_at=row["started_at"],
                start_minute=row["start_minute"],
                start_date=shanghai_date(row["started_at"]),
            )
    return streams


def _stream_create(stream: LiveStream) -> None:
    """Record a new stream; if another batch recorded it meanwhile, take (and lock) that one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO live_livestream (external_id, merchant_id, operator_id, started_at, start_minute, start_date,"
            " last_gmv, last_online, peak_online, snapshot_count, alert_count, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, 0, 0, 0, 0, 0, now()) ON CONFLICT (external_id) DO NOTHING RETURNING id",
            [
                stream.external_id,
                stream.merchant_id,
                stream.operator_id,
                stream.started_at,
                stream.start_minute,
                stream.start_date,
            ],
        )
        got = cursor.fetchone()
    if got:
        stream.id = got[0]
        return
    other = LiveStream.objects.select_for_update().get(external_id=stream.external_id)
    stream.__dict__.update({k: v for k, v in other.__dict__.items() if not k.startswith("_")})


def _identity_errors(row: dict, stream: LiveStream) -> list:
    """A stream's merchant, operator and start are those of its first accepted row; later rows must agree."""
    errors = []
    if row["merchant_id"] != stream.merchant_id:
        errors.append(row_error(row["row"], "merchant", "stream_differs"))
    if row["operator_id"] != stream.operator_id:
        errors.append(row_error(row["row"], "operator", "stream_differs"))
    if row["started_at"] != stream.started_at:
        errors.append(row_error(row["row"], "started_at", "stream_differs"))
    return errors


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
        batch = LiveIngestBatch.objects.create(
            kind=IngestKind.EVENTS,
            submitted_by=submitted_by,
            received=report.received,
            created=report.created,
            unchanged=report.unchanged,
            rejected=report.rejected,
            errors=report.errors,
        )
        report.batch = batch.pk
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
    report.batch = LiveIngestBatch.objects.create(
        kind=kind, submitted_by=submitted_by, received=received, errors=report.errors
    ).pk
    return report
