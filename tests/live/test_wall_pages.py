"""The wall page and its state.json, the wall of walls, the API reads: DESIGN §10 "who sees it" (404 otherwise)."""

import datetime as dt
from decimal import Decimal

import pytest

from core.dates import SHANGHAI
from live.ingest import snapshots_ingest
from live.models import LiveStream
from tests import factories
from tests.conftest import page_client
from tests.live.helpers import row


@pytest.fixture
def streams(provider, other_provider):
    """A merchant both providers are engaged with; 'ours' operated by our operator, 'theirs' by the other's,
    'plain' without an operator."""
    merchant = factories.MerchantFactory(platform_account_id="shared", name="Shared shop")
    # Started three minutes ago: live now (its last snapshot, minute 2, is a minute old).
    start = dt.datetime.now(SHANGHAI).replace(second=0, microsecond=0) - dt.timedelta(minutes=3)
    for p in (provider, other_provider):
        factories.EngagementFactory(provider=p, merchant=merchant, start_date=start.date() - dt.timedelta(days=10))
    ours = factories.EmploymentFactory(provider=provider, operator__platform_user_id="op-ours").operator
    theirs = factories.EmploymentFactory(provider=other_provider, operator__platform_user_id="op-theirs").operator
    rows = []
    for eid, op in (("ours", ours), ("theirs", theirs), ("plain", None)):
        rows += [
            row(
                eid,
                "shared",
                start,
                k,
                operator=op.platform_user_id if op else None,
                entries=100 * (k + 1),
                orders=3 * k,
                gmv=Decimal(1000 * k),
                room_impressions=1000 * (k + 1),
                product_clicks=20 * k,
                entries_feed=50 * (k + 1),
                online_viewers=40 + k,
            )
            for k in range(3)
        ]
    report = snapshots_ingest(rows=rows)
    assert report.rejected == 0, report.errors
    return {s.external_id: s for s in LiveStream.objects.all()}


def test_staff_see_every_wall_with_the_latest_state(staff, streams):
    response = page_client(staff, "en").get("/live/theirs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "¥2,000.00" in html  # GMV tile at minute 2
    assert 'id="live-minute">2<' in html
    assert "echarts-6.1.0.min.js" in html and "<script>" not in html
    assert html.count("<code>") == 47  # every dimension of the registry on the board


def test_a_provider_user_sees_its_operated_and_unoperated_streams_only(provider_user, outsider, streams):
    mine = page_client(provider_user)
    assert mine.get("/live/ours/").status_code == 200
    assert mine.get("/live/plain/").status_code == 200  # no operator, merchant engaged that day
    # Another provider operated it, though the merchant is shared: 404, as for a stream that does not exist.
    assert mine.get("/live/theirs/").status_code == 404
    assert mine.get("/live/theirs/state.json").status_code == 404
    assert mine.get("/live/nothing/").status_code == 404
    other = page_client(outsider)
    assert other.get("/live/ours/").status_code == 404 and other.get("/live/theirs/").status_code == 200


def test_the_api_reads_follow_the_same_rule(client_for, provider_user, streams):
    api = client_for(provider_user)
    listed = api.get("/api/v1/live-streams/").json()["results"]
    assert sorted(s["external_id"] for s in listed) == ["ours", "plain"]
    assert api.get("/api/v1/live-streams/theirs/").status_code == 404
    assert api.get("/api/v1/live-snapshots/?external_id=theirs").json()["results"] == []
    snaps = api.get("/api/v1/live-snapshots/?external_id=ours").json()["results"]
    assert [s["k"] for s in snaps] == [0, 1, 2] and snaps[2]["gmv"] == "2000.00"


def test_the_registry_is_readable_in_the_api(client_for, provider_user, db):
    body = client_for(provider_user).get("/api/v1/live-dimension-sets/").json()["results"]
    dims = body[0]["dimensions"]
    assert body[0]["version"] == 1 and len(dims) >= 42
    gpm = next(d for d in dims if d["code"] == "gpm")
    assert (gpm["label_zh"], gpm["direction"], gpm["formula"], gpm["group"]) == (
        "千次观看成交",
        "up",
        "gmv × 1000 / entries",
        "conversion",
    )


def test_state_json_and_the_replay(staff, streams):
    client = page_client(staff, "en")
    state = client.get("/live/ours/state.json").json()
    assert state["minute"] == 2 and state["curves"]["gmv"] == [0.0, 1000.0, 2000.0]
    assert state["funnel"] == [["room_impressions", 3000], ["entries", 300], ["product_clicks", 40], ["orders", 6]]
    assert dict(state["sources"])["feed"] == 150 and dict(state["sources"])["unattributed"] == 150
    replay = client.get("/live/ours/?minute=1").content.decode()
    assert 'id="live-minute">1<' in replay and "¥1,000.00" in replay


def test_wall_and_wall_of_walls_query_budgets(staff, streams, django_assert_max_num_queries):
    client = page_client(staff)
    with django_assert_max_num_queries(14):
        assert client.get("/live/ours/").status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get("/console/live/")
    html = response.content.decode()
    # by GMV: all three have ¥2,000.00; then by id
    assert html.index("/live/ours/") < html.index("/live/theirs/") < html.index("/live/plain/")


def test_the_wall_of_walls_is_for_staff(provider_user, streams):
    assert page_client(provider_user).get("/console/live/").status_code == 404
