"""A provider's tier and its current tier certificate always agree, whoever moves them (publish, appeals,
delisting): driven through real cycles, never by writing the evidence a test would like production to write."""

import datetime as dt

from certification import appeals, cycles, standing
from certification.models import Certificate, Decision
from providers.models import Engagement, LiveSession, Provider
from tests import factories
from tests.conftest import make_staff
from tests.scoring import platform as pf

from . import cycle_world

JULY = cycle_world.JULY


def run_and_publish(window):
    cycle = cycles.cycle_create(kind="monthly", window_start=window[0], window_end=window[1])
    token = cycles.cycle_claim(cycle_id=cycle.pk)
    assert cycles.cycle_run(cycle_id=cycle.pk, token=token)
    cycle.refresh_from_db()
    cycles.cycle_publish(cycle=cycle, user=None)
    return cycle


def current_certificates(provider):
    return list(
        Certificate.objects.filter(kind="provider", provider=provider, status__in=["active", "suspended"]).values_list(
            "level", flat=True
        )
    )


def sessions(provider, window, q, count=30):
    """``count`` operated sessions in ``window`` of quality ``q`` (cycle_world's are 1 to 3; higher is better)."""
    engagement = Engagement.objects.get(provider=provider)
    operator = provider.employments.get().operator
    return [
        pf.session(
            engagement.merchant,
            operator=operator,
            provider=provider,
            started_at=window[0] + dt.timedelta(hours=12 + 20 * i),
            gmv=1000 * q,
            orders=10 * q,
            new_followers=5 * q,
            skus_sold=2 * q,
            paid_spend=100,
            paid_gmv=100 * q,
            refund_amount=100 // q,
        )
        for i in range(count)
    ]


def test_overturning_a_demotion_after_a_later_promotion_keeps_tier_and_certificate_together(roles):
    """An L2 provider demoted to L1 by a real publish, promoted back to L2 by the next one: overturning the
    demotion leaves it at L2 with one current certificate, of level L2 (it used to become L3 beside an L2
    certificate)."""
    p = cycle_world.build(window=pf.JUNE, windows=[pf.JUNE])
    weak = p["weak"]
    standing.provider_certify(provider=weak, level="L2")
    # In July the order turns: weak is the best of the cohort.
    LiveSession.objects.bulk_create(
        sessions(weak, JULY, 4) + sessions(p["strong"], JULY, 1) + sessions(p["middle"], JULY, 1)
    )
    june = run_and_publish(pf.JUNE)
    weak.refresh_from_db()
    assert weak.tier == "L1" and current_certificates(weak) == ["L1"]
    demotion = Decision.objects.get(cycle=june, provider=weak, kind="demote")
    assert demotion.evidence["from"] == "L2"

    run_and_publish(JULY)
    weak.refresh_from_db()
    assert weak.tier == "L2" and current_certificates(weak) == ["L2"]

    filer = factories.ProviderUserFactory(provider=weak).user
    appeal = appeals.appeal_file(decision=demotion, filed_by=filer, statement="六月数据有误")
    reviewer = make_staff(roles, "appeal_reviewer", username="appeals")
    appeals.appeal_decide(appeal=appeal, reviewer=reviewer, outcome="overturned", reason="数据源错误")

    weak.refresh_from_db()
    assert weak.tier == "L2"
    assert current_certificates(weak) == [weak.tier]
    outcome = Decision.objects.get(kind="appeal_overturned", refers_to=demotion)
    assert (outcome.evidence["tier_before"], outcome.evidence["tier_restored"]) == ("L2", "L2")


def test_overturning_a_demotion_gives_back_the_tier_and_a_certificate_of_it(roles):
    p = cycle_world.build(window=pf.JUNE)
    weak = p["weak"]
    standing.provider_certify(provider=weak, level="L3")
    june = run_and_publish(pf.JUNE)
    weak.refresh_from_db()
    assert weak.tier == "L2" and current_certificates(weak) == ["L2"]
    demotion = Decision.objects.get(cycle=june, provider=weak, kind="demote")
    filer = factories.ProviderUserFactory(provider=weak).user
    appeal = appeals.appeal_file(decision=demotion, filed_by=filer, statement="数据有误")
    reviewer = make_staff(roles, "appeal_reviewer", username="appeals")
    appeals.appeal_decide(appeal=appeal, reviewer=reviewer, outcome="overturned", reason="数据源错误")
    weak.refresh_from_db()
    assert weak.tier == "L3" and current_certificates(weak) == ["L3"]
    new = Certificate.objects.get(provider=weak, status="active")
    # The L2 certificate of the demotion is superseded by the new L3 one, which names it; both have decisions.
    assert new.supersedes.level == "L2" and new.supersedes.status == "superseded"
    assert new.decision.kind == "certify" and new.decision.evidence["level"] == "L3"
    assert not Decision.objects.filter(kind="reinstate").exists()
    assert appeals.appeal_window(demotion)["code"] == "already_overturned"


def test_publish_supersedes_the_replaced_certificate_and_demotion_to_l0_revokes_it(db):
    p = cycle_world.build(window=pf.JUNE)
    weak = p["weak"]
    first = standing.provider_certify(provider=weak, level="L1")
    run_and_publish(pf.JUNE)  # weak (L1) is demoted to L0
    weak.refresh_from_db()
    first.refresh_from_db()
    assert weak.tier == "L0" and current_certificates(weak) == []
    assert first.status == "revoked"
    strong = Provider.objects.get(pk=p["strong"].pk)
    assert strong.tier == "L1" and current_certificates(strong) == ["L1"]


def test_every_provider_tier_matches_its_current_certificate_after_cycles_and_appeals(db):
    p = cycle_world.build(window=pf.JUNE, windows=[pf.JUNE, JULY])
    standing.provider_certify(provider=p["weak"], level="L3")
    run_and_publish(pf.JUNE)
    run_and_publish(JULY)
    for provider in Provider.objects.all():
        expected = [] if provider.tier == "L0" else [provider.tier]
        assert current_certificates(provider) == expected, provider
