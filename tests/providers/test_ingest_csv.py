"""`manage.py import_sessions FILE.csv [--partial]`: line-numbered reports, broken files, bounded memory."""

import datetime as dt
import tracemalloc
from decimal import Decimal
from io import StringIO

import pghistory.models
import pytest
from django.core.management import CommandError, call_command

from providers import ingest
from providers.models import IngestBatch, LiveSession
from tests.providers.test_ingest import make_world, sessions, state

HEADER = ",".join(ingest.FIELDS)
GOOD = "S-1,M-1,OP-1,2025-04-01T20:00:00+08:00,120,10000.50,100,5000,50,500.00,1000.00,3000.00,20,10"
GOOD2 = "S-2,M-1,,2025-04-02T20:00:00+08:00,60,99.90,5,300,1,0,0,0,5,5"


@pytest.fixture
def world(db, provider, other_provider):
    return make_world(provider, other_provider)


def write(tmp_path, text, name="sessions.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_sessions", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path, *args):
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_sessions", str(path), *args, stdout=StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


def test_import_creates_rows_and_prints_the_report(tmp_path, world):
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD2}\n")

    out, err = run(path)

    batch = IngestBatch.objects.get()
    assert out == f"batch {batch.pk}: received 2, created 2, updated 0, unchanged 0, rejected 0\n"
    assert err == ""
    assert (batch.source, batch.filename, batch.submitted_by, batch.created) == ("csv", "sessions.csv", None, 2)
    assert [(s[0], s[2], s[3], s[7]) for s in sessions()] == [
        ("S-1", "OP-1", world["provider"].pk, Decimal("10000.50")),
        ("S-2", None, None, Decimal("99.90")),
    ]


def test_reimporting_the_same_file_changes_nothing(tmp_path, world):
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD2}\n")
    run(path)
    before = state()

    out, _ = run(path)

    assert out.endswith("received 2, created 0, updated 0, unchanged 2, rejected 0\n")
    assert state() == before


def test_an_update_through_the_command_is_audited_as_the_command(tmp_path, world):
    run(write(tmp_path, f"{HEADER}\n{GOOD}\n"))

    out, _ = run(write(tmp_path, f"{HEADER}\n{GOOD.replace('10000.50', '10000.60')}\n"))

    assert "updated 1" in out
    event = LiveSession.pgh_event_model.objects.get()
    assert event.gmv == Decimal("10000.60")
    context = pghistory.models.Context.objects.get(pk=event.pgh_context_id)
    assert (context.metadata["via"], context.metadata["job"]) == ("command", "import_sessions")


def test_errors_name_file_lines_and_nothing_is_written(tmp_path, world):
    bad = GOOD.replace("S-1", "S-3").replace("10000.50", "-1")
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{bad}\n{GOOD2.replace(',5,5', ',5,6')}\n")
    before = state()

    message, err = refused(path)

    assert message.startswith("2 of 3 rows are invalid; nothing was written (use --partial to write the valid rows).")
    assert (
        err == "line 3, gmv: must not be negative\nline 4, skus_sold: skus_sold (6) is greater than skus_listed (5)\n"
    )
    assert state() == before
    assert IngestBatch.objects.get().rejected == 2


def test_line_numbers_count_physical_lines_past_a_quoted_line_break(tmp_path, world):
    quoted = GOOD.replace("S-1", '"S-\n1"')  # a field spanning lines 2-3
    path = write(tmp_path, f"{HEADER}\n{quoted}\n\n{GOOD2.replace('99.90', 'abc')}\n")

    _, err = refused(path)

    assert err == "line 5, gmv: not a decimal number\n"
    assert sessions() == []


def test_a_nul_character_and_a_non_integer_count_are_reported_on_their_rows(tmp_path, world):
    nul = GOOD2.replace("S-2", "S-\x002")
    counts = [
        GOOD.replace("S-1", f"S-{n}").replace(",120,", f",{value},") for n, value in enumerate(["12.0", "1e3"], 3)
    ]
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{nul}\n{counts[0]}\n{counts[1]}\n")
    before = state()

    _, err = refused(path)

    assert err == (
        "line 3, external_id: contains a NUL character\n"
        "line 4, duration_minutes: not a whole number\n"
        "line 5, duration_minutes: not a whole number\n"
    )
    assert state() == before


def test_ragged_rows_are_reported_per_row(tmp_path, world):
    short = ",".join(GOOD.split(",")[:12])
    long = GOOD.replace("S-1", "S-9") + ",extra"
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{short}\n{long}\n")

    _, err = refused(path)

    dup = "external_id: external_id 'S-1' appears 2 times in this batch (first at row 2, last at row 3)"
    assert err == (
        f"line 2, {dup}\n"
        f"line 3, {dup}\n"
        "line 3, skus_listed: missing field\n"
        "line 3, skus_sold: missing field\n"
        "line 4: the row has 15 fields; expected 14\n"
    )
    assert sessions() == []


def test_partial_writes_the_valid_rows_and_exits_cleanly(tmp_path, world):
    bad = GOOD.replace("S-1", "S-3").replace("M-1", "M-404")
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n{bad}\n{GOOD2}\n")

    out, err = run(path, "--partial")

    assert out.endswith("received 3, created 2, updated 0, unchanged 0, rejected 1\n")
    assert err == "line 3, merchant: unknown merchant 'M-404'\n"
    assert [s[0] for s in sessions()] == ["S-1", "S-2"]
    assert IngestBatch.objects.get().partial is True


def test_a_byte_order_mark_and_crlf_line_ends_are_read(tmp_path, world):
    path = write(tmp_path, b"\xef\xbb\xbf" + f"{HEADER}\r\n{GOOD}\r\n{GOOD2}\r\n".encode())

    out, _ = run(path)

    assert "created 2" in out
    assert LiveSession.objects.get(external_id="S-2").skus_sold == 5


def test_quoted_fields_and_a_missing_final_newline_are_read(tmp_path, world):
    quoted = GOOD.replace("S-1,M-1,OP-1", '"S-1","M-1","OP-1"')
    second = GOOD2.replace("S-2,M-1,,", 'S-2,M-1,"",')
    path = write(tmp_path, f"{HEADER}\n{quoted}\n{second}")  # no newline after the last line

    out, _ = run(path)

    assert out.endswith("received 2, created 2, updated 0, unchanged 0, rejected 0\n")
    assert [(s[0], s[1], s[2]) for s in sessions()] == [("S-1", "M-1", "OP-1"), ("S-2", "M-1", None)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: expected a header line and data rows."),
        (b"\n\n", "The file is empty: expected a header line and data rows."),
        (f"{HEADER}\n".encode(), "The file has a header but no data rows."),
        (
            f"{HEADER.replace(',skus_sold', '')}\n{GOOD}\n".encode(),
            f"The header must be exactly: {HEADER} (missing: skus_sold).",
        ),
        (
            f"{HEADER.replace('merchant', 'shop')}\n{GOOD}\n".encode(),
            f"The header must be exactly: {HEADER} (missing: merchant; unknown: shop).",
        ),
        (
            f"{HEADER.replace('gmv,orders', 'orders,gmv')}\n{GOOD}\n".encode(),
            f"The header must be exactly: {HEADER} (columns are out of order or repeated).",
        ),
        (
            f"{HEADER}\n{GOOD}\n".encode()
            + "S-2,M-1,,2025-04-02T20:00:00+08:00,60,9,5,300,1,0,0,0,5,5 商\n".encode("gbk"),
            "The file is not UTF-8 text (undecodable bytes on line 3).",
        ),
    ],
)
def test_broken_files_are_refused_and_nothing_is_written(tmp_path, world, content, message):
    path = write(tmp_path, content)
    before = state()

    error, err = refused(path)

    assert error.startswith(message)
    assert err == ""  # said once, in the error
    assert state() == before
    batch = IngestBatch.objects.get()
    assert (batch.source, batch.created, batch.errors[0]["reason"][: len(message)]) == ("csv", 0, message)


def test_a_missing_file_is_a_clear_error(tmp_path, db):
    error, _ = refused(tmp_path / "nope.csv")

    assert error == f"Cannot open {tmp_path / 'nope.csv'}: No such file or directory"
    assert IngestBatch.objects.count() == 0


def test_a_100_mb_line_is_refused_without_reading_it_into_memory(tmp_path, world):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.write(f"{HEADER}\n{GOOD}\n".encode())
        f.write(b"S-9,M-1," + b"x" * (100 * 1024 * 1024) + b"\n")
    before = state()

    tracemalloc.start()
    try:
        error, _ = refused(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.startswith(f"Line 3 is longer than {ingest.MAX_LINE_CHARS} bytes.")
    assert peak < 16 * 1024 * 1024
    assert state() == before


def test_provider_resolution_uses_the_shanghai_date_in_files_too(tmp_path, world):
    late = GOOD.replace("2025-04-01T20:00:00+08:00", "2025-05-31T15:30:00Z")
    next_day = GOOD2.replace("S-2,M-1,,", "S-2,M-1,OP-1,").replace("2025-04-02T20:00:00+08:00", "2025-05-31T16:00:00Z")
    path = write(tmp_path, f"{HEADER}\n{late}\n{next_day}\n")

    out, err = run(path, "--partial")

    assert "created 1" in out
    assert err.startswith("line 3, operator: the employer of operator 'OP-1'")
    assert LiveSession.objects.get().provider == world["provider"]
    assert LiveSession.objects.get().started_at == dt.datetime(2025, 5, 31, 15, 30, tzinfo=dt.UTC)
