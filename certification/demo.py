"""Demo steps of the certification app for `manage.py seed_demo` (demo/steps.py).

- ``make_cycles``: each full past month, a monthly cycle scored, previewed and published by the system.
- ``make_certified_operators``: assessments for the operators of the first active providers, and
  operator certificates granted through the real rules (junior; intermediate on top of a junior
  certificate issued eight months earlier for operators with ≥ 50 sessions).
- ``make_appeals``: warnings of three providers and their appeals — one open (provider1's), one
  decided "upheld" (provider2's, whose second-appeal window is open) and one "overturned".

Every date is relative to ``demo.today``; each step draws from its own random stream.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count

from core.dates import SHANGHAI
from providers.choices import ProviderStatus, Severity, ViolationStatus
from providers.models import LiveSession, Operator, Violation

from . import cycles
from .appeals import appeal_decide, appeal_file
from .ledger import decision_append
from .models import OperatorAssessment
from .operators import add_months, operator_certificate_grant
from .reasons import reason
from .services import certificate_issue_operator, delist_propose_for_violation, unresolved_delist_proposals

if TYPE_CHECKING:
    from providers.demo import Demo

CERTIFIED_PROVIDERS = 6  # the first active providers get assessed, certified operators


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def make_certified_operators(demo: Demo) -> None:
    """Assess the operators of the first active providers; grant certificates by the real rules."""
    rng = demo.rng("certified_operators")
    today = demo.today
    assessor = _user("manager")
    if assessor is None:  # the logins step makes the assessor; without it there is nothing to do
        demo.counts["operator_certificates"] = 0
        return
    providers = [p for p in demo.providers if p.id not in demo.sparse][:CERTIFIED_PROVIDERS]
    operators = {e.operator_id for p in providers for e in demo.employed(p.id, today)}
    since = _at(add_months(today, -12), 0)
    sessions = dict(
        LiveSession.objects.filter(operator_id__in=operators, started_at__gte=since, started_at__lt=_at(today, 0))
        .values_list("operator_id")
        .annotate(n=Count("id"))
    )
    ordered = sorted(operators)
    scores = {op: Decimal(rng.randint(7000, 9800)).scaleb(-2) for op in ordered}
    OperatorAssessment.objects.bulk_create(
        OperatorAssessment(
            operator_id=op,
            score=scores[op],
            assessed_on=today - dt.timedelta(days=rng.randint(3, 200)),
            assessor=assessor,
            notes="笔试 + 直播实操考核",
        )
        for op in ordered
    )
    by_id = Operator.objects.in_bulk(ordered)
    granted = 0
    for i, op in enumerate(ordered):
        if scores[op] < 80 or sessions.get(op, 0) < 10:
            continue
        operator = by_id[op]
        if sessions[op] >= 50 and i % 2 == 0:
            # History: a junior certificate from eight months ago, then today's promotion to 中级.
            certificate_issue_operator(
                operator=operator, level="junior", valid_from=add_months(today, -8), decided_by=assessor
            )
            operator_certificate_grant(operator=operator, level="intermediate", granted_by=assessor, today=today)
        else:
            operator_certificate_grant(operator=operator, level="junior", granted_by=assessor, today=today)
        granted += 1
    demo.counts["operator_assessments"] = len(ordered)
    demo.counts["operator_certificates"] = granted


def make_appeals(demo: Demo) -> None:
    """Warnings of three providers, appealed: one open, one upheld, one overturned."""
    today = demo.today
    reviewer = _user("appeals")
    filers = [_user(name) for name in ("provider1", "provider2")]
    if reviewer is None or None in filers:
        demo.counts["appeals"] = 0
        return
    p1, p2, p3 = demo.providers[0], demo.providers[1], demo.providers[2]

    def warning(provider, days_ago: int, why: dict):
        # A reason code with its parameters, so that every reader sees it in their language (certification.reasons).
        return decision_append(
            kind="warn",
            provider=provider,
            reason_code="cycle_warning",
            evidence={"percentile": Decimal("0.0400"), "reasons": [why], "demo": True},
            effective_at=_at(today - dt.timedelta(days=days_ago), 9),
        )

    open_warning = warning(p1, 6, reason("warn_percentile", percentile=Decimal("0.0400"), bar=Decimal("0.0500")))
    appeal_file(
        decision=open_warning,
        filed_by=filers[0],
        statement="本期有两场直播因平台故障中断，数据不完整，申请复核。",
        now=_at(today - dt.timedelta(days=2), 15, 20),
    )
    upheld_warning = warning(p2, 14, reason("warn_percentile", percentile=Decimal("0.0400"), bar=Decimal("0.0500")))
    upheld = appeal_file(
        decision=upheld_warning,
        filed_by=filers[1],
        statement="我们认为退款率统计口径有误。",
        now=_at(today - dt.timedelta(days=12), 10),
    )
    appeal_decide(
        appeal=upheld,
        reviewer=reviewer,
        outcome="upheld",
        reason="退款率按平台统一口径计算，维持原决定。",
        now=_at(today - dt.timedelta(days=4), 16),
    )
    overturned_warning = warning(p3, 10, reason("warn_unranked", cycles=2))
    staff_filed = appeal_file(
        decision=overturned_warning,
        filed_by=reviewer if reviewer.has_perm("certification.add_appeal") else filers[0],
        statement="（代服务商提交）该服务商两期均有有效场次，排名缺失系数据延迟。",
        now=_at(today - dt.timedelta(days=9), 11),
    )
    appeal_decide(
        appeal=staff_filed,
        reviewer=_user("admin") or reviewer,
        outcome="overturned",
        reason="核实为数据延迟，撤销预警。",
        now=_at(today - dt.timedelta(days=7), 14),
    )
    demo.counts["appeals"] = 3


def past_months(first: dt.date, today: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Shanghai calendar months lying wholly in [first, today) — the ones the demo has full data for."""
    out = []
    month = first if first.day == 1 else (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    while True:
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if following > today:
            return out
        out.append(
            (
                dt.datetime.combine(month, dt.time(0), tzinfo=SHANGHAI),
                dt.datetime.combine(following, dt.time(0), tzinfo=SHANGHAI),
            )
        )
        month = following


def make_cycles(demo: Demo) -> None:
    """Each full past month: a monthly cycle scored, previewed and published by the system (oldest first,
    so tiers climb one level a month); then a delisting proposal for each confirmed serious violation."""
    published = 0
    for start, end in past_months(demo.window_start, demo.today):
        cycle = cycles.cycle_create(kind="monthly", window_start=start, window_end=end)
        token = cycles.cycle_claim(cycle_id=cycle.pk)
        cycles.cycle_run(cycle_id=cycle.pk, token=token)
        cycle.refresh_from_db()
        cycles.cycle_publish(cycle=cycle, user=None)
        published += 1
    proposals = 0
    for violation in Violation.objects.filter(
        severity=Severity.SERIOUS,
        status=ViolationStatus.CONFIRMED,
        provider__status__in=[ProviderStatus.ACTIVE, ProviderStatus.PROBATION],
    ).select_related("provider"):
        delist_propose_for_violation(violation=violation)
        proposals += 1
    demo.counts["cycles"] = published
    demo.counts["delist_proposals"] = unresolved_delist_proposals().count()
