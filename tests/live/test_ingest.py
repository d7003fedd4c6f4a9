"""POST /api/v1/live-snapshots/ and /api/v1/live-events/: row by row accept/refuse, upsert, replace, bad input."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from live.models import LiveEvent, LiveIngestBatch, LiveSnapshot, LiveStream
from tests import factories
from tests.live.helpers import row, snapshot_state, today_start

URL = "/api/v1/live-snapshots/"
EVENTS = "/api/v1/live-events/"


@pytest.fixture
def merchant(db):
    return factories.MerchantFactory(platform_account_id="m-live")


@pytest.fixture
def start():
    return today_start(days_ago=1, hour=20).replace(second=17)  # a stream may start mid-minute


def post(client, url, body, raw=False):
    data = body if raw else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


def test_pipeline_posts_snapshots_and_they_are_stored(client_for, pipeline_user, merchant, start):
    op = factories.OperatorFactory(platform_user_id="op-live")
    rows = [
        row("s1", "m-live", start, 0, operator="op-live", entries=10, gmv=Decimal("0.00"), online_viewers=8),
        row(
            "s1", "m-live", start, 1, operator="op-live", entries=25, orders=2, gmv=Decimal("199.80"), online_viewers=20
        ),
    ]
    response = post(client_for(pipeline_user), URL, rows)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["received"], body["created"], body["updated"], body["unchanged"], body["rejected"]) == (2, 2, 0, 0, 0)
    stream = LiveStream.objects.get(external_id="s1")
    assert stream.operator == op and stream.merchant == merchant
    assert stream.start_minute == start.replace(second=0)
    assert (stream.last_gmv, stream.last_online, stream.peak_online, stream.snapshot_count) == (
        Decimal("199.80"),
        20,
        20,
        2,
    )
    assert snapshot_state("s1")[1]["gmv"] == Decimal("199.80")
    assert [s.k for s in LiveSnapshot.objects.filter(stream=stream)] == [0, 1]
    batch = LiveIngestBatch.objects.get(pk=body["batch"])
    assert (batch.kind, batch.created, batch.submitted_by) == ("snapshots", 2, pipeline_user)


def test_resending_changes_nothing_and_a_different_body_replaces(client_for, pipeline_user, merchant, start):
    client = client_for(pipeline_user)
    rows = [row("s1", "m-live", start, m, entries=10 * (m + 1), online_viewers=5) for m in range(3)]
    assert post(client, URL, rows).json()["created"] == 3
    again = post(client, URL, rows).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    changed = [row("s1", "m-live", start, 1, entries=15, online_viewers=50)]
    body = post(client, URL, changed).json()
    assert (body["created"], body["updated"], body["rejected"]) == (0, 1, 0)
    state = snapshot_state("s1")
    assert (state[1]["entries"], state[1]["online_viewers"]) == (15, 50)
    assert LiveStream.objects.get(external_id="s1").peak_online == 50


def test_a_counter_below_the_earlier_snapshot_is_refused_and_nothing_changes(
    client_for, pipeline_user, merchant, start
):
    client = client_for(pipeline_user)
    post(
        client,
        URL,
        [
            row("s1", "m-live", start, 0, entries=10, gmv=Decimal("100.00")),
            row("s1", "m-live", start, 5, entries=50, gmv=Decimal("300.00")),
        ],
    )
    before = snapshot_state("s1")
    bad = [
        row("s1", "m-live", start, 6, entries=49, gmv=Decimal("400.00")),  # entries fell
        row("s1", "m-live", start, 3, entries=20, gmv=Decimal("350.00")),  # gmv above the later snapshot's
        row("s1", "m-live", start, 7, entries=60, gmv=Decimal("400.00")),  # fine
    ]
    response = post(client, URL, bad)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["rejected"]) == (1, 2)
    errors = {(e["row"], e["field"], e["code"]) for e in body["errors"]}
    assert errors == {(1, "entries", "below_earlier"), (2, "gmv", "above_later")}
    assert "49" in body["errors"][0]["reason"] and "50" in body["errors"][0]["reason"]
    after = snapshot_state("s1")
    assert {k: v for k, v in after.items() if k != 7} == before
    assert after[7]["entries"] == 60


def test_rows_of_one_batch_are_checked_in_order_against_each_other(client_for, pipeline_user, merchant, start):
    rows = [
        row("s1", "m-live", start, 0, entries=10),
        row("s1", "m-live", start, 1, entries=30),
        row("s1", "m-live", start, 2, entries=20),  # below the batch's row 2, accepted before it
    ]
    body = post(client_for(pipeline_user), URL, rows).json()
    assert (body["created"], body["rejected"]) == (2, 1)
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["field"] == "entries"
    assert sorted(snapshot_state("s1")) == [0, 1]


def test_a_replacement_is_checked_against_its_neighbours(client_for, pipeline_user, merchant, start):
    client = client_for(pipeline_user)
    post(client, URL, [row("s1", "m-live", start, m, entries=10 * m) for m in range(3)])
    body = post(client, URL, [row("s1", "m-live", start, 1, entries=25)]).json()
    assert (body["rejected"], body["errors"][0]["code"]) == (1, "above_later")
    assert snapshot_state("s1")[1]["entries"] == 10


def test_each_bad_row_is_refused_with_row_field_and_reason(client_for, pipeline_user, merchant, start):
    op = factories.OperatorFactory(platform_user_id="op-1")
    good = row("s1", "m-live", start, 0, operator=op.platform_user_id, entries=10)
    not_minute = dict(
        row("s1", "m-live", start, 1, operator="op-1"),
        at=(start.replace(second=0) + dt.timedelta(minutes=1, seconds=30)).isoformat(),
    )
    rows = [
        good,
        not_minute,
        row("s2", "m-unknown", start, 0),
        row("s1", "m-live", start, 2, operator="op-1", entries=10, entries_feed=6, entries_paid=5),
        row("s1", "m-live", start, 3, operator="op-1", gmv="-1.00"),
        row("s1", "m-live", start, 4, operator="op-1", entries="12.0"),
        row("s1", "m-live", start, 5, operator="op-nobody"),
        dict(row("s1", "m-live", start, 6, operator="op-1"), at="2026-12-01T10:00:00"),
        dict(row("s1", "m-live", start, 7, operator="op-1"), extra=1),
        "not an object",
        dict(row("s1", "m-live", start, 8, operator="op-1"), gmv="1.005"),
    ]
    response = post(client_for(pipeline_user), URL, rows)
    body = response.json()
    assert response.status_code == 200
    assert (body["received"], body["created"], body["rejected"]) == (11, 1, 10)
    got = {(e["row"], e["field"], e["code"]) for e in body["errors"]}
    assert got == {
        (2, "at", "not_whole_minute"),
        (3, "merchant", "unknown_merchant"),
        (4, "entries", "sources_above_entries"),
        (5, "gmv", "negative_money"),
        (6, "entries", "not_count"),
        (7, "operator", "unknown_operator"),
        (8, "at", "naive_datetime"),
        (9, "extra", "unknown_field"),
        (10, None, "not_object"),
        (11, "gmv", "not_money"),
    }
    assert all(e["reason"] for e in body["errors"])
    assert not LiveStream.objects.filter(external_id="s2").exists()
    assert list(snapshot_state("s1")) == [0]


def test_a_stream_keeps_its_merchant_and_start(client_for, pipeline_user, merchant, start):
    factories.MerchantFactory(platform_account_id="m-other")
    client = client_for(pipeline_user)
    post(client, URL, [row("s1", "m-live", start, 0)])
    body = post(
        client, URL, [row("s1", "m-other", start, 1), row("s1", "m-live", start + dt.timedelta(minutes=1), 1)]
    ).json()
    assert body["rejected"] == 2
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(1, "merchant"), (2, "started_at")}
    assert list(snapshot_state("s1")) == [0]


def test_every_row_refused_answers_400(client_for, pipeline_user, merchant, start):
    response = post(client_for(pipeline_user), URL, [row("s9", "m-nobody", start, 0)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "merchant"
    assert not LiveStream.objects.exists()


@pytest.mark.parametrize(
    "body, code",
    [
        ('[{"external_id": "s1",', "parse_error"),
        ('{"external_id": "s1"}', "invalid_body"),
        ("[]", "empty_batch"),
    ],
)
def test_unreadable_bodies_are_refused_whole(client_for, pipeline_user, merchant, start, body, code):
    client = client_for(pipeline_user)
    post(client, URL, [row("s1", "m-live", start, 0, entries=3)])
    before = snapshot_state("s1")
    response = post(client, URL, body, raw=True)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["errors"][0]["reason"]
    assert snapshot_state("s1") == before
    assert LiveIngestBatch.objects.order_by("-id").first().errors[0]["code"] == code


def test_a_body_of_100000_rows_is_refused_whole(client_for, pipeline_user, merchant, start):
    client = client_for(pipeline_user)
    post(client, URL, [row("s1", "m-live", start, 0, entries=3)])
    before = snapshot_state("s1")
    # 100,000 full rows are ~70 MB: refused by size before parsing; 100,000 small rows by their count.
    full = [row("s1", "m-live", start, m % 600, entries=m) for m in range(100_000)]
    small = [{"external_id": "s1"}] * 100_000
    for rows, received in ((full, 0), (small, 100_000)):
        response = post(client, URL, rows)
        assert response.status_code == 400
        body = response.json()
        assert (body["code"], body["received"], body["created"]) == ("batch_too_large", received, 0)
        assert "10000" in body["message"]
    assert snapshot_state("s1") == before
    assert LiveStream.objects.count() == 1


def test_only_the_pipeline_and_no_provider_user_may_post(client_for, provider_user, auditor, merchant, start):
    for user, code in ((provider_user, 403), (auditor, 403), (None, 401)):
        assert post(client_for(user), URL, [row("s1", "m-live", start, 0)]).status_code == code
    assert not LiveStream.objects.exists()


def test_events_are_added_once_and_bad_ones_refused(client_for, pipeline_user, merchant, start):
    client = client_for(pipeline_user)
    post(client, URL, [row("s1", "m-live", start, 0)])
    at = (start + dt.timedelta(minutes=3)).isoformat()
    events = [
        {"external_id": "s1", "at": at, "kind": "coupon", "label": "满200减20"},
        {"external_id": "s1", "at": at, "kind": "fireworks", "label": "x"},
        {"external_id": "nope", "at": at, "kind": "note", "label": "x"},
    ]
    body = post(client, EVENTS, events).json()
    assert (body["created"], body["rejected"]) == (1, 2)
    assert {(e["row"], e["field"], e["code"]) for e in body["errors"]} == {
        (2, "kind", "bad_kind"),
        (3, "external_id", "unknown_stream"),
    }
    again = post(client, EVENTS, events[:1]).json()
    assert (again["created"], again["unchanged"]) == (0, 1)
    assert list(LiveEvent.objects.values_list("kind", "label")) == [("coupon", "满200减20")]


def test_a_batch_of_several_streams_is_checked_row_by_row_within_each(client_for, pipeline_user, merchant, start):
    """Rows of one stream in one batch see the rows accepted before them (a replacement included), never those of
    another stream, and rows sent twice count as accepted each time."""
    client = client_for(pipeline_user)
    post(client, URL, [row("s1", "m-live", start, 0, entries=10), row("s1", "m-live", start, 10, entries=100)])
    rows = [
        row("s1", "m-live", start, 5, entries=50),
        row("s2", "m-live", start, 0, entries=5),
        row("s1", "m-live", start, 5, entries=60),  # replaces row 1 (between 10 and 100 still)
        row("s1", "m-live", start, 7, entries=55),  # below row 3's 60, accepted before it
        row("s1", "m-live", start, 3, entries=70),  # above row 3's 60
        row("s2", "m-live", start, 1, entries=4),  # below s2's row 2
        row("s1", "m-live", start, 10, entries=100),  # as stored
    ]
    body = post(client, URL, rows).json()
    assert (body["received"], body["created"], body["updated"], body["unchanged"], body["rejected"]) == (7, 2, 0, 2, 3)
    minute5 = (start.replace(second=0) + dt.timedelta(minutes=5)).isoformat()
    assert [(e["row"], e["field"], e["code"], e["params"]) for e in body["errors"]] == [
        (4, "entries", "below_earlier", {"value": "55", "earlier": "60", "at": minute5}),
        (5, "entries", "above_later", {"value": "70", "later": "60", "at": minute5}),
        (6, "entries", "below_earlier", {"value": "4", "earlier": "5", "at": start.replace(second=0).isoformat()}),
    ]
    assert {k: v["entries"] for k, v in snapshot_state("s1").items()} == {0: 10, 5: 60, 10: 100}
    assert {k: v["entries"] for k, v in snapshot_state("s2").items()} == {0: 5}


def test_field_errors_come_in_each_rows_order_with_their_parameters(client_for, pipeline_user, merchant, start):
    rows = [
        row("s1", "m-live", start, 0, entries="007", gmv=" 12.50 ", comments=True, refund_amount="-0.5"),
        row("s1", "m-live", start, 1, gmv="-abc", entries=10, entries_feed=6, entries_paid=5),
        dict(row("s1", "m-live", start, 2), at="2000-01-01T10:00:00+08:00"),
        dict(row("s1", "m-live", start, 3), external_id="x" * 65, paid_gmv=[1]),
    ]
    body = post(client_for(pipeline_user), URL, rows).json()
    assert body["rejected"] == 4
    assert [(e["row"], e["field"], e["code"], e.get("params")) for e in body["errors"]] == [
        (1, "comments", "not_count", None),
        (1, "refund_amount", "negative_money", None),
        (2, "gmv", "not_money", None),
        (2, "entries", "sources_above_entries", {"sources": "11", "entries": "10"}),
        (3, "at", "expired", {"days": "180"}),
        (4, "external_id", "not_text", {"max": "64"}),
        (4, "paid_gmv", "not_money", None),
    ]
    assert not LiveStream.objects.exists()
    fine = post(client_for(pipeline_user), URL, [row("s1", "m-live", start, 0, entries="007", gmv=" 12.50 ")]).json()
    assert fine["created"] == 1 and snapshot_state("s1")[0]["entries"] == 7
    assert snapshot_state("s1")[0]["gmv"] == Decimal("12.50")


def test_a_refused_row_is_not_the_earlier_snapshot_of_the_rows_after_it(client_for, pipeline_user, merchant, start):
    """The rows after a refused one are checked against the stream as it stands: the row accepted before the
    refused one is their earlier snapshot, never the refused row itself."""
    rows = [
        row("s1", "m-live", start, 0, entries=10, gmv=Decimal("100.00")),
        row("s1", "m-live", start, 1, entries=50, gmv=Decimal("90.00")),  # gmv fell: refused
        row("s1", "m-live", start, 2, entries=30, gmv=Decimal("120.00")),  # above minute 0's 10, below row 2's 50
        row("s1", "m-live", start, 3, entries=5, gmv=Decimal("130.00")),  # below minute 2's 30
        row("s1", "m-live", start, 4, entries=35, gmv=Decimal("125.00")),  # fine after minute 2 (not after row 4)
        row("s2", "m-live", start, 0, entries=1),
        row("s2", "m-live", start, 1, entries=2),
    ]
    body = post(client_for(pipeline_user), URL, rows).json()
    assert (body["created"], body["rejected"]) == (5, 2)
    minute = [(start.replace(second=0) + dt.timedelta(minutes=m)).isoformat() for m in range(3)]
    assert [(e["row"], e["field"], e["code"], e["params"]) for e in body["errors"]] == [
        (2, "gmv", "below_earlier", {"value": "90.00", "earlier": "100.00", "at": minute[0]}),
        (4, "entries", "below_earlier", {"value": "5", "earlier": "30", "at": minute[2]}),
    ]
    assert {k: v["entries"] for k, v in snapshot_state("s1").items()} == {0: 10, 2: 30, 4: 35}
    assert {k: v["entries"] for k, v in snapshot_state("s2").items()} == {0: 1, 1: 2}


def test_a_batch_updates_its_streams_last_figures_in_place(client_for, pipeline_user, merchant, start):
    """The wall of walls' row of a stream changes with every batch; no indexed column changes with it, so
    PostgreSQL keeps each new version on its page (a HOT update, no new index entries; a few streams, whose
    versions all fit the page while the test's one transaction keeps them)."""
    from django.db import connection

    client = client_for(pipeline_user)
    for minute in range(3):
        body = post(client, URL, [row(f"s{i}", "m-live", start, minute, entries=minute) for i in range(5)]).json()
        assert body["created"] == 5
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'live_livestream'"
        )
        updated, in_place = cursor.fetchone()
    assert updated >= 15 and in_place == updated
    assert LiveStream.objects.get(external_id="s3").snapshot_count == 3
