"""Live-session ingest: stage a batch through COPY, validate and resolve it in SQL, upsert by external_id.

The one write path for live sessions coming from the data pipeline (API) and from CSV files
(`manage.py import_sessions`). Every row goes into a temporary text-typed staging table through
COPY; parsing, validation, merchant/operator lookup and provider resolution are set-based SQL over
that table (no per-row queries). Stored rows are found by external_id through the key table
(providers/partitions.py: the sessions table is partitioned by month and cannot hold a unique
external_id itself); those that differ are written with one ``UPDATE ... WHERE <row differs>`` (so
re-sending a batch neither updates a row nor writes an audit event; a row whose started_at moved to
another month moves partition and keeps its id), new rows with a plain INSERT, looking the rows up
again if another batch stored one of them meanwhile.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, TextIO

import psycopg2
import psycopg2.errorcodes
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction

from providers.models import IngestBatch, LiveSession, LiveSessionKey

FIELDS = (
    "external_id",
    "merchant",
    "operator",
    "started_at",
    "duration_minutes",
    "gmv",
    "orders",
    "viewers",
    "new_followers",
    "refund_amount",
    "paid_spend",
    "paid_gmv",
    "skus_listed",
    "skus_sold",
)
FIELD_SET = frozenset(FIELDS)
MONEY_FIELDS = ("gmv", "refund_amount", "paid_spend", "paid_gmv")
COUNT_FIELDS = ("duration_minutes", "orders", "viewers", "new_followers", "skus_listed", "skus_sold")

MAX_API_ROWS = 10_000
MAX_API_BYTES = 32 * 1024 * 1024
# A real row is a few hundred bytes; a line far longer is a broken file, refused before it is
# held in memory (the limit counts bytes on the COPY path, characters on the csv-module path).
MAX_LINE_CHARS = 64 * 1024
# The report lists at most this many errors (counts stay exact); a broken 1M-row file would
# otherwise produce a report larger than the file.
MAX_REPORTED_ERRORS = 1_000
_COPY_CHUNK_ROWS = 2_000
_TEMP_BUFFERS = "512MB"


class IngestRefused(Exception):
    """A batch that cannot be read at all (bad file, bad body): nothing of it is staged."""

    def __init__(self, code: str, reason: str, *, row: int | None = None):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.row = row


@dataclass
class IngestReport:
    """What an ingest did; `code` is set when the batch was refused (nothing written)."""

    batch: int
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    code: str | None = None
    message: str = ""
    # Seconds spent per phase (stage, parse, check, upsert, commit): for -v 2 and the benchmark.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code is None

    def as_dict(self) -> dict[str, Any]:
        body = {
            "batch": self.batch,
            "received": self.received,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
            "error_count": self.error_count,
            "errors_truncated": self.error_count > len(self.errors),
        }
        if self.code:
            body = {"code": self.code, "message": self.message, **body}
        return body


# --------------------------------------------------------------------------- public services


def ingest_rows(*, rows: list, submitted_by=None, partial: bool = False) -> IngestReport:
    """Ingest a parsed JSON list of row objects (the API); row numbers are 1-based list positions."""
    if not rows:
        return ingest_refuse(
            source="api",
            submitted_by=submitted_by,
            partial=partial,
            code="empty_batch",
            reason="The batch is empty: send a JSON list of live sessions.",
        )
    if len(rows) > MAX_API_ROWS:
        return ingest_refuse(
            source="api",
            submitted_by=submitted_by,
            partial=partial,
            received=len(rows),
            code="batch_too_large",
            reason=f"The batch has {len(rows)} rows; at most {MAX_API_ROWS} are accepted per request.",
        )

    def stage(cursor) -> int:
        reader = _ChunkReader(_json_chunks(rows))
        _copy(cursor, f"COPY ingest_stage (row_no, {', '.join(FIELDS)}, pre) FROM STDIN WITH (FORMAT csv)", reader)
        return reader.rows

    return _ingest(stage, source="api", filename="", submitted_by=submitted_by, partial=partial)


def ingest_csv(*, file: BinaryIO, filename: str, submitted_by=None, partial: bool = False) -> IngestReport:
    """Ingest a CSV file opened in binary mode (UTF-8; seekable); row numbers are file line numbers."""
    return _ingest(
        lambda cursor: _stage_csv(cursor, file),
        source="csv",
        filename=filename[-255:],
        submitted_by=submitted_by,
        partial=partial,
    )


@transaction.atomic
def ingest_refuse(
    *,
    source: str,
    code: str,
    reason: str,
    filename: str = "",
    submitted_by=None,
    partial: bool = False,
    received: int = 0,
    row: int | None = None,
) -> IngestReport:
    """Record a batch that was refused before any row could be staged, and say why."""
    errors = [{"row": row, "field": None, "reason": reason}]
    batch = IngestBatch.objects.create(
        source=source,
        filename=filename[-255:],
        submitted_by=submitted_by,
        partial=partial,
        received=received,
        errors=errors,
    )
    return IngestReport(batch=batch.pk, received=received, errors=errors, error_count=1, code=code, message=reason)


# --------------------------------------------------------------------------- staging
# Rows reach the staging table as COPY-CSV text: row number, the 14 fields, and "pre", a JSON
# object {field: reason} of problems found while reading ("*" = the whole row).


class _SlowPath(Exception):
    """The file needs the csv module (multi-line fields): restage it row by row."""


def _csv_writer():
    buf = io.StringIO()
    return buf, csv.writer(buf, lineterminator="\n")


def _json_chunks(rows: list) -> Iterator[tuple[str, int]]:
    buf, writer = _csv_writer()
    empty = (None,) * len(FIELDS)
    n = 0
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            writer.writerow((n, *empty, '{"*": "each row must be a JSON object"}'))
        else:
            values = []
            pre = None
            for name in FIELDS:
                value = row.get(name)
                if value is None:
                    if name not in row:
                        pre = pre or {}
                        pre[name] = "missing field"
                    values.append(None)
                elif isinstance(value, str):
                    if "\x00" in value:
                        pre = pre or {}
                        pre[name] = NUL_REASON
                        value = None
                    values.append(value)
                elif isinstance(value, int | Decimal) and not isinstance(value, bool):
                    values.append(str(value))
                elif isinstance(value, float):
                    values.append(repr(value))  # the shortest text that reads back as this float
                else:
                    pre = pre or {}
                    pre[name] = "must be a string or a number"
                    values.append(None)
            if len(row) != len(FIELDS) or pre:
                for name in row.keys() - FIELD_SET:
                    pre = pre or {}
                    pre[str(name).replace("\x00", "\\0")] = "unknown field"
            writer.writerow((n, *values, json.dumps(pre) if pre else None))
        if n % _COPY_CHUNK_ROWS == 0:
            yield buf.getvalue(), n
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue(), n


class _ChunkReader:
    """A file-like view of a chunk stream for COPY, remembering how many rows went through."""

    def __init__(self, chunks: Iterable[tuple[str, int]]):
        self._chunks = iter(chunks)
        self.rows = 0

    error: Exception | None = None

    def read(self, size: int = -1) -> str:
        try:
            return self._next()
        except Exception as exc:
            self.error = exc  # psycopg2 reports it as a failed COPY; _copy raises it again
            raise

    def _next(self) -> str:
        for text, rows in self._chunks:
            self.rows = rows
            if text:
                return text
        return ""


def _copy(cursor, sql: str, reader) -> None:
    """COPY from a reader, re-raising the reader's own exception rather than psycopg2's wrapper of it."""
    try:
        cursor.copy_expert(sql, reader)
    except Exception as exc:
        if reader.error is not None:
            raise reader.error from None
        if isinstance(exc, psycopg2.DataError):  # copy_expert is not wrapped by Django's error mapping
            raise DataError(str(exc)) from exc
        raise


def _too_long(line: int) -> IngestRefused:
    return IngestRefused("invalid_file", f"Line {line} is longer than {MAX_LINE_CHARS} bytes.", row=line)


def _not_utf8(line: int) -> IngestRefused:
    return IngestRefused("invalid_file", f"The file is not UTF-8 text (undecodable bytes on line {line}).", row=line)


def _read_header(file: BinaryIO) -> None:
    raw = file.readline(MAX_LINE_CHARS + 1)
    if len(raw) > MAX_LINE_CHARS and not raw.endswith(b"\n"):
        raise _too_long(1)
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as spreadsheets write, is not data
    except UnicodeDecodeError:
        raise _not_utf8(1) from None
    if not text.strip():
        raise IngestRefused("invalid_file", "The file is empty: expected a header line and data rows.", row=1)
    header = next(csv.reader([text]), [])
    if tuple(header) != FIELDS:
        missing = [f for f in FIELDS if f not in header]
        unknown = [f for f in header if f not in FIELD_SET]
        detail = "; ".join(
            part
            for part in (
                missing and "missing: " + ", ".join(missing),
                unknown and "unknown: " + ", ".join(unknown),
                not missing and not unknown and "columns are out of order or repeated",
            )
            if part
        )
        raise IngestRefused("invalid_file", f"The header must be exactly: {','.join(FIELDS)} ({detail}).", row=1)


class _RawReader:
    """The data lines of a CSV file passed to COPY as they are, in 1 MiB chunks,
    checking on the way that the text is UTF-8 and that no line is over-long (without ever holding
    more than a chunk)."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.lines = 1  # lines fully read (the header)
        self.tail = 0  # length of the line read so far
        self.ended_line = True

    @property
    def data_lines(self) -> int:
        return self.lines - 1 + (not self.ended_line)

    error: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._next()
        except Exception as exc:
            self.error = exc
            raise

    def _next(self) -> bytes:
        chunk = self.file.read(1 << 20)
        try:
            self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise _not_utf8(self.lines + 1 + chunk.count(b"\n", 0, max(exc.start, 0))) from None
        if not chunk:
            return b""
        self.ended_line = chunk.endswith(b"\n")
        first = chunk.find(b"\n")
        if first < 0:
            self.tail += len(chunk)
            if self.tail > MAX_LINE_CHARS:
                raise _too_long(self.lines + 1)
            return chunk
        if self.tail + first > MAX_LINE_CHARS:
            raise _too_long(self.lines + 1)
        last = chunk.rfind(b"\n")
        if last - first > MAX_LINE_CHARS:
            for offset, line in enumerate(chunk[first + 1 : last].split(b"\n"), start=2):
                if len(line) > MAX_LINE_CHARS:
                    raise _too_long(self.lines + offset)
        self.lines += chunk.count(b"\n")
        self.tail = len(chunk) - last - 1
        if self.tail > MAX_LINE_CHARS:
            raise _too_long(self.lines + 1)
        return chunk


def _bounded_lines(file: TextIO) -> Iterator[str]:
    """The file's lines, refusing a line longer than MAX_LINE_CHARS before it is read whole."""
    number = 0
    readline = file.readline
    try:
        while True:
            line = readline(MAX_LINE_CHARS + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                raise _too_long(number)
            yield line
    except UnicodeDecodeError:
        raise _not_utf8(number + 1) from None


NUL_REASON = "contains a NUL character"


def _without_nul(values: list, pre: dict | None) -> tuple[list, dict | None]:
    """PostgreSQL text cannot hold NUL: such a field is staged empty and reported on its own row."""
    if not any(value and "\x00" in value for value in values):
        return values, pre
    pre = dict(pre or {})
    clean = []
    for name, value in zip(FIELDS, values, strict=True):
        if value and "\x00" in value:
            pre[name] = NUL_REASON
            value = None
        clean.append(value)
    return clean, pre


def _csv_chunks(file: TextIO) -> Iterator[tuple[str, int]]:
    """The slow path: the csv module reads every record (quotes, embedded newlines, ragged rows)."""
    csv.field_size_limit(MAX_LINE_CHARS)
    reader = csv.reader(_bounded_lines(file), strict=True)
    try:
        next(reader)  # the header, checked already
        buf, writer = _csv_writer()
        width = len(FIELDS)
        pad = (None,) * width
        count = 0
        line = reader.line_num
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record:
                continue  # a blank line carries no row
            count += 1
            if len(record) == width:
                values, pre = record, None
            elif len(record) < width:
                values, pre = [*record, *pad[len(record) :]], {name: "missing field" for name in FIELDS[len(record) :]}
            else:
                values, pre = record[:width], {"*": f"the row has {len(record)} fields; expected {width}"}
            values, pre = _without_nul(values, pre)
            writer.writerow((start, *values, json.dumps(pre) if pre else None))
            if count % _COPY_CHUNK_ROWS == 0:
                yield buf.getvalue(), count
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue(), count
    except csv.Error as exc:
        raise IngestRefused(
            "invalid_file", f"Line {reader.line_num}: malformed CSV ({exc}).", row=reader.line_num
        ) from None


def _stage_csv(cursor, file: BinaryIO) -> int:
    """Stage a CSV file: straight through COPY when it is plain (the usual case), else row by row."""
    start = file.tell()
    _read_header(file)
    try:
        with transaction.atomic():
            raw = _RawReader(file)
            _copy(cursor, f"COPY ingest_stage ({', '.join(FIELDS)}) FROM STDIN WITH (FORMAT csv)", raw)
            rows = cursor.rowcount
            if rows != raw.data_lines:
                # A quoted field spans lines: row numbers from the identity column would not be
                # line numbers.
                raise _SlowPath
    except (_SlowPath, DataError):
        # A blank line, a ragged row (COPY refuses the whole file) or a multi-line field: read
        # the file again with the csv module, which reports such rows one by one.
        file.seek(start)
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        try:
            reader = _ChunkReader(_csv_chunks(text))
            _copy(cursor, f"COPY ingest_stage (row_no, {', '.join(FIELDS)}, pre) FROM STDIN WITH (FORMAT csv)", reader)
            rows = reader.rows
        finally:
            text.detach()
    if rows == 0:
        raise IngestRefused("invalid_file", "The file has a header but no data rows.")
    return rows


# --------------------------------------------------------------------------- SQL
# The statements below are assembled from this module's constants only (field names, patterns);
# no input text is ever spliced into SQL, hence the S608 suppressions.

NUMBER_FIELDS = COUNT_FIELDS + MONEY_FIELDS
_INT = r"^\s*[+-]?[0-9]+\s*$"
_DEC = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?\s*$"
# PostgreSQL reads UTC offsets up to ±15:59, hence the offset hours.
_TS = (
    r"^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:[0-5][0-9](\.[0-9]{1,6})?)?([Zz]|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)$"
)
_STAGE_TABLE = (
    "CREATE TEMP TABLE ingest_stage (row_no bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 2), "
    + ", ".join(f"{name} text" for name in FIELDS)
    + ", pre text) ON COMMIT DROP"
)
_ERRORS_TABLE = "CREATE TEMP TABLE ingest_errors (row_no bigint, ord int, field text, reason text) ON COMMIT DROP"
_TEMP_TABLES = "pg_temp.ingest_stage, pg_temp.ingest_typed, pg_temp.ingest_errors, pg_temp.ingest_known"


def _typed_sql(strict: bool) -> str:
    """Parse the staged text into typed columns and resolve merchant, operator and employer.

    The fast variant casts directly (a malformed value makes the statement fail, and the caller
    then runs the strict one); the strict variant casts only what matches the accepted patterns,
    leaving NULL and keeping the raw text to explain why. A day that matches the pattern but does
    not exist (2025-02-30) is caught by the month-length test.
    """
    started = (
        f"CASE WHEN s.started_at ~ '{_TS}' THEN CASE WHEN substr(s.started_at, 9, 2)::int <= extract(day FROM "
        "make_date(substr(s.started_at, 1, 4)::int, substr(s.started_at, 6, 2)::int, 1)"
        " + interval '1 month' - interval '1 day') THEN s.started_at::timestamptz END END"
        if strict
        else f"CASE WHEN s.started_at ~ '{_TS}' THEN s.started_at::timestamptz END"
    )
    inner = [
        "s.row_no",
        "s.pre::jsonb AS pre",
        "s.external_id",
        "s.merchant",
        "CASE WHEN btrim(s.operator) <> '' THEN s.operator END AS operator",
        f"{started} AS started_at",
        "s.started_at AS raw_started_at",
    ]
    outer = [
        "q.row_no",
        "q.pre",
        "q.external_id",
        "q.merchant",
        "q.operator",
        "q.started_at",
        "CASE WHEN q.started_at IS NULL THEN q.raw_started_at END AS raw_started_at",
        "q.day",
    ]
    for name in NUMBER_FIELDS:
        if name in COUNT_FIELDS:  # digits only: "12.0", 12.0 and 1e3 are not whole-number counts
            cast = f"CASE WHEN s.{name} ~ '{_INT}' THEN s.{name}::numeric END"
        elif strict:
            cast = f"CASE WHEN s.{name} ~ '{_DEC}' THEN s.{name}::numeric END"
        else:
            cast = f"s.{name}::numeric"
        inner += [f"{cast} AS {name}", f"s.{name} AS raw_{name}"]
        outer += [f"q.{name}", f"CASE WHEN q.{name} IS NULL THEN q.raw_{name} END AS raw_{name}"]
    # OFFSET 0 keeps the parsing subqueries whole, so each pattern is matched (and each Shanghai
    # date computed) once per row rather than once per reference.
    return f"""
CREATE TEMP TABLE ingest_typed ON COMMIT DROP AS
SELECT {", ".join(outer)}, m.id AS merchant_id, o.id AS operator_id, e.provider_id
FROM (
  SELECT p.*, (p.started_at AT TIME ZONE 'Asia/Shanghai')::date AS day
  FROM (SELECT {", ".join(inner)} FROM ingest_stage s OFFSET 0) p OFFSET 0
) q
LEFT JOIN providers_merchant m ON m.platform_account_id = q.merchant
LEFT JOIN providers_operator o ON o.platform_user_id = q.operator
LEFT JOIN providers_employment e ON e.operator_id = o.id
  AND e.start_date <= q.day AND (e.end_date IS NULL OR e.end_date >= q.day)
"""  # noqa: S608


def _row_ok() -> str:
    """True for a row with no field error (duplicates and engagements are checked separately)."""
    checks = [
        "t.pre IS NULL",
        "btrim(t.external_id) <> ''",
        "length(t.external_id) <= 64",
        "t.merchant_id IS NOT NULL",
        "(t.operator IS NULL OR t.provider_id IS NOT NULL)",
        "t.started_at IS NOT NULL",
        "t.skus_sold <= t.skus_listed",
    ]
    checks += [f"t.{n} BETWEEN 0 AND 2147483647 AND t.{n} = trunc(t.{n})" for n in COUNT_FIELDS]
    checks += [f"t.{n} >= 0 AND t.{n} < 100000000000000 AND min_scale(t.{n}) <= 2" for n in MONEY_FIELDS]
    return " AND ".join(checks)


def _number_reason(name: str, *, money: bool) -> str:
    col, raw = f"t.{name}", f"t.raw_{name}"
    if money:
        value_checks = (
            f"WHEN {col} = 'NaN' OR {col} IN ('Infinity', '-Infinity') THEN 'not a decimal number' "
            f"WHEN {col} < 0 THEN 'must not be negative' "
            f"WHEN min_scale({col}) > 2 THEN 'more than 2 decimal places' "
            f"WHEN {col} >= 100000000000000 THEN 'too large' "
        )
    else:
        value_checks = (
            f"WHEN {col} = 'NaN' OR {col} IN ('Infinity', '-Infinity') OR {col} <> trunc({col}) "
            "THEN 'not a whole number' "
            f"WHEN {col} < 0 THEN 'must not be negative' "
            f"WHEN {col} > 2147483647 THEN 'too large' "
        )
    return (
        f"CASE WHEN {col} IS NULL THEN CASE WHEN {raw} IS NULL OR btrim({raw}) = '' THEN 'this field is required' "
        f"ELSE 'not a {'decimal' if money else 'whole'} number' END {value_checks}END"
    )


def _field_errors_sql() -> str:
    order = {name: i * 2 for i, name in enumerate(FIELDS)}
    reasons = [
        (
            "external_id",
            "CASE WHEN t.external_id IS NULL OR btrim(t.external_id) = '' THEN 'this field is required' "
            "WHEN length(t.external_id) > 64 THEN 'longer than 64 characters' END",
        ),
        (
            "merchant",
            "CASE WHEN t.merchant IS NULL OR btrim(t.merchant) = '' THEN 'this field is required' "
            "WHEN t.merchant_id IS NULL THEN 'unknown merchant ' || quote_literal(t.merchant) END",
        ),
        (
            "operator",
            "CASE WHEN t.operator IS NULL THEN NULL "
            "WHEN t.operator_id IS NULL THEN 'unknown operator ' || quote_literal(t.operator) "
            "WHEN t.merchant_id IS NOT NULL AND t.started_at IS NOT NULL AND t.provider_id IS NULL THEN "
            "'operator ' || quote_literal(t.operator) || ' is not employed by any provider on ' || t.day "
            "|| ' (Asia/Shanghai)' END",
        ),
        (
            "started_at",
            "CASE WHEN t.started_at IS NOT NULL THEN NULL "
            "WHEN t.raw_started_at IS NULL OR btrim(t.raw_started_at) = '' THEN 'this field is required' "
            f"WHEN NOT t.raw_started_at ~ '{_TS}' THEN 'not an ISO 8601 date-time with a UTC offset' "
            "ELSE 'no such date' END",
        ),
    ]
    reasons += [(n, _number_reason(n, money=n in MONEY_FIELDS)) for n in NUMBER_FIELDS]
    values = [f"({order[f]}, '{f}', {expr})" for f, expr in reasons]
    values.append(
        f"({order['skus_sold'] + 1}, 'skus_sold', CASE WHEN t.skus_sold > t.skus_listed THEN 'skus_sold (' "
        "|| t.skus_sold || ') is greater than skus_listed (' || t.skus_listed || ')' END)"
    )
    return f"""
INSERT INTO ingest_errors (row_no, ord, field, reason)
SELECT t.row_no, v.ord, v.field, v.reason
FROM ingest_typed t CROSS JOIN LATERAL (VALUES {", ".join(values)}) v(ord, field, reason)
WHERE NOT coalesce({_row_ok()}, false)
  AND v.reason IS NOT NULL AND (t.pre IS NULL OR NOT (t.pre ? '*' OR t.pre ? v.field))
"""  # noqa: S608


_FIELD_ARRAY = "ARRAY[" + ", ".join(f"'{f}'" for f in FIELDS) + "]"

_PRE_ERRORS_SQL = f"""
INSERT INTO ingest_errors (row_no, ord, field, reason)
SELECT t.row_no, CASE WHEN p.key = '*' THEN -1 ELSE coalesce(array_position({_FIELD_ARRAY}, p.key) * 2 - 2, 99) END,
  nullif(p.key, '*'), p.value
FROM ingest_typed t, jsonb_each_text(t.pre) p WHERE t.pre IS NOT NULL
"""  # noqa: S608

# Both rows of a repeated external_id are refused: which one is right is not ours to guess.
_DUPLICATE_ERRORS_SQL = """
INSERT INTO ingest_errors (row_no, ord, field, reason)
SELECT t.row_no, 0, 'external_id', 'external_id ' || quote_literal(t.external_id) || ' appears ' || d.n
  || ' times in this batch (first at row ' || d.first_row || ', last at row ' || d.last_row || ')'
FROM ingest_typed t
JOIN (
  SELECT external_id, count(*) AS n, min(row_no) AS first_row, max(row_no) AS last_row
  FROM ingest_typed WHERE external_id IS NOT NULL GROUP BY external_id HAVING count(*) > 1
) d ON d.external_id = t.external_id
"""

# The employer must serve the merchant on the session's Shanghai date (dates inclusive, NULL end = open).
_ENGAGEMENT_ERRORS_SQL = """
INSERT INTO ingest_errors (row_no, ord, field, reason)
SELECT t.row_no, 4, 'operator', 'the employer of operator ' || quote_literal(t.operator) || ' (provider '
  || t.provider_id || ') has no engagement with merchant ' || quote_literal(t.merchant) || ' on ' || t.day
  || ' (Asia/Shanghai)'
FROM ingest_typed t
WHERE t.provider_id IS NOT NULL AND t.merchant_id IS NOT NULL
  AND (t.pre IS NULL OR NOT (t.pre ? '*' OR t.pre ? 'operator'))
  AND NOT EXISTS (
    SELECT 1 FROM providers_engagement g
    WHERE g.provider_id = t.provider_id AND g.merchant_id = t.merchant_id
      AND g.start_date <= t.day AND (g.end_date IS NULL OR g.end_date >= t.day)
  )
"""

_DATA_COLUMNS = ("merchant_id", "operator_id", "provider_id", "started_at") + NUMBER_FIELDS


_TABLE = LiveSession._meta.db_table
_KEYS = LiveSessionKey._meta.db_table
_VALID = "NOT EXISTS (SELECT 1 FROM ingest_errors e WHERE e.row_no = t.row_no)"
# Rows are written sorted by external_id: concurrent batches then lock (and wait on) rows in one
# order, so they cannot deadlock, and the key table's index is filled leaf by leaf rather than at random.
# Byte order ("C") serves both: it is one total order, which is all the deadlock argument needs, and
# the index's order for ids of digits and lowercase letters; it sorts 3× faster than a libc locale.
_WRITE_ORDER = 'ORDER BY t.external_id COLLATE "C"'
_KNOWN = "EXISTS (SELECT 1 FROM ingest_known k WHERE k.row_no = t.row_no)"
_CURRENT = ", ".join(f"ls.{c}" for c in _DATA_COLUMNS)
_SENT = ", ".join(f"t.{c}" for c in _DATA_COLUMNS)


def _known_sql() -> str:
    """Rows whose external_id is already stored, and whether any value differs: unchanged rows (a re-sent
    batch) then never reach the update. The sessions table is partitioned by month and external_id is unique
    through the key table (providers/partitions.py): one probe there gives the stored row's id and started_at,
    hence its partition."""
    return f"""
CREATE TEMP TABLE ingest_known ON COMMIT DROP AS
SELECT t.row_no, ({_CURRENT}) IS DISTINCT FROM ({_SENT}) AS changed
FROM ingest_typed t
JOIN {_KEYS} key ON key.external_id = t.external_id
JOIN {_TABLE} ls ON ls.id = key.session_id AND ls.started_at = key.started_at
"""  # noqa: S608


_KNOWN_SQL = _known_sql()

# The stored rows of the valid changed ones, found through the key table; an update whose started_at moves
# to another month moves the row to that month's partition, keeping its id (PostgreSQL's row movement).
_STORED_CHANGED = f"""
FROM ingest_typed t
JOIN ingest_known kn ON kn.row_no = t.row_no AND kn.changed
JOIN {_KEYS} key ON key.external_id = t.external_id
WHERE ls.id = key.session_id AND ls.started_at = key.started_at AND {_VALID}
"""  # noqa: S608

# Locked first, in write order (a hash join's UPDATE visits rows in no order): concurrent batches then
# cannot deadlock on each other's corrections.
_LOCK_CHANGED_SQL = f"""
SELECT count(*) FROM (
SELECT ls.id FROM ingest_typed t
JOIN ingest_known kn ON kn.row_no = t.row_no AND kn.changed
JOIN {_KEYS} key ON key.external_id = t.external_id
JOIN {_TABLE} ls ON ls.id = key.session_id AND ls.started_at = key.started_at
WHERE {_VALID}
{_WRITE_ORDER}
FOR UPDATE OF ls
) locked
"""  # noqa: S608

# An unchanged row is not updated at all, so it fires no audit trigger.
_UPDATE_CHANGED_SQL = f"""
UPDATE {_TABLE} ls SET ({", ".join(_DATA_COLUMNS)}, batch_id) = ({_SENT}, %s)
{_STORED_CHANGED} AND ({_CURRENT}) IS DISTINCT FROM ({_SENT})
"""  # noqa: S608

# New rows go in with a plain INSERT (the key table's trigger refuses an external_id stored meanwhile).
_INSERT_NEW_SQL = f"""
INSERT INTO {_TABLE} (external_id, batch_id, {", ".join(_DATA_COLUMNS)})
SELECT t.external_id, %s, {_SENT} FROM ingest_typed t
WHERE {_VALID} AND NOT {_KNOWN}
{_WRITE_ORDER}
"""  # noqa: S608

# How often a batch looks its rows up again when another batch keeps storing some of them meanwhile.
_RETRIES = 5


def _update_changed(cursor, batch_id: int) -> int:
    cursor.execute(_LOCK_CHANGED_SQL)
    cursor.execute(_UPDATE_CHANGED_SQL, [batch_id])
    return cursor.rowcount


def _insert_new(cursor, batch_id: int) -> int | None:
    """Insert the rows not stored yet; None when another batch stored one of them since we looked."""
    try:
        with transaction.atomic():
            cursor.execute(_INSERT_NEW_SQL, [batch_id])
            return cursor.rowcount
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", None) != psycopg2.errorcodes.UNIQUE_VIOLATION:
            raise
    return None


def _upsert(cursor, batch_id: int) -> tuple[int, int]:
    """Write the valid rows; (created, updated)."""
    cursor.execute(_KNOWN_SQL)
    updated = _update_changed(cursor, batch_id)
    for _attempt in range(_RETRIES):
        created = _insert_new(cursor, batch_id)
        if created is not None:
            return created, updated
        # Another batch stored some of these external_ids since we looked: look again (the rows this batch
        # updated already now equal what it sent, so they are not updated twice) and write the rest.
        cursor.execute("DROP TABLE pg_temp.ingest_known")
        cursor.execute(_known_sql())
        updated += _update_changed(cursor, batch_id)
    raise IntegrityError("ingest: other batches kept storing the same external_ids; send the batch again")


# --------------------------------------------------------------------------- the run


def _ingest(stage, *, source: str, filename: str, submitted_by, partial: bool) -> IngestReport:
    clock = time.perf_counter()
    timings = {}

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[phase] = timings.get(phase, 0.0) + now - clock
        clock = now

    try:
        with transaction.atomic():
            batch = IngestBatch.objects.create(
                source=source, filename=filename, submitted_by=submitted_by, partial=partial
            )
            with connection.cursor() as cursor:
                # JIT compilation costs more than it saves on these one-off statements; sorts and
                # hashes over a big batch stay in memory.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '128MB'")
                _use_big_temp_buffers(cursor)
                cursor.execute(f"DROP TABLE IF EXISTS {_TEMP_TABLES}")
                cursor.execute(_STAGE_TABLE)
                try:
                    with transaction.atomic():
                        received = stage(cursor)
                except DataError as exc:
                    # Text PostgreSQL cannot store (a NUL character): refuse with its words.
                    reason = str(exc).splitlines()[0] if str(exc) else "unreadable data"
                    raise IngestRefused("invalid_data", f"The batch cannot be stored as text: {reason}.") from None
                lap("stage")
                report = _validate_and_write(cursor, batch, received=received, partial=partial, lap=lap)
                cursor.execute(f"DROP TABLE IF EXISTS {_TEMP_TABLES}")
            batch.received, batch.created, batch.updated = report.received, report.created, report.updated
            batch.unchanged, batch.rejected, batch.errors = report.unchanged, report.rejected, report.errors
            batch.save(update_fields=["received", "created", "updated", "unchanged", "rejected", "errors"])
        lap("commit")  # includes the deferred foreign-key checks of the new rows
        report.timings = timings
        return report
    except IngestRefused as exc:
        return ingest_refuse(
            source=source,
            filename=filename,
            submitted_by=submitted_by,
            partial=partial,
            code=exc.code,
            reason=exc.reason,
            row=exc.row,
        )


def _use_big_temp_buffers(cursor) -> None:
    """Keep the staging tables of a big file in memory (local buffers are allocated as used, so a
    small batch costs nothing). PostgreSQL refuses the change once the session has used temporary
    tables; a fresh command's has not, a web worker's may have: then it keeps its setting."""
    try:
        with transaction.atomic():
            cursor.execute(f"SET temp_buffers = '{_TEMP_BUFFERS}'")
    except DatabaseError:
        pass


def _validate_and_write(cursor, batch: IngestBatch, *, received: int, partial: bool, lap) -> IngestReport:
    try:
        with transaction.atomic():
            cursor.execute(_typed_sql(strict=False))
    except DataError:
        cursor.execute(_typed_sql(strict=True))  # some value is malformed: parse carefully, say which
    lap("parse")
    cursor.execute(_ERRORS_TABLE)
    cursor.execute(_field_errors_sql())
    cursor.execute(_PRE_ERRORS_SQL)
    cursor.execute(_DUPLICATE_ERRORS_SQL)
    cursor.execute(_ENGAGEMENT_ERRORS_SQL)
    cursor.execute("SELECT count(DISTINCT row_no), count(*) FROM ingest_errors")
    rejected, error_count = cursor.fetchone()
    lap("check")
    report = IngestReport(batch=batch.pk, received=received, rejected=rejected, error_count=error_count)
    if rejected:
        cursor.execute(
            "SELECT row_no, field, reason FROM ingest_errors ORDER BY row_no, ord, field LIMIT %s",
            [MAX_REPORTED_ERRORS],
        )
        report.errors = [{"row": r, "field": f, "reason": reason} for r, f, reason in cursor.fetchall()]
        if not partial:
            report.code = "invalid_rows"
            how = "send ?partial=true" if batch.source == "api" else "use --partial"
            report.message = (
                f"{rejected} of {received} rows are invalid; nothing was written ({how} to write the valid rows)."
            )
            return report
    report.created, report.updated = _upsert(cursor, batch.pk)
    lap("upsert")
    report.unchanged = received - rejected - report.created - report.updated
    return report
