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
from tests.pages.test_crawl import RAW_CODE, Page


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
    assert html.count('<tr data-code="') == 47  # every dimension of the registry on the board


def _board_row(html, code):
    start = html.index(f'<tr data-code="{code}"')
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    "language, labels",
    [
        ("zh-hans", {"conversion_rate": "观看转化率", "gpm": "千次观看成交", "entries": "累计进房人数"}),
        ("en", {"conversion_rate": "Conversion rate", "gpm": "GPM", "entries": "Entries"}),
    ],
)
def test_the_board_labels_dimensions_in_the_readers_language_with_figures_by_kind(staff, streams, language, labels):
    html = page_client(staff, language).get("/live/ours/").content.decode()
    # minute 2: 6 orders of 300 entries, ¥2,000 of GMV; 0 watch seconds; 0 paid spend (no ROI)
    figures = {"conversion_rate": "2.0%", "gpm": "¥6,666.67", "entries": ">300<"}
    for code, label in labels.items():
        board_row = _board_row(html, code)
        assert label in board_row and figures[code] in board_row, board_row
    assert "0.0 " + ("秒" if language == "zh-hans" else "s") in _board_row(html, "avg_watch_seconds")
    assert "—" in _board_row(html, "paid_roi")
    page = Page()
    page.feed(html)
    assert RAW_CODE.findall(page.text.getvalue()) == []  # no conversion_rate, avg_watch_seconds, … for people
    sources = html[html.index('id="sources"') :]
    assert ("推荐" if language == "zh-hans" else "Feed") in sources[: sources.index("</table>")]


def test_state_json_carries_the_figures_formatted_for_the_reader(staff, streams):
    state = page_client(staff, "zh-hans").get("/live/ours/state.json").json()
    assert state["tiles_text"]["gmv"] == "¥2,000.00" and state["tiles_text"]["conversion_rate"] == "2.0%"
    assert state["tiles_text"]["paid_roi"] == "—" and state["funnel_text"] == ["3,000", "300", "40", "6"]
    assert state["sources_text"][0] == ["推荐流量", "150"]


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


def test_the_wall_of_walls_is_read_once_until_a_batch_changes_it(staff, streams):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from live.push import walls_changed

    client = page_client(staff, "en")
    with CaptureQueriesContext(connection) as first:
        assert "¥2,000.00" in client.get("/console/live/").content.decode()
    ours = streams["ours"]
    figures = dict(entries=400, orders=9, room_impressions=4000, product_clicks=60, entries_feed=200)
    report = snapshots_ingest(
        rows=[row("ours", "shared", ours.started_at, 3, operator="op-ours", gmv=Decimal(5000), **figures)]
    )
    assert report.created == 1
    with CaptureQueriesContext(connection) as second:
        assert "¥5,000.00" not in client.get("/console/live/").content.decode()
    assert len(second) == len(first) - 2  # neither the count nor the page: both from the cache
    walls_changed()  # what an accepted batch does once it commits
    html = client.get("/console/live/").content.decode()
    assert "¥5,000.00" in html and html.index("/live/ours/") < html.index("/live/theirs/")
