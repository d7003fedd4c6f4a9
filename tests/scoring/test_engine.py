"""Hand-computed examples of every §3 metric, the ranking rules and their edge cases."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from providers.models import Complaint, LiveSession, Violation
from scoring import services
from scoring.models import CapabilityModel, MetricScore, ProviderScore

from . import platform as pf
from .platform import at, engage, session

pytestmark = pytest.mark.django_db
D = dt.date


def values(cycle, provider):
    ps = ProviderScore.objects.get(cycle=cycle, provider=provider)
    return ps, {m.key: m for m in MetricScore.objects.filter(provider_score=ps)}


def exact(ms):
    return None if ms.raw_value is None else Fraction(ms.raw_value)


def approx(frac):
    """A repeating value as stored: rounded half-up at the 24th decimal."""
    scaled = frac * 10**24
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole, 10**24)


@pytest.fixture
def scenario():
    """One mcn provider P over June 2025 with every metric's inputs (figures worked out in the asserts)."""
    p = pf.provider(type="mcn")
    m1, m2, m3 = pf.merchant(), pf.merchant(), pf.merchant()
    engage(p, m1, D(2025, 5, 1))  # open at start, still open at end
    engage(p, m2, D(2025, 4, 1), D(2025, 6, 30))  # last day = window's last day: not retained
    engage(p, m3, D(2025, 6, 15), D(2025, 6, 20))  # overlaps the window, not open at start
    op1 = pf.operator(p)
    op2 = pf.operator(p, start=D(2025, 7, 1))  # employed from the window's end instant: counts
    op3 = pf.operator(p, end=D(2025, 6, 30))  # gone at the window's end
    if pf.certificate_model() is not None:
        pf.certify(op1)
        pf.certify(op3)
        pf.certify(op2, status="suspended")
    rows = [
        # m1's baseline: no-operator sessions on [2025-04-01, 2025-05-01) → mean 2000
        session(m1, started_at=at(2025, 4, 1), gmv=1000),
        session(m1, started_at=at(2025, 4, 30, 23), gmv=3000),
        session(m1, started_at=at(2025, 5, 1), gmv=99999),  # on e1's first day: not baseline
        # m2 leaps: June (all sessions count) 150000 → band 1; May nothing → band 0
        session(m2, started_at=at(2025, 6, 12), gmv=150000),
        # S: the four operated sessions of P in [06-01, 07-01)
        session(m1, operator=op1, provider=p, started_at=at(2025, 6, 1), gmv=2000, viewers=500, orders=5,
                new_followers=3, duration_minutes=60, refund_amount=0, skus_listed=10, skus_sold=3),
        session(m1, operator=op1, provider=p, started_at=at(2025, 6, 2, 20), gmv=4000, viewers=1000, orders=20,
                new_followers=10, duration_minutes=120, refund_amount=200, paid_spend=1000, paid_gmv=3000,
                skus_listed=10, skus_sold=5),
        session(m1, operator=op1, provider=p, started_at=at(2025, 6, 10, 20), gmv=1000, viewers=500, orders=5,
                new_followers=0, duration_minutes=60, refund_amount=0, paid_spend=500, paid_gmv=200,
                skus_listed=10, skus_sold=2),
        session(m2, operator=op1, provider=p, started_at=at(2025, 6, 20, 20), gmv=5000, viewers=0, orders=0,
                new_followers=2, duration_minutes=60, refund_amount=100, skus_listed=0, skus_sold=0),
        # on the window's end instant: outside [start, end)
        session(m1, operator=op1, provider=p, started_at=at(2025, 7, 1), gmv=777777, viewers=1),
    ]  # fmt: skip
    LiveSession.objects.bulk_create(rows)
    Complaint.objects.create(provider=p, merchant=m1, received_at=at(2025, 6, 5), upheld=True)
    Complaint.objects.create(provider=p, merchant=m1, received_at=at(2025, 6, 6), upheld=False)
    Complaint.objects.create(provider=p, merchant=m1, received_at=at(2025, 7, 1), upheld=True)
    Violation.objects.create(provider=p, occurred_at=at(2025, 6, 1), points=3, severity="minor")
    Violation.objects.create(provider=p, occurred_at=at(2025, 6, 9), points=5, severity="major", status="overturned")
    Violation.objects.create(provider=p, occurred_at=at(2025, 5, 31, 23, 59), points=2, severity="minor")
    return p


def test_each_metric_by_hand(scenario):
    cycle = pf.run_cycle(min_sessions=4)
    ps, m = values(cycle, scenario)
    assert (ps.session_count, ps.window_gmv, ps.ranked) == (4, Decimal("12000.00"), True)
    # uplift: s0 2000/2000−1 = 0, s1 4000/2000−1 = 1, s2 1000/2000−1 = −0.5; s3 (m2) has no baseline
    assert exact(m["gmv_uplift"]) == approx(Fraction(1, 6)) and m["gmv_uplift"].sample_size == 3
    assert exact(m["leap_rate"]) == approx(Fraction(1, 3)) and m["leap_rate"].sample_size == 3
    assert exact(m["merchant_retention"]) == Fraction(1, 2) and m["merchant_retention"].sample_size == 2
    assert exact(m["gpm"]) == 6000 and m["gpm"].sample_size == 4  # 12000 × 1000 / 2000
    assert exact(m["followers_per_session"]) == Fraction(15, 4)
    # 300 min = 5 h over 3 merchants × 30/7 weeks
    assert exact(m["live_hours_per_merchant_week"]) == approx(Fraction(7, 18))
    assert exact(m["paid_roi"]) == approx(Fraction(3200, 1500)) and m["paid_roi"].sample_size == 2
    assert exact(m["loss_session_rate"]) == Fraction(1, 2) and m["loss_session_rate"].sample_size == 2
    assert exact(m["refund_rate"]) == Fraction(300, 12000)
    assert exact(m["sell_through"]) == approx(Fraction(10, 30))
    assert exact(m["orders_per_1k_viewers"]) == 15
    assert exact(m["complaints_per_1k_orders"]) == approx(Fraction(1000, 30))
    assert exact(m["violation_points"]) == 3 and m["violation_points"].sample_size == 1
    assert m["certified_operator_ratio"].sample_size == 2  # op1 and op2 are employed at the end instant
    if pf.certificate_model() is not None:
        assert exact(m["certified_operator_ratio"]) == approx(Fraction(1, 3))  # op1 only, over |M| = 3
    # alone in its cohort: every percentile is 0.5 → 50; n = 4 < 30 shrinks 50 to 50
    assert {x.percentile for x in m.values()} == {Decimal("0.5")}
    assert {x.score for x in m.values()} == {Decimal("50.0000")}
    assert (ps.overall, ps.rank, ps.percentile, ps.cohort_size) == (Decimal("50.0000"), 1, Decimal("0.5"), 1)


def test_insufficient_activity_is_not_ranked_but_values_are_kept(scenario):
    cycle = pf.run_cycle()  # min_sessions 10 > 4
    ps, m = values(cycle, scenario)
    assert (ps.ranked, ps.reason, ps.overall, ps.rank, ps.percentile) == (
        False,
        "insufficient_activity",
        None,
        None,
        None,
    )
    assert exact(m["gpm"]) == 6000
    assert {x.score for x in m.values()} == {None}
    assert set(ps.capability_scores.values_list("score", flat=True)) == {None}


def test_no_operated_sessions_zero_viewers_zero_spend():
    idle = pf.provider(type="brand")
    engage(idle, pf.merchant(), D(2025, 6, 3))
    quiet = pf.provider(type="brand")
    m = pf.merchant()
    engage(quiet, m, D(2025, 1, 1))
    op = pf.operator(quiet)
    LiveSession.objects.bulk_create(
        [session(m, operator=op, provider=quiet, started_at=at(2025, 6, 3 + i), viewers=0, orders=0) for i in range(2)]
    )
    cycle = pf.run_cycle(min_sessions=1)
    ps, v = values(cycle, idle)
    assert ps.session_count == 0 and not ps.ranked
    assert exact(v["live_hours_per_merchant_week"]) == 0  # served a merchant, ran nothing: 0, not no value
    assert exact(v["violation_points"]) == 0 and v["violation_points"].sample_size == 0
    for key in ("gmv_uplift", "gpm", "followers_per_session", "paid_roi", "refund_rate", "complaints_per_1k_orders"):
        assert v[key].raw_value is None, key
    assert v["merchant_retention"].raw_value is None and v["merchant_retention"].sample_size == 0
    ps, v = values(cycle, quiet)
    assert ps.ranked
    assert v["gpm"].raw_value is None and v["orders_per_1k_viewers"].raw_value is None  # zero viewers
    assert v["paid_roi"].raw_value is None and v["paid_roi"].sample_size == 0  # zero paid spend
    assert v["complaints_per_1k_orders"].raw_value is None  # zero orders
    assert v["gpm"].raw_score == Decimal("50.0000") and v["gpm"].percentile is None  # no value → 50


def _twin(followers, *, ptype="general", gmv=1000, n=3):
    p = pf.provider(type=ptype)
    m = pf.merchant()
    engage(p, m, D(2025, 1, 1))
    op = pf.operator(p)
    LiveSession.objects.bulk_create(
        [
            session(m, operator=op, provider=p, started_at=at(2025, 6, 2 + i), new_followers=followers, gmv=gmv)
            for i in range(n)
        ]
    )
    return p


def test_all_equal_providers_tie_on_everything_and_rank_by_id():
    ps_ = [_twin(2) for _ in range(3)]
    cycle = pf.run_cycle(min_sessions=1, confidence_sessions=1)
    rows = [ProviderScore.objects.get(cycle=cycle, provider=p) for p in ps_]
    assert [r.overall for r in rows] == [Decimal("50.0000")] * 3
    assert [r.rank for r in rows] == [1, 2, 3]  # equal overall and GMV: provider id ascending
    assert [r.percentile for r in rows] == [Decimal("0.5")] * 3


def test_ties_share_the_mid_rank_and_gmv_breaks_rank_ties():
    a, b, c = _twin(3, gmv=1000), _twin(3, gmv=2000), _twin(1)
    cycle = pf.run_cycle(min_sessions=1, confidence_sessions=1)
    # gmv differs, so gpm differs too: a, c (1000 × 1000 / 1000 = 1000) below b (2000)
    _, va = values(cycle, a)
    assert va["followers_per_session"].percentile == Decimal("0.75")  # (1 worse + 0.5 × 1 equal) / 2
    assert va["followers_per_session"].raw_score == Decimal("75.0000")
    assert va["gpm"].percentile == Decimal("0.25")  # a and c tie below b
    _, vc = values(cycle, c)
    assert vc["followers_per_session"].score == Decimal("0.0000")
    # content a = 0.5 × 25 + 0.3 × 75 + 0.2 × 50 = 45; b = 0.5 × 100 + 0.3 × 75 + 0.2 × 50 = 82.5
    caps = {x.key: x.score for x in ProviderScore.objects.get(cycle=cycle, provider=a).capability_scores.all()}
    assert caps["content"] == Decimal("45.0000")
    # every other metric ties (→ 50), so overall a = (30 × 50 + 20 × 45 + 15 × 50 + 15 × 50 + 20 × 50) / 100
    pa, pb, pc = (ProviderScore.objects.get(cycle=cycle, provider=p) for p in (a, b, c))
    assert pa.overall == Decimal("49.0000")
    assert pb.overall == Decimal("56.5000")
    assert pc.overall == Decimal("44.5000")  # content = 12.5 + 0 + 10 = 22.5
    assert [pb.rank, pa.rank, pc.rank] == [1, 2, 3]
    assert [pb.percentile, pa.percentile, pc.percentile] == [Decimal("1"), Decimal("0.5"), Decimal("0")]


def test_shrink_toward_50_and_half_up_rounding():
    """Four providers → percentiles k/3; n = 10 of 30 sessions shrinks by a third, rounding half-up."""
    ps_ = [_twin(f, n=10) for f in (1, 2, 3, 4)]
    cycle = pf.run_cycle(min_sessions=1, confidence_sessions=30)
    _, v = values(cycle, ps_[2])
    assert v["followers_per_session"].raw_score == Decimal("66.6667")
    # 50 + (66.6667 − 50) × 10 / 30 = 55.55556666… → 55.5556
    assert v["followers_per_session"].score == Decimal("55.5556")
    _, v = values(cycle, ps_[3])
    assert (v["followers_per_session"].raw_score, v["followers_per_session"].score) == (
        Decimal("100.0000"),
        Decimal("66.6667"),
    )


def test_cohorts_are_separate_and_inactive_providers_excluded():
    a = _twin(1, ptype="mcn")
    b = _twin(5, ptype="brand")
    gone = _twin(9, ptype="mcn")
    gone.status = "suspended"
    gone.save()
    cycle = pf.run_cycle(min_sessions=1, confidence_sessions=1)
    assert set(ProviderScore.objects.filter(cycle=cycle).values_list("provider_id", "cohort", "rank")) == {
        (a.pk, "mcn", 1),
        (b.pk, "brand", 1),
    }


def test_rerun_reproduces_and_uses_the_stored_cohort(scenario):
    cycle = pf.run_cycle(min_sessions=4)
    first = list(
        MetricScore.objects.filter(provider_score__cycle=cycle).order_by("key").values_list("key", "raw_value", "score")
    )
    scenario.status = "suspended"  # a later status change does not change what the cycle used
    scenario.save()
    services.cycle_score(cycle=cycle)
    again = list(
        MetricScore.objects.filter(provider_score__cycle=cycle).order_by("key").values_list("key", "raw_value", "score")
    )
    assert first == again
    assert ProviderScore.objects.get(cycle=cycle).status == "active"


def test_rerun_keeps_score_ids_and_a_refreshed_cohort_drops_the_leavers(scenario):
    cycle = pf.run_cycle(min_sessions=1)
    (score,) = ProviderScore.objects.filter(cycle=cycle)
    services.cycle_score(cycle=cycle)
    assert list(ProviderScore.objects.filter(cycle=cycle).values_list("id", "overall")) == [(score.pk, score.overall)]
    scenario.status = "suspended"  # out of the cohort when it is taken afresh
    scenario.save()
    services.cycle_score(cycle=cycle, refresh_cohort=True)
    assert not ProviderScore.objects.filter(cycle=cycle).exists()


def test_window_without_full_month_has_no_leap_rate(scenario):
    cycle = pf.run_cycle((at(2025, 6, 10), at(2025, 7, 5)), min_sessions=1)
    _, m = values(cycle, scenario)
    assert m["leap_rate"].raw_value is None and m["leap_rate"].sample_size == 3


@translation.override("en")
def test_model_validation_messages():
    good = [
        {"key": c, "weight": w, "metrics": [{"key": k, "weight": "1", "direction": "up"}]}
        for c, w, k in [("growth", 30, "gmv_uplift"), ("content", 20, "gpm"), ("traffic", 15, "paid_roi"),
                        ("product", 15, "refund_rate"), ("service", 20, "violation_points")]
    ]  # fmt: skip
    model = services.capability_model_create(version=2, name="v2", capabilities=good)
    assert [c.key for c in model.capabilities.all()] == ["growth", "content", "traffic", "product", "service"]
    bad = [dict(c) for c in good]
    bad[0] = {**bad[0], "weight": 31}
    with pytest.raises(ValidationError, match="sum to 100"):
        services.capability_model_create(version=3, name="x", capabilities=bad)
    bad = [dict(c) for c in good]
    bad[1] = {**bad[1], "metrics": [{"key": "gpm", "weight": "0.5", "direction": "up"}]}
    with pytest.raises(ValidationError, match="sum to 1"):
        services.capability_model_create(version=3, name="x", capabilities=bad)
    bad[1] = {**bad[1], "metrics": [{"key": "nope", "weight": "1", "direction": "up"}]}
    with pytest.raises(ValidationError, match="Unknown metric"):
        services.capability_model_create(version=3, name="x", capabilities=bad)
    bad[1] = {**bad[1], "metrics": [{"key": "gmv_uplift", "weight": "1", "direction": "up"}]}
    with pytest.raises(ValidationError, match="more than once"):
        services.capability_model_create(version=3, name="x", capabilities=bad)
    bad[1] = {**bad[1], "metrics": [{"key": "gpm", "weight": "1", "direction": "sideways"}]}
    with pytest.raises(ValidationError, match="'up' or 'down'"):
        services.capability_model_create(version=3, name="x", capabilities=bad)
    assert not CapabilityModel.objects.filter(version=3).exists()


def test_used_version_is_locked():
    v1 = CapabilityModel.objects.get(version=1)
    pf.run_cycle(min_sessions=1)
    v1.refresh_from_db()
    assert v1.locked and v1.is_locked
    with pytest.raises(ValidationError, match="已被周期使用，不能修改"):  # Chinese by default
        services.capability_model_update(model=v1, name="renamed")
    with translation.override("en"), pytest.raises(ValidationError, match="cannot change"):
        services.capability_model_update(model=v1, name="renamed")
    v1.refresh_from_db()
    assert v1.name != "renamed"


def test_overlapping_engagements_use_the_latest_starting_one():
    """06-05 is covered by A (04-01, open) and B (05-15–06-10): B's baseline; 06-20 only by A."""
    p = pf.provider(type="general")
    m = pf.merchant()
    engage(p, m, D(2025, 4, 1))
    engage(p, m, D(2025, 5, 15), D(2025, 6, 10))
    op = pf.operator(p)
    LiveSession.objects.bulk_create(
        [
            session(m, started_at=at(2025, 3, 10), gmv=1000),  # A's baseline days [03-02, 04-01)
            session(m, started_at=at(2025, 4, 20), gmv=4000),  # B's baseline days [04-15, 05-15)
            session(m, operator=op, provider=p, started_at=at(2025, 6, 5), gmv=8000),  # 8000/4000 − 1 = 1
            session(m, operator=op, provider=p, started_at=at(2025, 6, 20), gmv=3000),  # 3000/1000 − 1 = 2
        ]
    )
    cycle = pf.run_cycle(min_sessions=1)
    _, v = values(cycle, p)
    assert v["gmv_uplift"].raw_value == Decimal("1.5") and v["gmv_uplift"].sample_size == 2
    from scoring.selectors import operation_effect

    got = operation_effect(start=pf.JUNE[0], end=pf.JUNE[1], provider_id=p.pk)["all"]
    assert (got["average_uplift"], got["uplift_sessions"]) == (Decimal("1.5"), 2)


def test_a_merchant_shared_by_two_providers_a_gap_and_a_single_engagement():
    """m is served by P (05-01–06-15) and Q (from 06-10) in June, so its sessions are matched to engagements one
    by one (P's 06-20 session falls in P's gap: no baseline); m2 is Q's alone, one engagement throughout."""
    p, q = pf.provider(type="general"), pf.provider(type="general")
    m, m2 = pf.merchant(), pf.merchant()
    engage(p, m, D(2025, 5, 1), D(2025, 6, 15))
    engage(q, m, D(2025, 6, 10))
    engage(q, m2, D(2025, 5, 1))
    op_p, op_q = pf.operator(p), pf.operator(q)
    LiveSession.objects.bulk_create(
        [
            session(m, started_at=at(2025, 4, 10), gmv=2000),  # P's baseline days [04-01, 05-01): mean 2000
            session(m, started_at=at(2025, 5, 20), gmv=1000),  # Q's baseline days [05-11, 06-10): mean 1000
            session(m2, started_at=at(2025, 4, 15), gmv=500),  # Q's baseline for m2: mean 500
            session(m, operator=op_p, provider=p, started_at=at(2025, 6, 5), gmv=4000),  # 4000/2000 − 1 = 1
            session(m, operator=op_p, provider=p, started_at=at(2025, 6, 20), gmv=100000),  # in P's gap
            session(m, operator=op_q, provider=q, started_at=at(2025, 6, 12), gmv=3000),  # 3000/1000 − 1 = 2
            session(m, operator=op_q, provider=q, started_at=at(2025, 6, 25), gmv=500),  # −0.5
            session(m2, operator=op_q, provider=q, started_at=at(2025, 6, 3), gmv=1500),  # 1500/500 − 1 = 2
        ]
    )
    cycle = pf.run_cycle(min_sessions=1)
    _, vp = values(cycle, p)
    _, vq = values(cycle, q)
    assert (vp["gmv_uplift"].raw_value, vp["gmv_uplift"].sample_size) == (Decimal(1), 1)
    assert (exact(vq["gmv_uplift"]), vq["gmv_uplift"].sample_size) == (approx(Fraction(7, 6)), 3)
    # m's June GMV 107,500 (band 1) is above its May 1,000 (band 0); m2's June 1,500 is not
    assert (vp["leap_rate"].raw_value, vp["leap_rate"].sample_size) == (Decimal(1), 1)
    assert (vq["leap_rate"].raw_value, vq["leap_rate"].sample_size) == (Decimal("0.5"), 2)
    assert vp["followers_per_session"].sample_size == 2 and vq["followers_per_session"].sample_size == 3
    from scoring.selectors import operation_effect

    for provider, (uplift, n) in ((p, (Decimal(1), 1)), (q, (Fraction(7, 6), 3))):
        got = operation_effect(start=pf.JUNE[0], end=pf.JUNE[1], provider_id=provider.pk)["all"]
        assert got["uplift_sessions"] == n
        assert abs(Fraction(got["average_uplift"]) - Fraction(uplift)) < Fraction(1, 10**20)


def test_the_shrink_works_on_the_exact_unshrunk_score_and_rounds_once():
    """DESIGN §3: four ranked providers, the two lowest tied on gpm: raw = 100 × (0 + 0.5) / 3 = 16.666…; with 15
    of 30 sessions the score is 50 + (16.666… − 50) × 15/30 = 33.3333 (rounding raw first gave 33.3334)."""
    gmvs = {"low_a": 1000, "low_b": 1000, "mid": 2000, "top": 3000}
    providers = {}
    rows = []
    for name, gmv in gmvs.items():
        p = pf.provider(type="mcn")
        providers[name] = p
        m = pf.merchant()
        engage(p, m, D(2025, 5, 1))
        op = pf.operator(p)
        rows += [
            session(m, operator=op, provider=p, started_at=at(2025, 6, 1 + i, 20), gmv=gmv, viewers=100)
            for i in range(15)
        ]
    LiveSession.objects.bulk_create(rows)
    cycle = pf.run_cycle()
    _, metrics = values(cycle, providers["low_a"])
    gpm = metrics["gpm"]
    assert gpm.raw_score == Decimal("16.6667")  # shown rounded; not what the shrink used
    assert gpm.score == Decimal("33.3333")
