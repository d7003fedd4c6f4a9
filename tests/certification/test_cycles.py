"""Qualification cycles: run guard, preview, publish (ledger, tiers, certificates, notifications), permissions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_celery_beat.models import PeriodicTask

from certification import cycles, standing, violations
from certification import services as cert_services
from certification.ledger import ledger_verify
from certification.mailing import notifications_email
from certification.models import Certificate, CycleOutcome, Decision, Notification, RuleSet
from certification.tasks import cycle_watchdog_task
from providers.models import Provider
from scoring.models import MetricScore, ProviderScore, QualificationCycle
from tests import factories
from tests.conftest import make_staff
from tests.scoring import platform as pf

from . import cycle_world

SH = pf.SH


class Killed(BaseException):
    """Stands for a worker killed mid-run: not an Exception, so the run cannot mark itself failed."""


@pytest.fixture
def manager(roles):
    return make_staff(roles, "cycle_manager", username="manager")


@pytest.fixture
def reviewer(roles):
    return make_staff(roles, "admission_reviewer", username="reviewer")


def june_cycle(kind="monthly", **kw):
    return cycles.cycle_create(kind=kind, window_start=pf.JUNE[0], window_end=pf.JUNE[1], **kw)


def run(cycle, **kw):
    token = cycles.cycle_claim(cycle_id=cycle.pk, **kw)
    assert token is not None
    assert cycles.cycle_run(cycle_id=cycle.pk, token=token)
    cycle.refresh_from_db()
    return cycle


def snapshot(cycle):
    scores = list(
        ProviderScore.objects.filter(cycle=cycle)
        .order_by("provider_id")
        .values_list("provider_id", "ranked", "overall", "rank", "percentile")
    )
    metrics = list(
        MetricScore.objects.filter(provider_score__cycle=cycle)
        .order_by("provider_score__provider_id", "key")
        .values_list("provider_score__provider_id", "key", "raw_value", "score")
    )
    outcomes = list(
        CycleOutcome.objects.filter(cycle=cycle)
        .order_by("provider_id")
        .values_list("provider_id", "current_tier", "proposed_tier", "change", "warn", "probation", "delist_proposal")
    )
    return scores, metrics, outcomes


def decisions_of(cycle):
    return list(
        Decision.objects.filter(cycle=cycle).order_by("seq").values_list("provider_id", "kind", "status", "reason_code")
    )


@pytest.fixture
def world(db):
    providers = cycle_world.build(serious_violation_for="middle")
    # The weak provider holds L3 with a certificate: it may fall one level only.
    Provider.objects.filter(pk=providers["weak"].pk).update(tier="L3")
    standing.provider_certify(provider=providers["weak"], level="L3")
    return providers


def expected_outcomes(p):
    return [
        (p["strong"].pk, "L0", "L1", "promote", False, False, False),
        (p["middle"].pk, "L0", "L1", "promote", False, False, True),
        (p["weak"].pk, "L3", "L2", "demote", True, False, False),
        (p["idle"].pk, "L0", "L0", "none", False, False, False),
    ]


def expected_decisions(p):
    return [
        (p["strong"].pk, "promote", "effective", "cycle_promote"),
        (p["middle"].pk, "promote", "effective", "cycle_promote"),
        (p["middle"].pk, "delist", "pending", "cycle_delist_proposal"),
        (p["weak"].pk, "demote", "effective", "cycle_demote"),
        (p["weak"].pk, "warn", "effective", "cycle_warning"),
        (p["strong"].pk, "certify", "effective", "tier_certified"),
        (p["middle"].pk, "certify", "effective", "tier_certified"),
        (p["weak"].pk, "certify", "effective", "tier_certified"),
    ]


def test_preview_then_publish_applies_everything_once(world, manager, client_for, django_capture_on_commit_callbacks):
    p = world
    factories.ProviderUserFactory(provider=p["strong"], user__email="boss@strong.example")
    cycle = june_cycle()
    assert cycle.rules.rule_set == RuleSet.objects.get(version=1)
    run(cycle)
    assert (cycle.status, cycle.stage, cycle.percent) == ("computed", "computed", 100)

    body = client_for(manager).get(f"/api/v1/cycles/{cycle.pk}/preview/").json()
    got = [
        (
            o["provider"],
            o["current_tier"],
            o["proposed_tier"],
            o["change"],
            o["warn"],
            o["probation"],
            o["delist_proposal"],
        )
        for o in sorted(body["outcomes"], key=lambda o: o["provider"])
    ]
    assert got == expected_outcomes(p)
    assert body["counts"]["all"] == {
        "providers": 4,
        "promote": 2,
        "demote": 1,
        "unchanged": 1,
        "warn": 1,
        "probation": 0,
        "delist_proposal": 1,
        "not_ranked": 1,
    }
    assert set(body["counts"]["by_cohort"]) == {"mcn"}
    strong = next(o for o in body["outcomes"] if o["provider"] == p["strong"].pk)
    # One level per cycle: 72 clears L3's bar (65) but the proposal is L1.
    assert strong["overall"] == "72.0000" and strong["reasons"] == [
        {"code": "promote_bar_met", "params": {"tier": "L1"}}
    ]
    assert strong["reason_texts"] == ["晋级：已达到 L1 的门槛。"]
    # Nothing took effect yet.
    assert Decision.objects.filter(cycle=cycle).count() == 0
    assert Provider.objects.get(pk=p["strong"].pk).tier == "L0"

    ledger_before = Decision.objects.count()
    # After commit the e-mail is queued (tests/certification/test_mailing.py); here the sweep sends it below.
    with django_capture_on_commit_callbacks() as after_commit:
        response = client_for(manager).post(f"/api/v1/cycles/{cycle.pk}/publish/")
    assert response.status_code == 200, response.content
    assert len(after_commit) == 1 and not mail.outbox
    assert response.json() == {
        "cycle": cycle.pk,
        "decisions": 8,
        "promoted": 2,
        "demoted": 1,
        "warned": 1,
        "probation": 0,
        "delist_proposals": 1,
        "certificates": 3,
        "notifications": 5,
    }
    assert decisions_of(cycle) == expected_decisions(p)
    assert Decision.objects.count() == ledger_before + 8
    assert dict(Provider.objects.filter(pk__in=[x.pk for x in p.values()]).values_list("name", "tier")) == {
        p["strong"].name: "L1",
        p["middle"].name: "L1",
        p["weak"].name: "L2",
        p["idle"].name: "L0",
    }
    year = dt.datetime.now(SH).year
    certs = list(
        Certificate.objects.filter(kind="provider").order_by("number").values_list("provider_id", "level", "status")
    )
    assert certs == [
        (p["weak"].pk, "L3", "superseded"),
        (p["strong"].pk, "L1", "active"),
        (p["middle"].pk, "L1", "active"),
        (p["weak"].pk, "L2", "active"),
    ]
    new_weak = Certificate.objects.get(provider=p["weak"], level="L2")
    assert new_weak.supersedes.level == "L3" and new_weak.number == f"SP-{year}-000004"
    assert new_weak.decision.kind == "certify"
    assert sorted(Notification.objects.values_list("provider_id", "kind")) == sorted(
        [
            (p["strong"].pk, "promote"),
            (p["middle"].pk, "promote"),
            (p["middle"].pk, "delist_proposal"),
            (p["weak"].pk, "demote"),
            (p["weak"].pk, "warn"),
        ]
    )
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}
    assert notifications_email() == {"pending": 0, "sent": 1, "no_address": 4, "failed": 0}
    assert [(m.to, m.body) for m in mail.outbox] == [
        (["boss@strong.example"], "Qualification cycle Monthly 2025-06-01 – 2025-06-30: promoted from L0 to L1.")
    ]
    # The notification keeps its parameters: the API words it in the reader's language.
    note = Notification.objects.get(provider=p["strong"])
    assert (note.params["current"], note.params["proposed"], note.params["last"]) == ("L0", "L1", "2025-06-30")
    assert ledger_verify().broken is None

    # Publishing twice changes nothing.
    again = client_for(manager).post(f"/api/v1/cycles/{cycle.pk}/publish/")
    assert again.status_code == 409 and again.json()["code"] == "already_published"
    assert Decision.objects.count() == ledger_before + 8
    assert Certificate.objects.count() == 4 and Notification.objects.count() == 5

    # The pending delisting takes effect with two different cycle managers (existing endpoint).
    proposal = Decision.objects.get(cycle=cycle, kind="delist")
    assert proposal.decided_by == manager
    cert_services.decision_approve(decision=proposal, approver=make_staff_pair(manager)[0])
    cert_services.decision_approve(decision=proposal, approver=make_staff_pair(manager)[1])
    assert Provider.objects.get(pk=p["middle"].pk).status == "delisted"
    assert ledger_verify().broken is None


def make_staff_pair(manager):
    from django.contrib.auth.models import Group

    out = []
    for name in ("approver_a", "approver_b"):
        user, _ = factories.UserFactory._meta.model.objects.get_or_create(username=name, defaults={"is_staff": True})
        user.groups.set([Group.objects.get(name="cycle_manager")])
        out.append(user)
    return out


def test_rule_set_used_by_a_cycle_is_frozen(world):
    cycle = june_cycle()
    with pytest.raises(ValidationError) as exc:
        cert_services.ruleset_update(ruleset=cycle.rules.rule_set, l1_overall=Decimal("41"))
    assert exc.value.code == "ruleset_in_use"
    assert RuleSet.objects.get(version=1).l1_overall == Decimal("40.0000")


def test_probation_after_two_warnings_then_delist_proposal(db, manager, client_for):
    windows = [pf.JUNE, cycle_world.JULY, (pf.at(2025, 8, 1), pf.at(2025, 9, 1))]
    p = cycle_world.build(windows=windows)
    published = []
    for start, end in windows:
        cycle = run(cycles.cycle_create(kind="monthly", window_start=start, window_end=end))
        cycles.cycle_publish(cycle=cycle, user=None)
        published.append(cycle)
    june, july, august = published
    weak = p["weak"].pk
    assert CycleOutcome.objects.filter(cycle=june, provider_id=weak).values_list("warn", "probation").get() == (
        True,
        False,
    )
    july_outcome = CycleOutcome.objects.get(cycle=july, provider_id=weak)
    assert (july_outcome.warn, july_outcome.probation) == (True, True)
    # fix_by = end of the next monthly cycle: 1 September 00:00 Shanghai.
    assert july_outcome.fix_by == pf.at(2025, 9, 1)
    # In the ledger's evidence and in the preview alike, as every time of the API: Asia/Shanghai.
    assert Decision.objects.get(cycle=july, kind="probation").evidence["fix_by"] == "2025-09-01T00:00:00+08:00"
    preview = client_for(manager).get(f"/api/v1/cycles/{july.pk}/preview/").json()
    (row,) = [o for o in preview["outcomes"] if o["provider"] == weak]
    assert row["fix_by"] == "2025-09-01T00:00:00+08:00"
    aug = CycleOutcome.objects.get(cycle=august, provider_id=weak)
    assert (aug.status_before, aug.warn, aug.delist_proposal) == ("probation", True, True)
    assert Decision.objects.get(cycle=august, kind="delist").status == "pending"
    assert Provider.objects.get(pk=weak).status == "probation"
    # Never more than one level up per cycle: strong climbs L0 → L1 → L2 → L3.
    assert list(
        CycleOutcome.objects.filter(provider_id=p["strong"].pk)
        .order_by("cycle__window_start")
        .values_list("current_tier", "proposed_tier")
    ) == [("L0", "L1"), ("L1", "L2"), ("L2", "L3")]
    # The idle provider is not ranked two cycles running from July: warned then.
    assert list(
        CycleOutcome.objects.filter(provider_id=p["idle"].pk)
        .order_by("cycle__window_start")
        .values_list("warn", flat=True)
    ) == [False, True, True]


def test_second_start_is_refused_and_a_killed_run_is_rerun_identically(world, manager, client_for):
    p = world
    cycle = june_cycle()
    client = client_for(manager)
    first = client.post(f"/api/v1/cycles/{cycle.pk}/run/")
    assert first.status_code == 202 and first.json()["status"] == "running"
    token = first.json()["task_id"]
    second = client.post(f"/api/v1/cycles/{cycle.pk}/run/")
    assert second.status_code == 409 and second.json()["code"] == "cycle_running"
    cycle.refresh_from_db()
    assert (cycle.status, cycle.run_token) == ("running", token)

    # The worker dies after scoring: the cycle stays running at the preview stage... no, before it.
    def die(cycle_id, stage):
        if stage == "scored":
            raise Killed

    original = cycles.after_stage
    cycles.after_stage = die
    try:
        with pytest.raises(Killed):
            cycles.cycle_run(cycle_id=cycle.pk, token=token)
    finally:
        cycles.after_stage = original
    cycle.refresh_from_db()
    assert (cycle.status, cycle.stage) == ("running", "scoring")
    # A duplicate delivery of the same task is a no-op.
    assert cycles.cycle_run(cycle_id=cycle.pk, token=token) is False
    # Not stale yet: a plain run is refused; a cycle manager forces it.
    assert client.post(f"/api/v1/cycles/{cycle.pk}/run/").status_code == 409
    forced = client.post(f"/api/v1/cycles/{cycle.pk}/run/", {"force": True}, format="json")
    assert forced.status_code == 202
    new_token = forced.json()["task_id"]
    assert new_token != token
    # The killed run cannot write any more (superseded); the new one completes.
    assert cycles.cycle_run(cycle_id=cycle.pk, token=token) is False
    assert cycles.cycle_run(cycle_id=cycle.pk, token=new_token) is True
    cycle.refresh_from_db()
    assert cycle.status == "computed"
    assert snapshot(cycle)[2] == expected_outcomes(p)
    cycles.cycle_publish(cycle=cycle, user=manager)
    assert decisions_of(cycle) == expected_decisions(p)


def test_stale_running_cycle_can_be_rerun_and_rerun_reproduces_scores(world):
    cycle = run(june_cycle())
    before = snapshot(cycle)
    # Left running by a dead worker an hour and a bit ago.
    stale = cycle.started_at - cycles.STALE_AFTER - dt.timedelta(minutes=1)
    QualificationCycle.objects.filter(pk=cycle.pk).update(status="running", stage="scoring", heartbeat_at=stale)
    run(cycle)
    assert cycle.status == "computed"
    assert snapshot(cycle) == before


def test_failure_marks_failed_with_error_and_is_retriable(world):
    cycle = june_cycle()

    def boom(cycle_id, stage):
        if stage == "previewed":
            raise RuntimeError("disk full")

    original = cycles.after_stage
    cycles.after_stage = boom
    try:
        token = cycles.cycle_claim(cycle_id=cycle.pk)
        with pytest.raises(RuntimeError):
            cycles.cycle_run(cycle_id=cycle.pk, token=token)
    finally:
        cycles.after_stage = original
    cycle.refresh_from_db()
    assert (cycle.status, cycle.stage, cycle.error) == ("failed", "failed", "RuntimeError: disk full")
    run(cycle)
    assert (cycle.status, cycle.error) == ("computed", "")


def test_only_cycle_managers_run_publish_cancel(world, reviewer, auditor, provider_user, client_for):
    cycle = june_cycle()
    for user in (reviewer, auditor, provider_user):
        client = client_for(user)
        for action in ("run", "publish", "cancel"):
            response = client.post(f"/api/v1/cycles/{cycle.pk}/{action}/")
            assert response.status_code == 403, (user, action)
    cycle.refresh_from_db()
    assert (cycle.status, cycle.run_token) == ("scheduled", "")
    assert Decision.objects.count() == 1  # the weak provider's certificate of the fixture


def test_cancel(world, manager, client_for):
    cycle = june_cycle()
    client = client_for(manager)
    assert client.post(f"/api/v1/cycles/{cycle.pk}/cancel/").json()["status"] == "cancelled"
    again = client.post(f"/api/v1/cycles/{cycle.pk}/cancel/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_status"
    assert client.post(f"/api/v1/cycles/{cycle.pk}/run/").status_code == 409


def test_provider_sees_only_own_published_outcome_and_notifications(world, manager, client_for, roles):
    p = world
    mine = factories.ProviderUserFactory(provider=p["strong"]).user
    cycle = run(june_cycle())
    client = client_for(mine)
    assert client.get(f"/api/v1/cycles/{cycle.pk}/preview/").status_code == 404
    assert client.get("/api/v1/cycle-outcomes/").json()["count"] == 0  # not published yet
    cycles.cycle_publish(cycle=cycle, user=manager)
    body = client.get("/api/v1/cycle-outcomes/").json()
    assert [(o["provider"], o["proposed_tier"]) for o in body["results"]] == [(p["strong"].pk, "L1")]
    other = CycleOutcome.objects.get(cycle=cycle, provider=p["weak"])
    assert client.get(f"/api/v1/cycle-outcomes/{other.pk}/").status_code == 404
    notes = client.get("/api/v1/notifications/").json()
    assert [(n["provider"], n["kind"], n["read"]) for n in notes["results"]] == [(p["strong"].pk, "promote", False)]
    assert notes["results"][0]["message"] == "强赛马 月度 2025-06-01 – 2025-06-30：由 L0 晋级至 L1。"
    english = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["message"]
    assert english == "Qualification cycle Monthly 2025-06-01 – 2025-06-30: promoted from L0 to L1."
    theirs = Notification.objects.filter(provider=p["weak"]).first()
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read is False
    own = notes["results"][0]["id"]
    assert client.post(f"/api/v1/notifications/{own}/read/").json()["read"] is True
    assert client_for(manager).get("/api/v1/notifications/").json()["count"] == 5


def test_simulation_compares_and_can_never_publish(world, manager, client_for):
    p = world
    real = run(june_cycle())
    cycles.cycle_publish(cycle=real, user=manager)
    stricter = cert_services.ruleset_create(
        name="stricter L1",
        **{
            f: getattr(RuleSet.objects.get(version=1), f)
            for f in [
                "l2_overall",
                "l3_overall",
                "l4_overall",
                "l4_min_capability",
                "l5_overall",
                "l5_min_capability",
                "l5_min_percentile",
                "demotion_hysteresis",
                "warn_percentile_below",
                "warn_overall_below",
                "warn_unranked_cycles",
                "probation_consecutive_warnings",
                "probation_fix_by_cycles",
                "delist_on_warning_in_probation",
                "delist_on_serious_violation",
            ]
        },
        l1_overall=Decimal("50"),
    )
    sim = run(june_cycle(kind="simulation", rule_set=stricter))
    ledger = Decision.objects.count()
    response = client_for(manager).post(f"/api/v1/cycles/{sim.pk}/publish/")
    assert response.status_code == 409 and response.json()["code"] == "simulation_cannot_publish"
    assert response.json()["message"] == "模拟周期不能发布。"
    english = client_for(manager).post(f"/api/v1/cycles/{sim.pk}/publish/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 409 and english.json()["code"] == "simulation_cannot_publish"
    assert english.json()["message"] == "A simulation cycle can never be published."
    assert Decision.objects.count() == ledger
    sim.refresh_from_db()
    assert sim.status == "computed"
    body = client_for(manager).get(f"/api/v1/cycles/{sim.pk}/comparison/").json()
    assert body["published_cycle"] == real.pk and body["changed"] == 1
    middle = next(r for r in body["providers"] if r["provider"] == p["middle"].pk)
    # The tier the cycle started from, and the tier the published cycle left it at (its current tier).
    assert (middle["tier_before"], middle["current_tier"]) == ("L0", "L1")
    assert (middle["simulated"]["proposed_tier"], middle["published"]["proposed_tier"]) == ("L0", "L1")
    assert middle["differs"] is True
    # Providers never see simulations.
    user = factories.ProviderUserFactory(provider=p["middle"]).user
    assert client_for(user).get(f"/api/v1/cycles/{sim.pk}/").status_code == 404


def test_schedule_creates_and_runs_the_previous_month_once(world):
    names = set(
        PeriodicTask.objects.filter(task="certification.tasks.scheduled_cycle_task").values_list("name", flat=True)
    )
    if not names:  # a transactional test elsewhere flushed the data migration's rows
        from django.apps import apps

        from certification.migrations import __name__ as pkg

        __import__(f"{pkg}.0007_cycle_tier_side", fromlist=["schedule"]).schedule(apps, None)
    tasks = {t.kwargs: t.crontab for t in PeriodicTask.objects.filter(task="certification.tasks.scheduled_cycle_task")}
    monthly, quarterly = tasks['{"kind": "monthly"}'], tasks['{"kind": "quarterly"}']
    assert (monthly.minute, monthly.hour, monthly.day_of_month, monthly.month_of_year, str(monthly.timezone)) == (
        "0",
        "3",
        "3",
        "*",
        "Asia/Shanghai",
    )
    assert quarterly.month_of_year == "1,4,7,10"

    now = pf.at(2025, 7, 3, 3, 0)
    assert cycles.previous_window("monthly", now) == pf.JUNE
    assert cycles.previous_window("quarterly", now) == (pf.at(2025, 4, 1), pf.at(2025, 7, 1))
    assert cycles.previous_window("quarterly", pf.at(2025, 1, 3, 3)) == (pf.at(2024, 10, 1), pf.at(2025, 1, 1))
    cycle = cycles.cycle_schedule_due(kind="monthly", now=now)
    assert (cycle.kind, cycle.window_start, cycle.window_end, cycle.status) == ("monthly", *pf.JUNE, "computed")
    assert cycles.cycle_schedule_due(kind="monthly", now=now).pk == cycle.pk
    assert QualificationCycle.objects.count() == 1


def test_publish_wiring_property_over_random_tiers(world):
    """Whatever the starting tiers: at most one level per cycle, unranked never moves, and publishing
    applies exactly the previewed outcomes (tiers, one decision per change/warning, certificates)."""
    import random

    from certification.rules import TIERS

    p = world
    cycle = run(june_cycle())
    rng = random.Random(7)
    for _ in range(25):
        tiers = {name: rng.choice(TIERS) for name in p}
        standing.tiers_move(moves={p[name].pk: tier for name, tier in tiers.items()})  # the one writer of tiers
        cycles.cycle_preview_compute(cycle=cycle)
        for o in CycleOutcome.objects.filter(cycle=cycle):
            move = TIERS.index(o.proposed_tier) - TIERS.index(o.current_tier)
            assert abs(move) <= 1
            assert o.ranked or move == 0
            assert o.change == {1: "promote", -1: "demote", 0: "none"}[move]
    outcomes = {o.provider_id: o for o in CycleOutcome.objects.filter(cycle=cycle)}
    before = Decision.objects.count()
    summary = cycles.cycle_publish(cycle=cycle, user=None)
    for pid, o in outcomes.items():
        assert Provider.objects.get(pk=pid).tier == o.proposed_tier
        kinds = sorted(Decision.objects.filter(cycle=cycle, provider_id=pid).values_list("kind", flat=True))
        expected = []
        if o.change != "none":
            expected.append(o.change)
            if o.proposed_tier != "L0":
                expected.append("certify")
        expected += ["warn"] * o.warn + ["probation"] * o.probation + ["delist"] * o.delist_proposal
        assert kinds == sorted(expected)
    assert Decision.objects.count() == before + summary["decisions"]
    assert ledger_verify().broken is None


def test_recording_a_serious_violation_proposes_delisting_once(world):

    p = world
    minor = violations.violation_record(
        provider=p["strong"], severity="major", points=6, occurred_at=pf.at(2025, 6, 9, 10)
    )
    assert not Decision.objects.filter(kind="delist", provider=p["strong"]).exists()
    v = violations.violation_update(violation=minor, severity="serious", points=12)
    violations.violation_update(violation=v, description="fake orders, confirmed")
    proposal = Decision.objects.get(kind="delist", provider=p["strong"])
    assert (proposal.status, proposal.reason_code, proposal.subject_id) == ("pending", "serious_violation", str(v.pk))
    # The cycle of that window proposes it too, but the open proposal is not doubled at publish.
    cycle = run(june_cycle())
    assert CycleOutcome.objects.get(cycle=cycle, provider=p["strong"]).delist_proposal is True
    cycles.cycle_publish(cycle=cycle, user=None)
    assert Decision.objects.filter(kind="delist", provider=p["strong"]).count() == 1


def test_a_warning_overturned_on_appeal_does_not_count_toward_probation(roles):
    from certification import appeals

    windows = [pf.JUNE, cycle_world.JULY]
    p = cycle_world.build(windows=windows)
    weak = p["weak"]
    june = run(cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1]))
    cycles.cycle_publish(cycle=june, user=None)
    warning = Decision.objects.get(cycle=june, kind="warn", provider=weak)
    filer = factories.ProviderUserFactory(provider=weak).user
    appeal = appeals.appeal_file(decision=warning, filed_by=filer, statement="数据延迟")
    reviewer = make_staff(roles, "appeal_reviewer", username="appeals")
    appeals.appeal_decide(appeal=appeal, reviewer=reviewer, outcome="overturned", reason="数据已更正")

    july = run(cycles.cycle_create(kind="monthly", window_start=cycle_world.JULY[0], window_end=cycle_world.JULY[1]))
    outcome = CycleOutcome.objects.get(cycle=july, provider=weak)
    # Warned again in July, but June's warning no longer stands: no probation.
    assert (outcome.warn, outcome.probation) == (True, False)
    # The ledger still holds June's warning, unchanged, beside the compensating decision.
    assert Decision.objects.filter(refers_to=warning, kind="appeal_overturned").count() == 1
    assert Decision.objects.get(pk=warning.pk).kind == "warn"


def test_watchdog_fails_a_cycle_whose_run_was_lost_and_it_can_run_again(world):
    lost, live = june_cycle(), june_cycle(kind="quarterly")
    token = cycles.cycle_claim(cycle_id=lost.pk)
    cycles.cycle_claim(cycle_id=live.pk)
    QualificationCycle.objects.filter(pk=lost.pk).update(
        stage="scoring", percent=10, heartbeat_at=dt.datetime.now(dt.UTC) - cycles.STALE_AFTER - dt.timedelta(seconds=1)
    )

    assert cycle_watchdog_task() == 1

    lost.refresh_from_db()
    live.refresh_from_db()
    assert (lost.status, lost.stage) == ("failed", "failed") and "Watchdog: no heartbeat" in lost.error
    assert live.status == "running"
    assert cycle_watchdog_task() == 0
    # The lost run cannot write any more; a new run completes.
    assert cycles.cycle_run(cycle_id=lost.pk, token=token) is False
    assert run(lost).status == "computed"
    assert PeriodicTask.objects.get(task="certification.tasks.cycle_watchdog_task").interval.every == 5
