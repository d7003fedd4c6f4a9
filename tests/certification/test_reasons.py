"""Reasons are codes with parameters; certification.reasons words them in the reader's language for pages, API,
notifications and the ledger's reason_text. Nothing parses stored text."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from certification import services as cert_services
from certification.ledger import decision_append
from certification.models import CycleOutcome, Decision
from certification.reasons import decision_sentences, reason, sentence, sentences
from tests import factories
from tests.conftest import make_staff
from tests.scores import make_cycle

# Every reason certification.rules.evaluate and certification.cycles write, with both languages' sentences.
SENTENCES = [
    (reason("promote_bar_met", tier="L2"), "Promoted: the L2 bar is met.", "晋级：已达到 L2 的门槛。"),
    (
        reason("demote_below_floor", overall=Decimal("48.1"), floor=Decimal("50"), tier="L2"),
        "Demoted: the overall score 48.1 is below 50 (the L2 bar minus the hysteresis).",
        "降级：总分 48.1 低于 50（L2 门槛减去降级缓冲）。",
    ),
    (
        reason("demote_below_floor", overall=Decimal("29.0000"), floor=Decimal("35.0000"), tier="L1"),
        "Demoted: the overall score 29.0 is below 35 (the L1 bar minus the hysteresis).",
        "降级：总分 29.0 低于 35（L1 门槛减去降级缓冲）。",
    ),
    (
        reason("warn_percentile", percentile=Decimal("0.05"), bar=Decimal("0.10")),
        "Warning: the percentile in the cohort, 5%, is below 10%.",
        "预警：同组百分位 5% 低于 10%。",
    ),
    (
        reason("warn_overall", overall=Decimal("29"), bar=Decimal("30")),
        "Warning: the overall score 29.0 is below 30.",
        "预警：总分 29.0 低于 30。",
    ),
    (
        reason("warn_unranked", cycles=3),
        "Warning: not ranked for 3 cycles in a row.",
        "预警：已连续 3 个周期未排名。",
    ),
    (reason("warn_unranked", cycles=1), "Warning: not ranked for 1 cycle in a row.", "预警：已连续 1 个周期未排名。"),
    (
        reason("not_ranked_keeps_level"),
        "Not ranked (too little activity): the tier stays as it is.",
        "未排名（活跃度不足）：保持原等级。",
    ),
    (
        reason("probation_consecutive_warnings", cycles=2),
        "Probation: warned in 2 consecutive cycles.",
        "观察期：已连续 2 个周期被预警。",
    ),
    (
        reason("delist_warned_in_probation"),
        "Delisting proposed: warned again while on probation.",
        "提议清退：观察期内再次被预警。",
    ),
    (
        reason("delist_serious_violation", violations=[12]),
        "Delisting proposed: confirmed serious violation #12.",
        "提议清退：已确认特别严重违规 #12。",
    ),
    (
        reason("delist_serious_violation", violations=[12, 15]),
        "Delisting proposed: confirmed serious violation #12, #15.",
        "提议清退：已确认特别严重违规 #12, #15。",
    ),
    (reason("delisted_no_rules"), "Delisted: the rules no longer apply.", "已清退：不再适用规则。"),
]


@pytest.mark.parametrize(("stored", "english", "chinese"), SENTENCES)
def test_each_reason_code_reads_as_a_sentence_in_both_languages(stored, english, chinese):
    with translation.override("en"):
        assert sentence(stored) == english
    with translation.override("zh-hans"):
        assert sentence(stored) == chinese


def test_a_reason_stored_before_reasons_had_codes_is_shown_as_stored():
    """Old ledger entries keep their English reasons (the ledger is never rewritten); they are not parsed."""
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert sentence("warn: percentile 0.05 < 0.10") == "warn: percentile 0.05 < 0.10"
            assert sentence({"code": "unknown_code"}) == "unknown_code"


def test_decision_sentences_take_the_reasons_of_the_decisions_kind_else_its_code_and_text():
    coded = [reason("promote_bar_met", tier="L2"), reason("warn_percentile", percentile="0.05", bar="0.10")]
    promote = Decision(kind="promote", reason_code="cycle_promote", evidence={"reasons": coded})
    warn = Decision(kind="warn", reason_code="cycle_warning", evidence={"reasons": coded})
    certify = Decision(kind="certify", reason_code="tier_certified", evidence={"level": "L2"})
    manual = Decision(kind="warn", reason_code="staff_warning", reason_text="Late reports", evidence={})
    with translation.override("en"):
        assert decision_sentences(promote) == ["Promoted: the L2 bar is met."]
        assert decision_sentences(warn) == ["Warning: the percentile in the cohort, 5%, is below 10%."]
        assert decision_sentences(certify) == ["Tier certificate issued."]
        assert decision_sentences(manual) == ["Late reports"]
    with translation.override("zh-hans"):
        assert decision_sentences(certify) != ["Tier certificate issued."]


# Pages ---------------------------------------------------------------------------------------------

STORED = [
    reason("demote_below_floor", overall=Decimal("48.1"), floor=Decimal("50"), tier="L2"),
    reason("warn_percentile", percentile=Decimal("0.05"), bar=Decimal("0.10")),
]


def client_as(user, language=None):
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_preview_shows_reasons_as_sentences_in_both_languages(roles):
    manager = make_staff(roles, "cycle_manager", username="mgr")
    cycle = make_cycle(month=5, status="computed")
    outcome = CycleOutcome.objects.create(
        cycle=cycle,
        provider=factories.ProviderFactory(name="Falling Co"),
        cohort="mcn",
        status_before="active",
        ranked=True,
        overall=Decimal("48.1"),
        current_tier="L2",
        proposed_tier="L1",
        change="demote",
        warn=True,
        reasons=STORED,
    )
    chinese = client_as(manager).get(f"/console/cycles/{cycle.pk}/preview/").content.decode()
    assert ">降级：总分 48.1 低于 50（L2 门槛减去降级缓冲）。 预警：同组百分位 5% 低于 10%。</td>" in chinese
    english = client_as(manager, "en").get(f"/console/cycles/{cycle.pk}/preview/").content.decode()
    assert (
        ">Demoted: the overall score 48.1 is below 50 (the L2 bar minus the hysteresis). "
        "Warning: the percentile in the cohort, 5%, is below 10%.</td>"
    ) in english
    for body in (chinese, english):
        assert "demote_below_floor" not in body and "warn_percentile" not in body
    outcome.refresh_from_db()
    assert outcome.reasons == STORED


@pytest.mark.django_db
def test_dashboard_and_appeal_page_show_a_cycle_decisions_reasons(provider_user, provider):
    evidence = {"from": "L2", "to": "L1", "overall": "48.1000", "reasons": STORED}
    demote = decision_append(
        kind="demote", provider=provider, reason_code="cycle_demote", evidence=evidence, effective_at=timezone.now()
    )
    warn = decision_append(
        kind="warn", provider=provider, reason_code="cycle_warning", evidence=evidence, effective_at=timezone.now()
    )
    certify = decision_append(kind="certify", provider=provider, reason_code="tier_certified", evidence={"level": "L1"})
    chinese = client_as(provider_user).get("/portal/").content.decode()
    assert ">降级：总分 48.1 低于 50（L2 门槛减去降级缓冲）。</td>" in chinese
    assert ">预警：同组百分位 5% 低于 10%。</td>" in chinese
    assert ">tier_certified</td>" not in chinese  # no reasons of its own: its code's sentence
    english = client_as(provider_user, "en").get("/portal/").content.decode()
    assert ">Demoted: the overall score 48.1 is below 50 (the L2 bar minus the hysteresis).</td>" in english
    assert ">Warning: the percentile in the cohort, 5%, is below 10%.</td>" in english
    appeal = client_as(provider_user, "en").get(f"/portal/decisions/{warn.pk}/appeal/").content.decode()
    assert "<p>Warning: the percentile in the cohort, 5%, is below 10%.</p>" in appeal
    appeal = client_as(provider_user).get(f"/portal/decisions/{demote.pk}/appeal/").content.decode()
    assert "<p>降级：总分 48.1 低于 50（L2 门槛减去降级缓冲）。</p>" in appeal
    # Every decision has its text: without one from its maker, the ledger stores its code's English sentence,
    # which pages do not repeat after the translated one.
    stored = {d.pk: (d.reason_text, d.evidence) for d in Decision.objects.filter(pk__in=[demote.pk, warn.pk])}
    assert stored == {
        demote.pk: ("Demoted in a qualification cycle.", evidence),
        warn.pk: ("Warned in a qualification cycle.", evidence),
    }
    assert certify.reason_text == "Tier certificate issued."
    assert "Tier certificate issued." not in chinese and english.count("Tier certificate issued.") == 1


@pytest.mark.django_db
def test_delisting_queue_translates_a_cycles_reasons_and_keeps_free_text(roles):
    manager = make_staff(roles, "cycle_manager", username="mgr")
    coded = [reason("warn_overall", overall="29", bar="30"), reason("delist_warned_in_probation")]
    cycle_text = "Delisting proposed: warned again while on probation."
    from_cycle = cert_services.delist_propose(
        provider=factories.ProviderFactory(name="Cycle Co"),
        reason_code="cycle_delist_proposal",
        reason_text=cycle_text,
        evidence={"reasons": coded},
    )
    free = cert_services.delist_propose(
        provider=factories.ProviderFactory(name="Fake Co"), reason_code="serious_violation", reason_text="Fakes; twice"
    )
    english = client_as(manager, "en").get("/console/delistings/").content.decode()
    assert "<dd>Delisting proposed: warned again while on probation.</dd>" in english
    assert "<dd>Delisting proposed: a confirmed serious violation. Fakes; twice</dd>" in english
    assert f'id="proposal-{from_cycle.pk}"' in english and f'id="proposal-{free.pk}"' in english
    chinese = client_as(manager).get("/console/delistings/").content.decode()
    assert "<dd>提议清退：观察期内再次被预警。</dd>" in chinese
    assert "cycle_delist_proposal" not in chinese and "serious_violation" not in chinese
    from_cycle.refresh_from_db()
    assert from_cycle.reason_text == cycle_text


def test_stored_reasons_are_what_the_rules_engine_writes():
    """The shapes above are the engine's own: a demotion with a percentile warning, as evaluate() words it."""
    from certification.rules import evaluate

    ruleset = type(
        "R",
        (),
        {
            "warn_unranked_cycles": 3,
            "demotion_hysteresis": Decimal("2"),
            "warn_percentile_below": Decimal("0.10"),
            "warn_overall_below": Decimal("30"),
            "delist_on_warning_in_probation": True,
            "probation_consecutive_warnings": 2,
            "overall_bar": lambda self, tier: {"L1": Decimal("35"), "L2": Decimal("52"), "L3": Decimal("70")}[tier],
            "l4_min_capability": Decimal("0"),
            "l5_min_capability": Decimal("0"),
            "l5_min_percentile": Decimal("0"),
        },
    )()
    outcome = evaluate(
        ruleset=ruleset,
        current_tier="L2",
        status="active",
        ranked=True,
        overall=Decimal("48.1"),
        percentile=Decimal("0.05"),
    )
    assert outcome.reasons == STORED
    with translation.override("en"):
        assert sentences(outcome.reasons) == [
            "Demoted: the overall score 48.1 is below 50 (the L2 bar minus the hysteresis).",
            "Warning: the percentile in the cohort, 5%, is below 10%.",
        ]
