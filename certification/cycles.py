"""Qualification-cycle lifecycle (强赛马): claim and run, preview outcomes, publish, cancel, simulation comparison.

Service names are stable (pages and the API call them); see docs/cycles.md.
"""

import dataclasses
import datetime as dt
import logging
import uuid
from collections import defaultdict

from celery import signature
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import SHANGHAI, add_months, shanghai_today
from core.errors import Refusal
from providers.choices import ProviderStatus, Severity, Tier, ViolationStatus
from providers.models import Provider, Violation
from scoring import services as scoring_services
from scoring.choices import CycleKind, CycleStatus
from scoring.models import CapabilityScore, ProviderScore, QualificationCycle
from scoring.services import cycle_score

from . import reasons
from .choices import DecisionKind, DecisionStatus, OutcomeChange
from .ledger import decisions_append_bulk, ledger_lock
from .mailing import notifications_email_enqueue
from .models import Appeal, AppealStatus, CycleOutcome, CycleRules, Decision, Notification, RuleSet
from .reasons import reason as reason_of
from .rules import TIERS, Outcome, evaluate
from .services import unresolved_delist_proposals
from .standing import providers_status_set, tiers_move

# Celery limits of run_cycle_task; a `running` cycle silent for longer than the hard limit is dead.
TASK_SOFT_TIME_LIMIT = 55 * 60
TASK_TIME_LIMIT = 60 * 60
STALE_AFTER = dt.timedelta(seconds=TASK_TIME_LIMIT)

CLAIMABLE = [CycleStatus.SCHEDULED, CycleStatus.FAILED, CycleStatus.COMPUTED]


RUN_CYCLE_TASK = "certification.tasks.run_cycle_task"

logger = logging.getLogger(__name__)

# What a claim changes; an enqueue that fails puts these back.
CLAIM_FIELDS = ("status", "run_token", "stage", "percent", "error", "started_at", "heartbeat_at", "finished_at")


# --- What may be done with a cycle now (the pages offer exactly what the services accept) -----------------


def cycle_runnable(cycle: QualificationCycle) -> bool:
    """A run may start, or start again: the statuses cycle_start claims (a stale run is forced through the API)."""
    return cycle.status in CLAIMABLE


def cycle_publishable(cycle: QualificationCycle) -> bool:
    """cycle_publish would publish it: computed, and not a simulation (a simulation never publishes)."""
    return cycle.status == CycleStatus.COMPUTED and cycle.kind != CycleKind.SIMULATION


def cycle_publishable_q() -> Q:
    """cycle_publishable as a filter, for counting in the database (the same rule)."""
    return Q(status=CycleStatus.COMPUTED) & ~Q(kind=CycleKind.SIMULATION)


def cycle_has_outcomes(cycle: QualificationCycle) -> bool:
    """Its preview (who moves where) exists: computed or published."""
    return cycle.status in (CycleStatus.COMPUTED, CycleStatus.PUBLISHED)


def cycle_run_over(status: str) -> bool:
    """No run is in progress (a progress bar stops following it)."""
    return status != CycleStatus.RUNNING


def conflict(code: str, message: str) -> Refusal:
    """A lifecycle step refused because of the cycle's state (the API answers 409 with ``code``)."""
    return Refusal(code, message, status=409)


class Superseded(Exception):
    """This run no longer holds the cycle (a forced re-run took it over)."""


def after_stage(cycle_id: int, stage: str) -> None:
    """Test hook called after each stage of a run (tests replace it to interrupt a run)."""


# --- Run ------------------------------------------------------------------------------------------


def cycle_claim(*, cycle_id: int, force: bool = False, statuses=None, now: dt.datetime | None = None) -> str | None:
    """Conditional UPDATE → running; returns the run token, or None when the cycle is not claimable.

    Claimable: scheduled, failed, computed (a re-run); a running cycle whose heartbeat is older than
    the task's hard time limit (its worker died); any running cycle with ``force``.
    """
    now = now or timezone.now()
    token = str(uuid.uuid4())
    claimable = Q(status__in=statuses or CLAIMABLE)
    claimable |= Q(status=CycleStatus.RUNNING) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER))
    if force:
        claimable |= Q(status=CycleStatus.RUNNING)
    changed = QualificationCycle.objects.filter(claimable, pk=cycle_id).update(
        status=CycleStatus.RUNNING,
        run_token=token,
        stage="queued",
        percent=0,
        error="",
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
    )
    return token if changed else None


@transaction.atomic
def cycle_start(*, cycle: QualificationCycle, user=None, force: bool = False) -> QualificationCycle:
    """Claim the cycle and enqueue run_cycle_task after commit; refuses (409) a second start."""
    if cycle.status in (CycleStatus.PUBLISHED, CycleStatus.CANCELLED):
        raise conflict("invalid_status", _("A %(status)s cycle cannot be run.") % {"status": cycle.status})
    token = cycle_claim(cycle_id=cycle.pk, force=force)
    if token is None:
        cycle.refresh_from_db()
        if cycle.status == CycleStatus.RUNNING:
            raise conflict(
                "cycle_running", _("This cycle is already running; a cycle manager may force a re-run with force=true.")
            )
        raise conflict("invalid_status", _("A %(status)s cycle cannot be run.") % {"status": cycle.status})
    before = {field: getattr(cycle, field) for field in CLAIM_FIELDS}
    transaction.on_commit(lambda: cycle_enqueue(cycle_id=cycle.pk, token=token, before=before))
    cycle.refresh_from_db()
    return cycle


def cycle_enqueue(*, cycle_id: int, token: str, before: dict) -> None:
    """Send run_cycle_task for a claimed cycle (after the claim commits). When the broker cannot be
    reached the claim is undone (the cycle is as it was) and the caller gets a 503 ``queue_unavailable``."""
    try:
        # The run token doubles as the Celery task id, so callers can follow the task (AsyncResult(token)).
        signature(RUN_CYCLE_TASK, args=(cycle_id, token)).apply_async(task_id=token)
    except Exception as exc:
        logger.error("Cycle %s not enqueued, claim undone: %s: %s", cycle_id, type(exc).__name__, exc)
        QualificationCycle.objects.filter(
            pk=cycle_id, run_token=token, status=CycleStatus.RUNNING, stage="queued"
        ).update(**before)
        raise Refusal(
            "queue_unavailable",
            _("The task queue is unavailable; the cycle was not started and is unchanged. Try again later."),
            status=503,
        ) from exc


def cycles_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Watchdog (beat, every 5 minutes): a running cycle without a heartbeat for longer than the run
    task's hard time limit has lost its run (the worker died, or the task was lost before it started);
    mark it failed with an error that says so. A failed cycle can be run again. Returns how many."""
    now = now or timezone.now()
    minutes = int(STALE_AFTER.total_seconds() // 60)
    return QualificationCycle.objects.filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER), status=CycleStatus.RUNNING
    ).update(
        status=CycleStatus.FAILED,
        stage="failed",
        error=f"Watchdog: no heartbeat for more than {minutes} minutes; the run was lost (its worker died or "
        "its task never started). Run the cycle again.",
        finished_at=now,
    )


def _step(cycle_id: int, token: str, stage: str, percent: int, *, from_stage: str | None = None) -> bool:
    rows = QualificationCycle.objects.filter(pk=cycle_id, run_token=token, status=CycleStatus.RUNNING)
    if from_stage is not None:
        rows = rows.filter(stage=from_stage)
    changed = rows.update(stage=stage, percent=percent, heartbeat_at=timezone.now())
    if not changed and from_stage is None:
        raise Superseded
    return bool(changed)


def cycle_run(*, cycle_id: int, token: str) -> bool:
    """Score and preview a claimed cycle, then mark it computed. Each stage commits on its own so the
    progress is visible; a duplicate task (same token, already past `queued`) or a superseded run does
    nothing. An error marks the cycle `failed` with its text (it can be run again)."""
    if not _step(cycle_id, token, "scoring", 10, from_stage="queued"):
        return False
    try:
        cycle = QualificationCycle.objects.get(pk=cycle_id)
        cycle_score(cycle=cycle)
        after_stage(cycle_id, "scored")
        _step(cycle_id, token, "preview", 70)
        cycle_preview_compute(cycle=cycle)
        after_stage(cycle_id, "previewed")
        done = QualificationCycle.objects.filter(pk=cycle_id, run_token=token, status=CycleStatus.RUNNING).update(
            status=CycleStatus.COMPUTED, stage="computed", percent=100, finished_at=timezone.now()
        )
        if not done:
            raise Superseded
    except Superseded:
        return False
    except Exception as exc:
        QualificationCycle.objects.filter(pk=cycle_id, run_token=token, status=CycleStatus.RUNNING).update(
            status=CycleStatus.FAILED,
            stage="failed",
            error=f"{type(exc).__name__}: {exc}"[:5000],
            finished_at=timezone.now(),
        )
        raise
    return True


def default_rule_set() -> RuleSet | None:
    """The highest rule-set version (v1 unless staff created another)."""
    return RuleSet.objects.order_by("-version").first()


def cycle_rule_set(cycle: QualificationCycle) -> RuleSet | None:
    """The rule-set version pinned to the cycle (the default for a cycle made before pins existed)."""
    pin = CycleRules.objects.filter(cycle_id=cycle.pk).select_related("rule_set").first()
    return pin.rule_set if pin else default_rule_set()


@transaction.atomic
def cycle_create(*, rule_set: RuleSet | None = None, **fields) -> QualificationCycle:
    """Schedule a cycle (scoring.services.cycle_create validates the window and pins the capability model) and
    pin its rule-set version (default: the highest); the pinned version is frozen from then on."""
    cycle = scoring_services.cycle_create(**fields)
    rule_set = rule_set or default_rule_set()
    if rule_set is not None:
        CycleRules.objects.create(cycle=cycle, rule_set=rule_set)
    return cycle


@transaction.atomic
def cycle_cancel(*, cycle: QualificationCycle, user=None) -> QualificationCycle:
    changed = QualificationCycle.objects.filter(pk=cycle.pk, status__in=CLAIMABLE).update(
        status=CycleStatus.CANCELLED, stage="cancelled", finished_at=timezone.now(), run_token=""
    )
    cycle.refresh_from_db()
    if not changed:
        raise conflict("invalid_status", _("A %(status)s cycle cannot be cancelled.") % {"status": cycle.status})
    return cycle


# --- Schedule -------------------------------------------------------------------------------------


@transaction.atomic
def cycle_create_and_start(
    *, kind: str, window_start: dt.datetime, window_end: dt.datetime, user
) -> QualificationCycle:
    """Schedule a cycle over the window and claim it (the console's one step); the run is queued after commit."""
    cycle = cycle_create(kind=kind, window_start=window_start, window_end=window_end, created_by=user)
    return cycle_start(cycle=cycle, user=user)


def previous_window(kind: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The previous Shanghai calendar month (monthly) or quarter (quarterly) before ``now``."""
    local = now.astimezone(SHANGHAI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if kind == CycleKind.MONTHLY:
        return add_months(local, -1), local
    quarter_start = local.replace(month=(local.month - 1) // 3 * 3 + 1)
    return add_months(quarter_start, -3), quarter_start


def cycle_schedule_due(*, kind: str, now: dt.datetime | None = None) -> QualificationCycle:
    """The beat job: create (once) the cycle of the previous month/quarter and run it if not yet run."""
    start, end = previous_window(kind, now or timezone.now())
    cycle = QualificationCycle.objects.filter(kind=kind, window_start=start, window_end=end).first()
    if cycle is None:
        cycle = cycle_create(kind=kind, window_start=start, window_end=end)
    token = cycle_claim(cycle_id=cycle.pk, statuses=[CycleStatus.SCHEDULED, CycleStatus.FAILED])
    if token is not None:
        cycle_run(cycle_id=cycle.pk, token=token)
    cycle.refresh_from_db()
    return cycle


# --- Preview --------------------------------------------------------------------------------------


def _window_end_after(cycle: QualificationCycle, kind: str, cycles: int) -> dt.datetime:
    """End of the ``cycles``-th cycle of ``kind`` after this one (calendar months for monthly/quarterly)."""
    if kind in (CycleKind.MONTHLY, CycleKind.QUARTERLY):
        months = 1 if kind == CycleKind.MONTHLY else 3
        end_local = cycle.window_end.astimezone(SHANGHAI)
        if end_local == end_local.replace(day=1, hour=0, minute=0, second=0, microsecond=0):
            return add_months(end_local, months * cycles)
    return cycle.window_end + (cycle.window_end - cycle.window_start) * cycles


def _published_same_window(cycle: QualificationCycle) -> QualificationCycle | None:
    return (
        QualificationCycle.objects.filter(
            status=CycleStatus.PUBLISHED, window_start=cycle.window_start, window_end=cycle.window_end
        )
        .exclude(kind=CycleKind.SIMULATION)
        .exclude(pk=cycle.pk)
        .order_by("id")
        .first()
    )


def _base_kind(cycle: QualificationCycle) -> str:
    """The kind whose history counts (a simulation takes the kind of the published cycle of its window)."""
    if cycle.kind != CycleKind.SIMULATION:
        return cycle.kind
    published = _published_same_window(cycle)
    return published.kind if published else CycleKind.MONTHLY


@transaction.atomic
def cycle_preview_compute(*, cycle: QualificationCycle) -> int:
    """Replace the cycle's outcomes: the pure rules engine over its stored scores, the providers' tiers,
    the outcomes of earlier published cycles of the same kind and confirmed serious violations in the
    window. A fixed number of queries whatever the number of providers; nothing takes effect."""
    ruleset = cycle_rule_set(cycle)
    CycleOutcome.objects.filter(cycle=cycle).delete()
    scores = list(
        ProviderScore.objects.filter(cycle=cycle)
        .order_by("provider_id")
        .values("id", "provider_id", "cohort", "status", "ranked", "overall", "percentile")
    )
    ids = [s["provider_id"] for s in scores]
    capabilities: dict[int, dict] = defaultdict(dict)
    for ps_id, key, score in CapabilityScore.objects.filter(provider_score__cycle=cycle).values_list(
        "provider_score_id", "key", "score"
    ):
        capabilities[ps_id][key] = score
    providers = {p["id"]: p for p in Provider.objects.filter(pk__in=ids).values("id", "tier", "status")}
    current_tier = {pid: p["tier"] for pid, p in providers.items()}
    if cycle.kind == CycleKind.SIMULATION:
        published = _published_same_window(cycle)
        if published is not None:
            current_tier.update(CycleOutcome.objects.filter(cycle=published).values_list("provider_id", "current_tier"))
    # Earlier published cycles of the same kind, most recent first, as many as the rules look back.
    lookback = max(ruleset.warn_unranked_cycles, ruleset.probation_consecutive_warnings) - 1
    previous_ids = list(
        QualificationCycle.objects.filter(
            kind=_base_kind(cycle), status=CycleStatus.PUBLISHED, window_end__lte=cycle.window_start
        )
        .order_by("-window_end", "-id")
        .values_list("id", flat=True)[: max(lookback, 0)]
    )
    past: dict[tuple[int, int], Outcome] = {}
    for row in CycleOutcome.objects.filter(cycle_id__in=previous_ids, provider_id__in=ids).values(
        "cycle_id", "provider_id", "warn", "ranked", "proposed_tier"
    ):
        past[(row["cycle_id"], row["provider_id"])] = Outcome(
            row["proposed_tier"], row["warn"], False, False, [], ranked=row["ranked"]
        )
    # A warning overturned on appeal no longer counts toward probation (the ledger keeps both).
    for key in Decision.objects.filter(
        kind=DecisionKind.WARN,
        cycle_id__in=previous_ids,
        provider_id__in=ids,
        pk__in=Appeal.objects.filter(status=AppealStatus.OVERTURNED).values("decision_id"),
    ).values_list("cycle_id", "provider_id"):
        if key in past:
            past[key] = dataclasses.replace(past[key], warn=False)
    serious: dict[int, list[int]] = defaultdict(list)
    if ruleset.delist_on_serious_violation:
        for pid, vid in (
            Violation.objects.filter(
                provider_id__in=ids,
                severity=Severity.SERIOUS,
                status=ViolationStatus.CONFIRMED,
                occurred_at__gte=cycle.window_start,
                occurred_at__lt=cycle.window_end,
            )
            .order_by("provider_id", "id")
            .values_list("provider_id", "id")
        ):
            serious[pid].append(vid)
    # A provider absent from an earlier cycle breaks any run of warnings (neutral placeholder).
    neutral = Outcome(Tier.L0, False, False, False, [], ranked=True)
    fix_by = _window_end_after(cycle, _base_kind(cycle), ruleset.probation_fix_by_cycles)
    out = []
    for s in scores:
        pid = s["provider_id"]
        tier = current_tier.get(pid) or Tier.L0
        status = providers[pid]["status"] if cycle.kind != CycleKind.SIMULATION else s["status"]
        result = evaluate(
            ruleset=ruleset,
            current_tier=tier,
            status=status,
            ranked=s["ranked"],
            overall=s["overall"],
            capability_scores=capabilities.get(s["id"], {}),
            percentile=s["percentile"],
            previous_outcomes=[past.get((cid, pid), neutral) for cid in previous_ids],
        )
        why = list(result.reasons)
        delist = result.delist_proposal
        if serious.get(pid) and status != ProviderStatus.DELISTED:
            delist = True
            why.append(reason_of("delist_serious_violation", violations=serious[pid]))
        move = TIERS.index(result.proposed_tier) - TIERS.index(tier)
        out.append(
            CycleOutcome(
                cycle=cycle,
                provider_id=pid,
                cohort=s["cohort"],
                status_before=status,
                ranked=s["ranked"],
                overall=s["overall"],
                current_tier=tier,
                proposed_tier=result.proposed_tier,
                change=OutcomeChange.PROMOTE if move > 0 else OutcomeChange.DEMOTE if move < 0 else OutcomeChange.NONE,
                warn=result.warn,
                probation=result.probation,
                delist_proposal=delist,
                reasons=why,
                fix_by=fix_by if result.probation else None,
            )
        )
    CycleOutcome.objects.bulk_create(out, batch_size=2000)
    return len(out)


OUTCOME_FIELDS = [
    "provider_id",
    "provider__name",
    "cohort",
    "status_before",
    "ranked",
    "overall",
    "current_tier",
    "proposed_tier",
    "change",
    "warn",
    "probation",
    "delist_proposal",
    "reasons",
    "fix_by",
]


def outcome_counts(outcomes: list[dict]) -> dict:
    """Counts per outcome, overall and per cohort."""

    def count(rows):
        return {
            "providers": len(rows),
            "promote": sum(r["change"] == OutcomeChange.PROMOTE for r in rows),
            "demote": sum(r["change"] == OutcomeChange.DEMOTE for r in rows),
            "unchanged": sum(r["change"] == OutcomeChange.NONE for r in rows),
            "warn": sum(r["warn"] for r in rows),
            "probation": sum(r["probation"] for r in rows),
            "delist_proposal": sum(r["delist_proposal"] for r in rows),
            "not_ranked": sum(not r["ranked"] for r in rows),
        }

    cohorts = defaultdict(list)
    for r in outcomes:
        cohorts[r["cohort"]].append(r)
    return {"all": count(outcomes), "by_cohort": {k: count(v) for k, v in sorted(cohorts.items())}}


def cycle_preview(*, cycle: QualificationCycle, outcomes=None) -> dict:
    """The preview body: every provider's outcome (current → proposed tier, warnings, probation,
    delisting proposal, reasons) and the counts per outcome and cohort. Two queries."""
    queryset = outcomes if outcomes is not None else CycleOutcome.objects.filter(cycle=cycle)
    rows = list(queryset.order_by("cohort", "provider_id").values(*OUTCOME_FIELDS))
    for r in rows:
        r["provider"] = r.pop("provider_id")
        r["provider_name"] = r.pop("provider__name")
    return {
        "cycle": cycle.pk,
        "status": cycle.status,
        "rule_set": getattr(cycle_rule_set(cycle), "pk", None),
        "capability_model": cycle.capability_model_id,
        "counts": outcome_counts(rows),
        "outcomes": rows,
    }


def cycle_comparison(*, cycle: QualificationCycle) -> dict:
    """A simulation beside what was published for the same window: who would end where."""
    published = _published_same_window(cycle)
    sim = {r["provider_id"]: r for r in CycleOutcome.objects.filter(cycle=cycle).values(*OUTCOME_FIELDS)}
    pub = {}
    if published is not None:
        pub = {r["provider_id"]: r for r in CycleOutcome.objects.filter(cycle=published).values(*OUTCOME_FIELDS)}
    keys = ["overall", "proposed_tier", "warn", "probation", "delist_proposal", "ranked"]
    tier_now = dict(Provider.objects.filter(pk__in=set(sim) | set(pub)).values_list("id", "tier"))
    rows = []
    for pid in sorted(set(sim) | set(pub)):
        s, p = sim.get(pid), pub.get(pid)
        simulated = {k: s[k] for k in keys} if s else None
        actual = {k: p[k] for k in keys} if p else None
        differs = simulated is None or actual is None or any(simulated[k] != actual[k] for k in keys[1:])
        rows.append(
            {
                "provider": pid,
                "provider_name": (s or p)["provider__name"],
                # The tier both started the window's cycle from, and the provider's tier today (after publishes).
                "tier_before": (p or s)["current_tier"],
                "current_tier": tier_now.get(pid),
                "simulated": simulated,
                "published": actual,
                "differs": differs,
            }
        )
    return {
        "cycle": cycle.pk,
        "published_cycle": published.pk if published else None,
        "changed": sum(r["differs"] for r in rows),
        "simulated_counts": outcome_counts(list(sim.values())),
        "published_counts": outcome_counts(list(pub.values())),
        "providers": rows,
    }


# --- Publish --------------------------------------------------------------------------------------


@transaction.atomic
def cycle_publish(*, cycle: QualificationCycle, user=None) -> dict:
    """Apply a computed cycle in one transaction: ledger decisions (bulk, one chain lock), tiers and
    statuses (set-based), tier certificates issued/superseded, notifications (mails after commit).
    The conditional status update computed → published makes a second publish change nothing."""
    if cycle.kind == CycleKind.SIMULATION:
        raise conflict("simulation_cannot_publish", _("A simulation cycle can never be published."))
    now = timezone.now()
    changed = QualificationCycle.objects.filter(pk=cycle.pk, status=CycleStatus.COMPUTED).update(
        status=CycleStatus.PUBLISHED, stage="published", published_at=now, published_by=user
    )
    if not changed:
        cycle.refresh_from_db()
        if cycle.status == CycleStatus.PUBLISHED:
            raise conflict("already_published", _("This cycle is already published; publishing again changes nothing."))
        raise conflict(
            "not_computed",
            _("Only a computed cycle can be published (this one is %(status)s).") % {"status": cycle.status},
        )
    cycle.refresh_from_db()
    # Lock order shared with approvals and proposals: the ledger first, then provider/certificate rows.
    ledger_lock()
    outcomes = list(CycleOutcome.objects.filter(cycle=cycle).order_by("provider_id"))
    ids = [o.provider_id for o in outcomes]
    # Lock the providers (a concurrent delisting approval waits), skip any delisted meanwhile.
    live = set(
        Provider.objects.select_for_update()
        .filter(pk__in=ids)
        .exclude(status=ProviderStatus.DELISTED)
        .values_list("id", flat=True)
    )
    outcomes = [o for o in outcomes if o.provider_id in live]
    open_proposals = set(
        unresolved_delist_proposals().filter(provider_id__in=ids).values_list("provider_id", flat=True)
    )
    today = shanghai_today()
    decided_by_id = user.pk if user is not None else None
    rows = []
    for o in outcomes:
        base = {"provider_id": o.provider_id, "cycle_id": cycle.pk, "decided_by_id": decided_by_id}
        evidence = {"from": o.current_tier, "to": o.proposed_tier, "overall": o.overall, "reasons": o.reasons}
        if o.change != OutcomeChange.NONE:
            rows.append(
                {
                    **base,
                    "kind": o.change,
                    "reason_code": f"cycle_{o.change}",
                    "reason_text": reasons.english(reasons.of_kind(o.reasons, o.change)),
                    "evidence": evidence,
                }
            )
        if o.warn:
            rows.append(
                {
                    **base,
                    "kind": DecisionKind.WARN,
                    "reason_code": "cycle_warning",
                    "reason_text": reasons.english(reasons.of_kind(o.reasons, DecisionKind.WARN)),
                    "evidence": evidence,
                }
            )
        if o.probation:
            rows.append(
                {
                    **base,
                    "kind": DecisionKind.PROBATION,
                    "reason_code": "cycle_probation",
                    "reason_text": reasons.english(reasons.of_kind(o.reasons, DecisionKind.PROBATION)),
                    "evidence": {**evidence, "fix_by": o.fix_by.astimezone(SHANGHAI).isoformat()},
                }
            )
        if o.delist_proposal and o.provider_id not in open_proposals:
            rows.append(
                {
                    **base,
                    "kind": DecisionKind.DELIST,
                    "status": DecisionStatus.PENDING,
                    "reason_code": "cycle_delist_proposal",
                    "reason_text": reasons.english(reasons.of_kind(o.reasons, DecisionKind.DELIST)),
                    "evidence": evidence,
                }
            )
    decisions = decisions_append_bulk(rows=rows)

    # Tiers and their certificates (one writer: certification.standing), then probation; set-based.
    new_certificates = tiers_move(
        moves={o.provider_id: o.proposed_tier for o in outcomes if o.change != OutcomeChange.NONE},
        cycle=cycle,
        decided_by=user,
        day=today,
    )
    probation_ids = [o.provider_id for o in outcomes if o.probation]
    providers_status_set(provider_ids=probation_ids, status=ProviderStatus.PROBATION, only_from=[ProviderStatus.ACTIVE])

    # Notifications, and the same text by e-mail to the provider's users once committed (certification.mailing).
    notes = []
    window = {
        "kind": cycle.kind,
        "start": f"{cycle.window_start.astimezone(SHANGHAI):%Y-%m-%d}",
        "last": f"{cycle.window_end.astimezone(SHANGHAI) - dt.timedelta(microseconds=1):%Y-%m-%d}",
    }
    with translation.override("en"):
        for o in outcomes:
            params = {
                **window,
                "current": o.current_tier,
                "proposed": o.proposed_tier,
                "reasons": reasons.of_kind(o.reasons, DecisionKind.WARN),
                "fix_by": f"{o.fix_by.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if o.fix_by else "",
            }
            kinds = [o.change] if o.change != OutcomeChange.NONE else []
            kinds += [k for k in ("warn", "probation", "delist_proposal") if getattr(o, k)]
            notes += [
                Notification(
                    provider_id=o.provider_id,
                    cycle=cycle,
                    kind=k,
                    params=params,
                    text=reasons.notice(k, params),
                )
                for k in kinds
            ]
    Notification.objects.bulk_create(notes, batch_size=2000)
    if notes:
        ids = [n.pk for n in notes]
        transaction.on_commit(lambda: notifications_email_enqueue(ids))
    return {
        "cycle": cycle.pk,
        "decisions": len(decisions) + len(new_certificates),
        "promoted": sum(o.change == OutcomeChange.PROMOTE for o in outcomes),
        "demoted": sum(o.change == OutcomeChange.DEMOTE for o in outcomes),
        "warned": sum(o.warn for o in outcomes),
        "probation": len(probation_ids),
        "delist_proposals": sum(d.kind == DecisionKind.DELIST for d in decisions),
        "certificates": len(new_certificates),
        "notifications": len(notes),
    }
