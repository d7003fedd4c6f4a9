"""Operation effect on a dataset with known answers, merchant diagnosis, and every endpoint × persona."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from providers.models import LiveSession
from scoring import services
from scoring.models import CapabilityModel, CategoryMedian, ProviderScore, QualificationCycle
from scoring.selectors import operation_effect

from . import platform as pf
from .platform import at, engage, session

pytestmark = pytest.mark.django_db
D = dt.date


def effect_dataset(p):
    """Small merchant m (baseline 3 × 10000 in April) and large merchant big (baseline 2 × 300000)."""
    m, big = pf.merchant(), pf.merchant()
    engage(p, m, D(2025, 5, 1))
    engage(p, big, D(2025, 5, 1))
    op = pf.operator(p)
    LiveSession.objects.bulk_create(
        [
            *(session(m, started_at=at(2025, 4, d), gmv=10000) for d in (3, 10, 20)),
            session(big, started_at=at(2025, 4, 5), gmv=300000),
            session(big, started_at=at(2025, 4, 6), gmv=300000),
            session(m, started_at=at(2025, 5, 25), gmv=10000),  # in s1's before-window only
            session(m, operator=op, provider=p, started_at=at(2025, 6, 5, 20), gmv=20000),  # uplift 1
            session(m, operator=op, provider=p, started_at=at(2025, 6, 10, 20), gmv=15000),  # uplift 0.5
            session(m, started_at=at(2025, 6, 19, 20), gmv=5000),  # exactly t + 14 × 24 h after s1: counted
            session(big, operator=op, provider=p, started_at=at(2025, 6, 25), gmv=450000),  # uplift 0.5
        ]
    )
    return m, big


def test_operation_effect_known_answers(provider):
    effect_dataset(provider)
    got = operation_effect(start=at(2025, 6, 1), end=at(2025, 7, 1), provider_id=provider.pk)
    everything = got["all"]
    assert (everything["operated_sessions"], everything["operated_gmv"], everything["merchants_served"]) == (
        3,
        Decimal("485000.00"),
        2,
    )
    assert everything["uplift_sessions"] == 3
    assert Fraction(everything["average_uplift"]) - Fraction(2, 3) < Fraction(1, 10**20)
    # s1: after 15000 + 5000 / before 10000; s2: after 5000 / before 20000; big's after-window passes the end
    assert everything["follow_on_sessions"] == 2
    assert (everything["follow_on_gmv_after"], everything["follow_on_gmv_before"]) == (
        Decimal("25000.00"),
        Decimal("30000.00"),
    )
    assert Fraction(everything["follow_on_growth"]) - Fraction(-1, 6) < Fraction(1, 10**20)
    small, large = got["small_medium"], got["large"]
    assert (small["operated_sessions"], small["average_uplift"], small["follow_on_sessions"]) == (2, Decimal("0.75"), 2)
    assert (large["operated_sessions"], large["average_uplift"], large["follow_on_growth"]) == (1, Decimal("0.5"), None)


def test_operation_effect_endpoints(client_for, staff, provider_user, outsider, provider, other_provider):
    effect_dataset(provider)
    url = f"/api/v1/providers/{provider.pk}/operation-effect/?start=2025-06-01&end=2025-07-01"
    for user in (staff, provider_user):
        res = client_for(user).get(url)
        assert res.status_code == 200, res.content
        assert res.json()["operated_sessions"] == 3
        assert res.json()["by_merchant_size"]["small_medium"]["operated_sessions"] == 2
        assert res.json()["start"] == "2025-06-01T00:00:00+08:00"
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code in (401, 403)
    own = f"/api/v1/providers/{other_provider.pk}/operation-effect/?start=2025-06-01&end=2025-07-01"
    assert client_for(provider_user).get(own).status_code == 404
    reversed_period = f"/api/v1/providers/{provider.pk}/operation-effect/?start=2025-07-01&end=2025-06-01"
    bad = client_for(staff).get(reversed_period)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert bad.json()["errors"] == {"end": ["end 须晚于 start（区间为 [start, end)）。"]}
    english = client_for(staff).get(reversed_period, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and english.json()["code"] == "invalid"
    assert english.json()["errors"] == {"end": ["end must be after start (the period is [start, end))."]}
    platform = "/api/v1/operation-effect/?start=2025-06-01&end=2025-07-01"
    res = client_for(staff).get(platform)
    assert res.status_code == 200 and res.json()["operated_sessions"] == 3
    assert client_for(provider_user).get(platform).status_code == 403
    assert client_for(outsider).get(platform).status_code == 403


def test_merchant_diagnosis(client_for, staff, provider_user, outsider, provider):
    m = pf.merchant("beauty")
    other = pf.merchant("beauty")
    third = pf.merchant("beauty")
    engage(provider, m, D(2025, 5, 1))
    LiveSession.objects.bulk_create(
        [
            session(m, started_at=at(2025, 6, 1), gmv=1000, viewers=100, orders=5, paid_spend=100, paid_gmv=300,
                    refund_amount=100),
            session(m, started_at=at(2025, 6, 7, 23, 59), gmv=3000, viewers=100, orders=5),
            session(m, started_at=at(2025, 6, 8), gmv=99999),  # after the 7 days
            session(other, started_at=at(2025, 6, 3), gmv=500, viewers=50, orders=1),
            session(third, started_at=at(2025, 6, 4), gmv=9000, viewers=300, orders=3),
        ]
    )  # fmt: skip
    url = f"/api/v1/merchants/{m.pk}/diagnosis/?end_date=2025-06-07"
    # A GET never writes: before the nightly job computed the day's medians they are "not computed yet".
    res = client_for(provider_user).get(url)
    assert res.status_code == 200, res.content
    assert res.json()["medians_computed"] is False
    assert {f["category_median"] for f in res.json()["figures"]} == {None}
    assert not CategoryMedian.objects.exists()
    services.category_medians_refresh(end_date=D(2025, 6, 7))
    res = client_for(provider_user).get(url)
    assert res.json()["medians_computed"] is True
    body = {f["key"]: f for f in res.json()["figures"]}
    assert res.json()["start"] == "2025-06-01T00:00:00+08:00"
    assert body["sessions"]["value"] == 2 and body["gmv"]["value"] == "4000.00"
    assert Decimal(body["gpm"]["value"]) == 20000  # 4000 × 1000 / 200
    assert Decimal(body["conversion"]["value"]) == Decimal("0.05")
    assert Decimal(body["paid_roi"]["value"]) == 3
    assert Decimal(body["refund_rate"]["value"]) == Decimal("0.025")
    # medians of the three beauty merchants: gmv 4000, 500, 9000 → 4000; gpm 20000, 10000, 30000 → 20000
    assert Decimal(body["gmv"]["category_median"]) == 4000
    assert Decimal(body["gpm"]["category_median"]) == 20000
    assert Decimal(body["paid_roi"]["category_median"]) == 3  # only m has paid sessions
    assert res.json()["category_merchants"] == 3
    assert CategoryMedian.objects.filter(category="beauty", end_date=D(2025, 6, 7)).count() == 1
    assert client_for(staff).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(provider_user).get(f"/api/v1/merchants/{other.pk}/diagnosis/").status_code == 404


V2 = {
    "version": 2,
    "name": "v2",
    "capabilities": [
        {"key": c, "weight": w, "metrics": [{"key": k, "weight": "1", "direction": "up"}]}
        for c, w, k in [
            ("growth", "30", "gmv_uplift"),
            ("content", "20", "gpm"),
            ("traffic", "15", "paid_roi"),
            ("product", "15", "refund_rate"),
            ("service", "20", "violation_points"),
        ]
    ],
}


def test_capability_models_endpoint(client_for, staff, auditor, provider_user, outsider):
    for user in (staff, auditor, provider_user, outsider):
        res = client_for(user).get("/api/v1/capability-models/")
        assert res.status_code == 200
        v1 = res.json()["results"][0]
        assert v1["version"] == 1 and [c["label"] for c in v1["capabilities"]] == [
            "运营力",
            "内容力",
            "投放力",
            "选品力",
            "服务力",
        ]
        assert v1["capabilities"][2]["metrics"][1] == {
            "key": "loss_session_rate",
            "weight": "0.4000",
            "direction": "down",
        }
    for user in (auditor, provider_user, outsider):
        assert client_for(user).post("/api/v1/capability-models/", V2, format="json").status_code == 403
    assert not CapabilityModel.objects.filter(version=2).exists()
    bad = {**V2, "capabilities": [{**V2["capabilities"][0], "weight": "31"}, *V2["capabilities"][1:]]}
    res = client_for(staff).post("/api/v1/capability-models/", bad, format="json")
    assert res.status_code == 400 and "能力权重之和必须为 100" in str(res.json()["errors"])  # Chinese by default
    res = client_for(staff).post("/api/v1/capability-models/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 400 and "sum to 100" in str(res.json()["errors"])
    res = client_for(staff).post("/api/v1/capability-models/", V2, format="json")
    assert res.status_code == 201, res.content
    assert CapabilityModel.objects.get(version=2).capabilities.count() == 5
    res = client_for(staff).post("/api/v1/capability-models/", V2, format="json")
    assert res.status_code == 400 and "版本 2 已存在" in str(res.json()["errors"])


def test_cycles_and_scores_endpoints(client_for, staff, auditor, provider_user, outsider, provider, other_provider):
    for p in (provider, other_provider):
        m = pf.merchant()
        engage(p, m, D(2025, 1, 1))
        op = pf.operator(p)
        LiveSession.objects.bulk_create(
            [session(m, operator=op, provider=p, started_at=at(2025, 5, 2 + i)) for i in range(3)]
        )
    body = {"kind": "monthly", "window_start": "2025-05-01T00:00:00+08:00", "window_end": "2025-06-01T00:00:00+08:00",
            "min_sessions": 1}  # fmt: skip
    for user in (auditor, provider_user, outsider):
        assert client_for(user).post("/api/v1/cycles/", body, format="json").status_code == 403
    assert not QualificationCycle.objects.exists()
    res = client_for(staff).post("/api/v1/cycles/", body, format="json")
    assert res.status_code == 201, res.content
    assert client_for(staff).post("/api/v1/cycles/", body, format="json").status_code == 400  # one per kind+window
    may = QualificationCycle.objects.get()
    from scoring.services import cycle_score

    cycle_score(cycle=may)
    june = pf.run_cycle(min_sessions=1)  # June: nobody has sessions; scores exist, none ranked
    assert ProviderScore.objects.filter(cycle=june, ranked=False).count() == 2
    res = client_for(staff).get(f"/api/v1/cycles/{may.pk}/scores/")
    assert res.status_code == 200 and res.json()["count"] == 2
    # A provider user sees a cycle's scores once it is published (tests/scoring/test_unpublished_scores.py).
    QualificationCycle.objects.filter(pk__in=[may.pk, june.pk]).update(status="published")
    res = client_for(provider_user).get(f"/api/v1/cycles/{may.pk}/scores/")
    assert [r["provider"] for r in res.json()["results"]] == [provider.pk]
    res = client_for(provider_user).get("/api/v1/scores/")
    assert {r["provider"] for r in res.json()["results"]} == {provider.pk}
    assert client_for(staff).get(f"/api/v1/scores/?cycle={may.pk}&ranked=true").json()["count"] == 2
    own = ProviderScore.objects.get(cycle=may, provider=provider)
    theirs = ProviderScore.objects.get(cycle=may, provider=other_provider)
    res = client_for(provider_user).get(f"/api/v1/scores/{own.pk}/explain/")
    assert res.status_code == 200
    explained = res.json()
    assert len(explained["metrics"]) == 14 and len(explained["capabilities"]) == 5
    gpm = next(m for m in explained["metrics"] if m["key"] == "gpm")
    assert (
        gpm["value"] == "1000.000000000000000000000000"
        and Decimal(gpm["cohort_median"]) == 1000
        and gpm["score"] == "50.0000"
    )
    assert explained["change"] is None  # no earlier monthly cycle
    june_own = ProviderScore.objects.get(cycle=june, provider=provider)
    later = client_for(provider_user).get(f"/api/v1/scores/{june_own.pk}/explain/").json()
    assert later["change"]["previous_cycle"] == may.pk and later["change"]["previous_overall"] == "50.0000"
    assert client_for(provider_user).get(f"/api/v1/scores/{theirs.pk}/explain/").status_code == 404
    assert client_for(outsider).get(f"/api/v1/scores/{own.pk}/").status_code == 404
    assert client_for(staff).get(f"/api/v1/scores/{theirs.pk}/explain/").status_code == 200
    assert client_for(None).get("/api/v1/scores/").status_code in (401, 403)


def test_follow_on_windows_leave_out_sessions_at_the_same_instant(provider):
    """Sessions starting exactly at t are in neither window; one at exactly t − 14 × 24 h is in "before"."""
    m = pf.merchant()
    engage(provider, m, D(2025, 5, 1))
    op = pf.operator(provider)
    t = at(2025, 6, 15, 20)
    LiveSession.objects.bulk_create(
        [
            session(m, started_at=t - dt.timedelta(hours=336), gmv=1000),  # before-window's first instant: counted
            session(m, started_at=t - dt.timedelta(hours=336, seconds=1), gmv=70000),  # just outside
            session(m, operator=op, provider=provider, started_at=t, gmv=9000),  # s
            session(m, started_at=t, gmv=80000),  # another session at t: in neither window
            session(m, started_at=t + dt.timedelta(hours=336), gmv=3000),  # after-window's last instant: counted
            session(m, started_at=t + dt.timedelta(hours=336, seconds=1), gmv=90000),  # just outside
        ]
    )
    got = operation_effect(start=at(2025, 6, 1), end=at(2025, 7, 1), provider_id=provider.pk)["all"]
    assert (got["follow_on_sessions"], got["follow_on_gmv_before"], got["follow_on_gmv_after"]) == (
        1,
        Decimal("1000.00"),
        Decimal("3000.00"),
    )
    assert got["follow_on_growth"] == 2
