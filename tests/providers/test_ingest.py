"""Live-session ingest through the API: reports, all-or-nothing, partial, idempotency, provider resolution, access."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from providers import ingest
from providers.models import IngestBatch, LiveSession
from tests import factories

URL = "/api/v1/live-sessions/"
VALUES = (
    "external_id",
    "merchant__platform_account_id",
    "operator__platform_user_id",
    "provider_id",
    "batch_id",
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


@pytest.fixture
def world(db, provider, other_provider):
    return make_world(provider, other_provider)


def make_world(provider, other_provider):
    """Merchant M-1 served by `provider` from 2025-03-01 to 2025-06-30; operator OP-1 works for
    `provider` from 2025-03-01 to 2025-05-31, then for `other_provider` (which does not serve M-1)."""
    merchant = factories.MerchantFactory(platform_account_id="M-1")
    operator = factories.OperatorFactory(platform_user_id="OP-1")
    factories.EmploymentFactory(
        operator=operator, provider=provider, start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 5, 31)
    )
    factories.EmploymentFactory(operator=operator, provider=other_provider, start_date=dt.date(2025, 6, 1))
    factories.EngagementFactory(
        provider=provider, merchant=merchant, start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 6, 30)
    )
    return {"merchant": merchant, "operator": operator, "provider": provider, "other": other_provider}


def row(**overrides):
    base = {
        "external_id": "S-1",
        "merchant": "M-1",
        "operator": "OP-1",
        "started_at": "2025-04-01T20:00:00+08:00",
        "duration_minutes": 120,
        "gmv": "10000.50",
        "orders": 100,
        "viewers": 5000,
        "new_followers": 50,
        "refund_amount": "500.00",
        "paid_spend": "1000.00",
        "paid_gmv": "3000.00",
        "skus_listed": 20,
        "skus_sold": 10,
    }
    base.update(overrides)
    return base


def post(client, rows, query=""):
    return client.post(URL + query, data=json.dumps(rows), content_type="application/json")


def sessions():
    return list(LiveSession.objects.order_by("external_id").values_list(*VALUES))


def state():
    """Everything an ingest may change: the rows with all their values, and the audit events."""
    return sessions(), LiveSession.pgh_event_model.objects.count()


@pytest.fixture
def pipeline(pipeline_user, client_for):
    return client_for(pipeline_user)


@pytest.fixture
def existing(world):
    """One session already stored, so that "unchanged" is checked against real data."""
    return factories.LiveSessionFactory(
        external_id="OLD-1", merchant=world["merchant"], started_at=dt.datetime(2025, 4, 2, 12, tzinfo=dt.UTC)
    )


def test_ingest_creates_rows_and_reports(pipeline, pipeline_user, world):
    response = post(pipeline, [row(), row(external_id="S-2", operator=None, gmv=19.99)])

    assert response.status_code == 200
    batch = IngestBatch.objects.get()
    assert response.json() == {
        "batch": batch.pk,
        "received": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
        "error_count": 0,
        "errors_truncated": False,
    }
    assert sessions() == [
        (
            "S-1",
            "M-1",
            "OP-1",
            world["provider"].pk,
            batch.pk,
            dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC),
            120,
            Decimal("10000.50"),
            100,
            5000,
            50,
            Decimal("500.00"),
            Decimal("1000.00"),
            Decimal("3000.00"),
            20,
            10,
        ),
        (
            "S-2",
            "M-1",
            None,
            None,
            batch.pk,
            dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC),
            120,
            Decimal("19.99"),  # a JSON float keeps its exact decimal text
            100,
            5000,
            50,
            Decimal("500.00"),
            Decimal("1000.00"),
            Decimal("3000.00"),
            20,
            10,
        ),
    ]
    assert (batch.source, batch.filename, batch.submitted_by, batch.partial) == ("api", "", pipeline_user, False)
    assert (batch.received, batch.created, batch.updated, batch.unchanged, batch.rejected, batch.errors) == (
        2,
        2,
        0,
        0,
        0,
        [],
    )
    assert LiveSession.pgh_event_model.objects.count() == 0  # inserts are audited through their batch


def test_sending_the_same_batch_twice_changes_nothing(pipeline, world, existing):
    rows = [row(), row(external_id="S-2", operator="")]
    first = post(pipeline, rows)
    assert first.json()["created"] == 2
    before = state()

    second = post(pipeline, rows)

    assert second.status_code == 200
    body = second.json()
    assert (body["received"], body["created"], body["updated"], body["unchanged"], body["rejected"]) == (2, 0, 0, 2, 0)
    assert state() == before  # same values, same batch ids, no new audit event
    assert IngestBatch.objects.get(pk=body["batch"]).unchanged == 2


def test_a_changed_row_is_updated_and_audited(pipeline, world, existing):
    post(pipeline, [row(), row(external_id="S-2")])
    events = LiveSession.pgh_event_model.objects.count()

    response = post(pipeline, [row(gmv="12.34"), row(external_id="S-2")])

    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 1, 1)
    changed = LiveSession.objects.get(external_id="S-1")
    assert changed.gmv == Decimal("12.34")
    assert changed.batch_id == body["batch"]
    assert LiveSession.objects.get(external_id="S-2").batch_id != body["batch"]
    assert LiveSession.pgh_event_model.objects.count() == events + 1
    event = LiveSession.pgh_event_model.objects.latest("pgh_id")
    assert (event.pgh_label, event.external_id, event.gmv) == ("update", "S-1", Decimal("12.34"))


def test_rows_are_written_in_byte_order_of_external_id(pipeline, world):
    """One order for every batch, so concurrent batches lock rows in the same order and cannot deadlock."""
    response = post(pipeline, [row(external_id=e, operator="") for e in ("S-b", "S-10", "S-B", "S-a", "S-9")])

    assert response.json()["created"] == 5
    assert list(LiveSession.objects.order_by("id").values_list("external_id", flat=True)) == [
        "S-10",
        "S-9",
        "S-B",
        "S-a",
        "S-b",
    ]


def test_a_row_stored_meanwhile_by_another_batch_is_upserted_not_refused(pipeline, world, monkeypatch):
    post(pipeline, [row(), row(external_id="S-2")])
    # As if S-1 and S-2 had been stored by a concurrent batch after this one looked them up.
    monkeypatch.setattr(
        ingest,
        "_KNOWN_SQL",
        "CREATE TEMP TABLE ingest_known ON COMMIT DROP AS SELECT row_no, true AS changed FROM ingest_typed LIMIT 0",
    )
    events = LiveSession.pgh_event_model.objects.count()

    response = post(pipeline, [row(gmv="1.00"), row(external_id="S-2"), row(external_id="S-3")])

    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 1)
    assert [(s[0], s[7]) for s in sessions()] == [
        ("S-1", Decimal("1.00")),
        ("S-2", Decimal("10000.50")),
        ("S-3", Decimal("10000.50")),
    ]
    assert LiveSession.pgh_event_model.objects.count() == events + 1


def _drop(key):
    data = row()
    del data[key]
    return data


BAD_ROWS = [
    (row(gmv="-0.01"), "gmv", "must not be negative"),
    (row(refund_amount=-5), "refund_amount", "must not be negative"),
    (row(orders=-1), "orders", "must not be negative"),
    (row(viewers="-3"), "viewers", "must not be negative"),
    (row(skus_listed=3, skus_sold=4), "skus_sold", "skus_sold (4) is greater than skus_listed (3)"),
    (row(merchant="M-404"), "merchant", "unknown merchant 'M-404'"),
    (row(operator="OP-404"), "operator", "unknown operator 'OP-404'"),
    (
        row(started_at="2025-02-28T23:59:59+08:00"),
        "operator",
        "operator 'OP-1' is not employed by any provider on 2025-02-28 (Asia/Shanghai)",
    ),
    (
        row(started_at="2025-06-01T00:00:00+08:00"),
        "operator",
        "the employer of operator 'OP-1' (provider {other}) has no engagement with merchant 'M-1' on 2025-06-01 "
        "(Asia/Shanghai)",
    ),
    (row(gmv="12,5"), "gmv", "not a decimal number"),
    (row(gmv="1.005"), "gmv", "more than 2 decimal places"),
    (row(paid_gmv="NaN"), "paid_gmv", "not a decimal number"),
    (row(orders="12.5"), "orders", "not a whole number"),
    (row(orders="ten"), "orders", "not a whole number"),
    (row(orders="12.0"), "orders", "not a whole number"),
    (row(orders=12.0), "orders", "not a whole number"),
    (row(viewers="1e3"), "viewers", "not a whole number"),
    (row(skus_listed=" 12.00 "), "skus_listed", "not a whole number"),
    (row(merchant="M-\x001"), "merchant", "contains a NUL character"),
    (row(gmv="1\x00"), "gmv", "contains a NUL character"),
    (row(viewers=2**40), "viewers", "too large"),
    (row(started_at="2025-04-01 20:00:00"), "started_at", "not an ISO 8601 date-time with a UTC offset"),
    (row(started_at="yesterday"), "started_at", "not an ISO 8601 date-time with a UTC offset"),
    (row(started_at="2025-04-01T20:00:00+16:00"), "started_at", "not an ISO 8601 date-time with a UTC offset"),
    (row(started_at="2025-04-01T24:00:00+08:00"), "started_at", "not an ISO 8601 date-time with a UTC offset"),
    (row(started_at="2025-04-01T20:00:00.1234567+08:00"), "started_at", "not an ISO 8601 date-time with a UTC offset"),
    (row(gmv="1e400000"), "gmv", "not a decimal number"),
    (row(started_at="2025-02-30T10:00:00+08:00"), "started_at", "no such date"),
    (row(started_at=None), "started_at", "this field is required"),
    (row(gmv=""), "gmv", "this field is required"),
    (row(external_id=""), "external_id", "this field is required"),
    (row(external_id="x" * 65), "external_id", "longer than 64 characters"),
    (row(gmv=True), "gmv", "must be a string or a number"),
    (_drop("paid_spend"), "paid_spend", "missing field"),
    (_drop("operator"), "operator", "missing field"),
    ({**row(), "shop": "x"}, "shop", "unknown field"),
]


@pytest.mark.parametrize(("bad", "field", "reason"), BAD_ROWS)
def test_a_bad_row_refuses_the_whole_batch(pipeline, world, existing, bad, field, reason):
    before = state()

    response = post(pipeline, [row(external_id="S-GOOD"), bad])

    assert response.status_code == 400
    body = response.json()
    expected_reason = reason.format(other=world["other"].pk)
    assert body["code"] == "invalid_rows"
    assert body["message"] == (
        "1 of 2 rows are invalid; nothing was written (send ?partial=true to write the valid rows)."
    )
    assert {"row": 2, "field": field, "reason": expected_reason} in body["errors"]
    assert all(error["row"] == 2 for error in body["errors"])
    assert (body["received"], body["created"], body["updated"], body["unchanged"], body["rejected"]) == (2, 0, 0, 0, 1)
    assert state() == before
    batch = IngestBatch.objects.get(pk=body["batch"])
    assert (batch.received, batch.created, batch.rejected) == (2, 0, 1)
    assert batch.errors == body["errors"]


def test_every_error_of_a_row_is_reported_in_field_order(pipeline, world):
    response = post(pipeline, [row(gmv="-1", orders="x", merchant="M-404", skus_sold=99)])

    assert response.json()["errors"] == [
        {"row": 1, "field": "merchant", "reason": "unknown merchant 'M-404'"},
        {"row": 1, "field": "gmv", "reason": "must not be negative"},
        {"row": 1, "field": "orders", "reason": "not a whole number"},
        {"row": 1, "field": "skus_sold", "reason": "skus_sold (99) is greater than skus_listed (20)"},
    ]


def test_a_repeated_external_id_refuses_both_rows(pipeline, world, existing):
    before = state()

    response = post(pipeline, [row(), row(external_id="S-2"), row(gmv="1.00")])

    assert response.status_code == 400
    reason = "external_id 'S-1' appears 2 times in this batch (first at row 1, last at row 3)"
    assert response.json()["errors"] == [
        {"row": 1, "field": "external_id", "reason": reason},
        {"row": 3, "field": "external_id", "reason": reason},
    ]
    assert response.json()["rejected"] == 2
    assert state() == before


def test_a_row_that_is_not_an_object_is_reported(pipeline, world):
    response = post(pipeline, [row(), ["S-2"]])

    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 2, "field": None, "reason": "each row must be a JSON object"}]
    assert sessions() == []


def test_partial_writes_exactly_the_valid_rows(pipeline, world, existing):
    old = sessions()

    response = post(
        pipeline, [row(), row(external_id="S-2", gmv="-1"), row(external_id="S-3", operator=None)], "?partial=true"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["received"], body["created"], body["updated"], body["unchanged"], body["rejected"]) == (3, 2, 0, 0, 1)
    assert body["errors"] == [{"row": 2, "field": "gmv", "reason": "must not be negative"}]
    assert [s[0] for s in sessions()] == ["OLD-1", "S-1", "S-3"]
    assert sessions()[0] == old[0]
    batch = IngestBatch.objects.get(pk=body["batch"])
    assert (batch.partial, batch.created, batch.rejected, batch.errors) == (True, 2, 1, body["errors"])


def test_partial_with_only_bad_rows_writes_nothing(pipeline, world, existing):
    before = state()

    response = post(pipeline, [row(merchant="nope")], "?partial=true")

    assert response.status_code == 200
    assert (response.json()["created"], response.json()["rejected"]) == (0, 1)
    assert state() == before


def test_the_report_lists_at_most_a_thousand_errors_but_counts_all(pipeline, world, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_REPORTED_ERRORS", 3)

    response = post(pipeline, [row(external_id=f"S-{i}", gmv="-1", orders=-1) for i in range(1, 4)])

    body = response.json()
    assert (body["rejected"], body["error_count"], body["errors_truncated"]) == (3, 6, True)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(1, "gmv"), (1, "orders"), (2, "gmv")]


@pytest.mark.parametrize(
    ("started_at", "provider_key", "reason"),
    [
        # 23:30 in Shanghai is 15:30 UTC the same day: still 2025-05-31, the last day of the employment.
        ("2025-05-31T23:30:00+08:00", "provider", None),
        ("2025-05-31T15:30:00Z", "provider", None),
        # Half an hour later it is 2025-06-01 in Shanghai: the operator works for the other provider.
        ("2025-05-31T16:00:00Z", None, "the employer of operator 'OP-1' (provider {other}) has no engagement"),
        # First day of employment and engagement (both inclusive), just after midnight Shanghai.
        ("2025-02-28T16:30:00Z", "provider", None),
        ("2025-02-28T15:59:59Z", None, "operator 'OP-1' is not employed by any provider on 2025-02-28"),
        ("2025-03-01T00:00:00+08:00", "provider", None),
    ],
)
def test_provider_resolution_on_shanghai_dates(pipeline, world, started_at, provider_key, reason):
    response = post(pipeline, [row(started_at=started_at)])

    if provider_key:
        assert response.status_code == 200
        assert LiveSession.objects.get().provider == world[provider_key]
    else:
        assert response.status_code == 400
        (error,) = response.json()["errors"]
        assert error["field"] == "operator"
        assert error["reason"].startswith(reason.format(other=world["other"].pk))
        assert sessions() == []


def test_engagement_end_is_inclusive_and_open_ends_are_open(pipeline, world):
    other_merchant = factories.MerchantFactory(platform_account_id="M-2")
    factories.EngagementFactory(provider=world["other"], merchant=other_merchant, start_date=dt.date(2025, 6, 1))
    rows = [
        row(external_id="A", started_at="2025-06-30T23:59:00+08:00"),  # last day of the M-1 engagement
        row(external_id="B", started_at="2030-01-01T12:00:00+08:00", merchant="M-2"),  # open employment + engagement
    ]

    response = post(pipeline, rows)

    assert response.status_code == 400  # A: on 2025-06-30 OP-1 works for the other provider, not M-1's
    assert [e["row"] for e in response.json()["errors"]] == [1]
    response = post(pipeline, [rows[1]])
    assert response.status_code == 200
    assert LiveSession.objects.get().provider == world["other"]


def test_provider_is_resolved_again_when_a_row_is_resent_after_a_fix(pipeline, world):
    post(pipeline, [row(operator=None)])
    response = post(pipeline, [row()])

    assert (response.json()["updated"], LiveSession.objects.get().provider) == (1, world["provider"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "parse_error"),
        ("[" * 100_000 + "]" * 100_000, "parse_error"),
        ('{"external_id": "S-1"}', "invalid_body"),
        ("[]", "empty_batch"),
    ],
)
def test_malformed_bodies_are_refused(pipeline, world, existing, body, code):
    before = state()

    response = pipeline.post(URL, data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert state() == before
    batch = IngestBatch.objects.get(pk=response.json()["batch"])
    assert (batch.created, batch.errors[0]["reason"]) == (0, response.json()["message"])


def test_a_session_that_used_temporary_tables_before_still_ingests(pipeline, world, monkeypatch):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE someone_elses (a int); INSERT INTO someone_elses VALUES (1)")
    monkeypatch.setattr(ingest, "_TEMP_BUFFERS", "9MB")  # PostgreSQL refuses a change now

    response = post(pipeline, [row()])

    assert response.status_code == 200
    assert [s[0] for s in sessions()] == ["S-1"]


def test_a_batch_over_the_cap_is_refused(pipeline, world, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_API_ROWS", 2)

    response = post(pipeline, [row(external_id=f"S-{i}") for i in range(3)])

    assert response.status_code == 400
    assert response.json()["code"] == "batch_too_large"
    assert response.json()["message"] == "The batch has 3 rows; at most 2 are accepted per request."
    assert sessions() == []


def test_a_body_over_the_byte_cap_is_refused_before_parsing(pipeline, world, monkeypatch):
    from providers.api import ingest as api_ingest

    monkeypatch.setattr(api_ingest, "MAX_API_BYTES", 100)

    response = post(pipeline, [row()])

    assert response.status_code == 400
    assert response.json()["code"] == "batch_too_large"
    assert sessions() == []
    assert IngestBatch.objects.get().created == 0


def test_an_unknown_partial_flag_is_refused(pipeline, world):
    response = post(pipeline, [row()], "?partial=maybe")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_parameter")
    assert sessions() == []
    assert IngestBatch.objects.count() == 0


def test_a_nul_character_is_reported_on_its_row(pipeline, world):
    response = post(pipeline, [row(external_id="S-0"), row(external_id="S\u00001"), {**row(), "x\u0000": 1}])

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid_rows")
    assert body["errors"] == [
        {"row": 2, "field": "external_id", "reason": "contains a NUL character"},
        {"row": 3, "field": "x\\0", "reason": "unknown field"},
    ]
    assert sessions() == []


@pytest.mark.parametrize(
    ("persona", "status"),
    [(None, 401), ("provider_user", 403), ("outsider", 403), ("staff", 403), ("auditor", 403)],
)
def test_only_the_pipeline_may_ingest(request, client_for, world, existing, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    before = state()

    response = post(client_for(user), [row()])

    assert response.status_code == status
    assert state() == before
    assert IngestBatch.objects.count() == 0


def test_a_token_authenticated_pipeline_may_ingest(pipeline_user, world):
    from rest_framework.test import APIClient

    from core.tokens import api_token_create

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=pipeline_user)[1]}")

    response = post(client, [row()])

    assert response.status_code == 200
    assert LiveSession.objects.get().batch.submitted_by == pipeline_user
