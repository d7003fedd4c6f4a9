"""The portal as a provider's staff read it: figures in their units, what the percentile means, progress toward the
next tier, the inbox with unread counts (only the provider's own), merchants it no longer serves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import Notification
from scoring.models import MetricScore, ProviderScore
from tests import factories
from tests.conftest import page_client

pytestmark = pytest.mark.django_db


def test_dashboard_shows_figures_in_their_units_and_explains_the_percentile(provider_user, provider, scored):
    latest = ProviderScore.objects.filter(provider=provider).latest("cycle__window_start")
    MetricScore.objects.filter(provider_score=latest, key="leap_rate").update(raw_value=Decimal("0.1429"))
    MetricScore.objects.filter(provider_score=latest, key="gmv_uplift").update(raw_value=Decimal("1.8631"))
    MetricScore.objects.filter(provider_score=latest, key="violation_points").update(raw_value=Decimal("0E-10"))
    body = page_client(provider_user).get("/portal/").content.decode()
    assert '<td class="num" data-label="数值">14.3%</td>' in body
    assert '<td class="num" data-label="数值">186.3%</td>' in body
    assert '<td class="num" data-label="数值">0</td>' in body
    assert "E-10" not in body and "E+" not in body and "0.1429" not in body
    assert "你的总分高于同组（MCN 机构）其他已排名服务商中的 100.0%（共 5 家排名；你排第 1，第 1 为最好）。" in body
    english = page_client(provider_user, "en").get("/portal/").content.decode()
    assert "You scored higher than 100.0% of the other ranked providers in the MCN agency cohort" in english


def test_dashboard_shows_progress_toward_the_next_tiers_bars(provider_user, provider, scored):
    provider.tier = "L3"
    provider.save(update_fields=["tier"])
    body = page_client(provider_user, "en").get("/portal/").content.decode()
    bars = body.split('<div id="tier-bars">')[1].split("</div>\n  </div>")[0]
    assert bars.count("<progress") == 6  # L4: the overall bar and each of the five capabilities
    assert "/ 75.0" in bars and "/ 50.0" in bars and "✓ met" in bars


def test_inbox_lists_cycle_results_with_unread_counts_and_marks_them_read(provider_user, provider, other_provider):
    params = {"kind": "monthly", "start": "2026-11-01", "last": "2026-11-30", "current": "L1", "proposed": "L2"}
    own = [Notification.objects.create(provider=provider, kind="promote", text="x", params=params) for _ in "ab"]
    foreign = Notification.objects.create(provider=other_provider, kind="promote", text="y", params=params)
    client = page_client(provider_user)
    dashboard = client.get("/portal/").content.decode()
    assert '<span class="count" aria-label="2 条未读">2</span>' in dashboard
    body = client.get("/portal/inbox/").content.decode()
    assert body.count("强赛马 月度 2026-11-01 – 2026-11-30：由 L1 晋级至 L2。") == 2
    assert f'id="notification-{foreign.pk}"' not in body and 'id="unread-count">2 条未读' in body
    # Marking another provider's notification read changes nothing; its own one by one, then all.
    client.post("/portal/inbox/", {"id": foreign.pk})
    foreign.refresh_from_db()
    assert foreign.read is False
    client.post("/portal/inbox/", {"id": "nope"})
    assert Notification.objects.filter(provider=provider, read=False).count() == 2
    client.post("/portal/inbox/", {"id": own[0].pk})
    assert list(Notification.objects.filter(provider=provider, read=False)) == [own[1]]
    response = client.post("/portal/inbox/", follow=True)
    assert "已标为已读：1 条。" in response.content.decode()
    assert not Notification.objects.filter(provider=provider, read=False).exists()
    assert 'class="count"' not in client.get("/portal/").content.decode()
    assert page_client(None).get("/portal/inbox/").status_code == 302


def test_inbox_reads_in_fixed_queries(provider_user, provider):
    client = page_client(provider_user)

    def queries():
        client.get("/portal/inbox/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/portal/inbox/")
        return len(ctx.captured_queries)

    Notification.objects.create(provider=provider, kind="warn", text="x", params={})
    small = queries()
    for _ in range(20):
        Notification.objects.create(provider=provider, kind="warn", text="x", params={})
    assert queries() == small


def test_merchants_no_longer_served_are_listed_without_a_dead_link(provider_user, provider):
    served = factories.EngagementFactory(provider=provider, merchant__name="Now Shop").merchant
    past = factories.EngagementFactory(
        provider=provider,
        merchant__name="Old Shop",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 2, 1),
    ).merchant
    body = page_client(provider_user).get("/portal/").content.decode()
    assert f'href="/portal/merchants/{served.pk}/"' in body
    assert f'href="/portal/merchants/{past.pk}/"' not in body and "Old Shop" in body
